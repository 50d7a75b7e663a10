"""The page's configuration and HTML, and the vendored assets — no browser needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from widgets.map.page import PAGE_SCRIPTS, PAGE_STYLES, MapConfig, build_page, tile_host_pattern
from widgets.map.scheme import RESOURCE_ROOT, mime_type


def test_page_references_only_local_assets_in_order() -> None:
    html = build_page(MapConfig())
    assert not re.findall(r"https?://", html)
    srcs = re.findall(r'<script src="([^"]+)"', html)
    assert srcs == [path for _, path in PAGE_SCRIPTS]
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert hrefs == [path for _, path in PAGE_STYLES]
    assert "CEDC.boot(map_main" in html
    assert '"mode": "none"' in html


@pytest.mark.parametrize("path", [p for _, p in PAGE_SCRIPTS + PAGE_STYLES
                                  if p != "qwebchannel.js"])
def test_every_asset_exists(path: str) -> None:
    assert (RESOURCE_ROOT / path).is_file()


def test_vendored_packages_carry_their_licence_and_readme() -> None:
    vendor = RESOURCE_ROOT / "vendor"
    packages = [p for p in vendor.iterdir() if p.is_dir()]
    assert packages
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    for p in packages:
        assert (p / "LICENSE").is_file(), p
        assert p.name in readme
    assert "npm pack" in readme


def test_no_cdn_or_remote_url_in_our_own_page_scripts() -> None:
    for path in Path(RESOURCE_ROOT).glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.findall(r"https?://", text), path


def test_config_validation() -> None:
    assert MapConfig(language="zh_CN").language == "zh"
    assert MapConfig(tile_file="x.mbtiles").tile_mode == "file"
    assert MapConfig(tile_url="http://t/{z}/{x}/{y}.png", tile_file="x").tile_mode == "url"
    assert MapConfig().tile_mode == "none"
    for bad in ({"tile_crs": "bd09"}, {"tick_hz": 0}, {"language": "fr"},
                {"tile_url": "ftp://x/{z}"}, {"stale_after_s": -1}):
        with pytest.raises(ValueError):  # noqa: PT011 - each is a different message
            MapConfig(**bad)  # type: ignore[arg-type]


def test_from_settings_reads_the_map_section() -> None:
    from app.settings import MapSettings

    cfg = MapConfig.from_settings(MapSettings(tile_crs="gcj02", tick_hz=2.0), "en")
    assert (cfg.tile_crs, cfg.tick_hz, cfg.language) == ("gcj02", 2.0, "en")


@pytest.mark.parametrize(("template", "good", "bad"), [
    ("http://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}",
     ["http://t0.tianditu.gov.cn", "http://t7.tianditu.gov.cn:80"],
     ["http://tianditu.gov.cn.evil.com", "https://t0.tianditu.gov.cn", "http://x.t0.tianditu.gov.cn"]),
    ("https://10.1.2.3:8443/tiles/{z}/{x}/{y}.png",
     ["https://10.1.2.3:8443"], ["https://10.1.2.3", "https://10.1.2.30:8443"]),
])
def test_tile_host_pattern(template: str, good: list[str], bad: list[str]) -> None:
    pattern = tile_host_pattern(template)
    assert all(pattern.match(g) for g in good)
    assert not any(pattern.match(b) for b in bad)


def test_wmts_restful_placeholders_become_leaflets() -> None:
    cfg = MapConfig(tile_url="http://gis.intranet/wmts/vec/default/GoogleMapsCompatible/"
                             "{TileMatrix}/{TileRow}/{TileCol}.png")
    html = build_page(cfg)
    assert "GoogleMapsCompatible/{z}/{y}/{x}.png" in html


def test_mime_types() -> None:
    assert mime_type("/map/app.js").startswith(b"text/javascript")
    assert mime_type("/map/vendor/leaflet/images/layers.png") == b"image/png"
    assert mime_type("/map/map.css").startswith(b"text/css")
