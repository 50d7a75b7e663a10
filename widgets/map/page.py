"""The map page: built once with folium, with every asset pointing at the ``cedc:`` scheme.

folium supplies the HTML skeleton and the ``L.map`` call; its CDN lists (``default_js`` /
``default_css``) are replaced on the instance by the vendored Leaflet and the console's own
scripts, so the page references nothing outside ``cedc:/map/``. Everything dynamic (districts,
entities, tiles of a file) arrives later through the web channel or the scheme.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from jinja2 import Template

from app.geo.geofence import DEFAULT_VENUE_ZONES, ZoneRule

#: Scripts of the page, in load order (relative to ``cedc:/map/index.html``).
PAGE_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("leaflet", "vendor/leaflet/leaflet.js"),
    ("qwebchannel", "qwebchannel.js"),
    ("cedc_i18n", "i18n.js"),
    ("cedc_coords", "coords.js"),
    ("cedc_entities", "entities.js"),
    ("cedc_ui", "ui.js"),
    ("cedc_draw", "draw.js"),
    ("cedc_replay", "replay.js"),
    ("cedc_app", "app.js"),
)
#: Style sheets of the page.
PAGE_STYLES: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "vendor/leaflet/leaflet.css"),
    ("cedc_css", "map.css"),
)

TILE_CRS = ("wgs84", "gcj02")
LANGUAGES = ("zh", "en")


class MapSettingsLike(Protocol):
    """What :meth:`MapConfig.from_settings` reads (``app.settings.MapSettings`` has it)."""

    @property
    def tick_hz(self) -> float: ...
    @property
    def stale_after_s(self) -> float: ...
    @property
    def tile_url(self) -> str: ...
    @property
    def tile_file(self) -> str: ...
    @property
    def tile_crs(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MapConfig:
    """Everything fixed for the life of one :class:`~widgets.map.view.MapView`.

    Attributes:
        tick_hz: live-update batches per second.
        stale_after_s: a unit/vehicle/officer with no fix for this long is drawn faded.
        tile_url: intranet XYZ or WMTS URL template (Web-Mercator / GoogleMapsCompatible tile
            matrix) with ``{z}``, ``{x}``, ``{y}`` — or RESTful WMTS ``{TileMatrix}``,
            ``{TileCol}``, ``{TileRow}`` — plus ``{-y}`` for TMS rows and ``{s}`` for
            subdomains. Its host is the only non-``cedc:`` address the page may request.
        tile_subdomains: letters/digits that replace ``{s}`` (天地图: ``01234567``).
        tile_file: MBTiles or PMTiles file served through the scheme (used when ``tile_url`` is
            empty).
        tile_crs: ``wgs84`` (天地图, CGCS2000, or no tiles) or ``gcj02`` (AMap/Tencent tiles):
            with gcj02 every WGS-84 coordinate is converted before drawing, and clicks and
            drawn shapes are converted back, so the Python side only ever sees WGS-84.
        tile_max_zoom: highest zoom the tile source has.
        tile_attribution: text in the corner (no flag, no Leaflet link).
        language: ``zh`` (Chinese, default) or ``en`` for the texts inside the page.
        center: (lat, lon) at start, until the districts are fitted.
        zoom: zoom at start.
        cluster_below_zoom: venues are clustered below this zoom.
        trail_points: length of the follow-mode trail.
        venue_zones: alert-zone radius and severity per grade, drawn in the 警戒区 layer.
    """

    tick_hz: float = 1.0
    stale_after_s: float = 120.0
    tile_url: str = ""
    tile_subdomains: str = "abc"
    tile_file: str = ""
    tile_crs: str = "wgs84"
    tile_max_zoom: int = 18
    tile_attribution: str = ""
    language: str = "zh"
    center: tuple[float, float] = (39.9042, 116.4074)
    zoom: int = 10
    cluster_below_zoom: int = 14
    trail_points: int = 600
    venue_zones: Mapping[str, ZoneRule] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_VENUE_ZONES)))

    def __post_init__(self) -> None:
        if not (math.isfinite(self.tick_hz) and self.tick_hz > 0):
            raise ValueError("tick_hz must be greater than 0")
        if self.stale_after_s <= 0:
            raise ValueError("stale_after_s must be greater than 0")
        if self.tile_crs not in TILE_CRS:
            raise ValueError(f"tile_crs must be one of {TILE_CRS}, got {self.tile_crs!r}")
        lang = "zh" if self.language in ("zh_CN", "zh-CN") else self.language
        if lang not in LANGUAGES:
            raise ValueError(f"language must be zh or en, got {self.language!r}")
        object.__setattr__(self, "language", lang)
        if self.tile_url:
            tile_host_pattern(self.tile_url)  # raises on a malformed template

    @classmethod
    def from_settings(cls, settings: MapSettingsLike, language: str = "zh_CN",
                      **overrides: Any) -> MapConfig:
        """Build from the console's ``[map]`` settings (``app.settings.MapSettings``)."""
        values: dict[str, Any] = {
            "tick_hz": settings.tick_hz, "stale_after_s": settings.stale_after_s,
            "tile_url": settings.tile_url, "tile_file": settings.tile_file,
            "tile_crs": settings.tile_crs, "language": language}
        values.update(overrides)
        return cls(**values)

    @property
    def tile_mode(self) -> str:
        """``url``, ``file`` or ``none``."""
        if self.tile_url:
            return "url"
        return "file" if self.tile_file else "none"


def tile_host_pattern(template: str) -> re.Pattern[str]:
    """A pattern matching ``scheme://host[:port]`` of the tile template's URLs.

    Raises:
        ValueError: when the template is not an http(s) URL with a host.
    """
    parts = urlsplit(template.replace("{s}", "s0"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"tile_url must be an http(s) URL template, got {template!r}")
    raw = urlsplit(template)
    netloc = raw.netloc.lower()
    pieces = [re.escape(p) for p in netloc.split("{s}")]
    host = "[a-z0-9-]+".join(pieces)
    default_port = {"http": ":80", "https": ":443"}[parts.scheme]
    if parts.port is None:
        host += f"(?:{re.escape(default_port)})?"
    return re.compile(f"^{parts.scheme}://{host}$")


#: RESTful WMTS placeholders (GoogleMapsCompatible / EPSG:3857 matrix sets) → Leaflet's.
_WMTS_PLACEHOLDERS = {"{TileMatrix}": "{z}", "{TileRow}": "{y}", "{TileCol}": "{x}"}


def leaflet_template(template: str) -> str:
    """The tile URL template in Leaflet's terms: RESTful WMTS ``{TileMatrix}``, ``{TileRow}``,
    ``{TileCol}`` become ``{z}``, ``{y}``, ``{x}``; XYZ and KVP templates pass unchanged."""
    for wmts, xyz in _WMTS_PLACEHOLDERS.items():
        template = template.replace(wmts, xyz)
    return template


class _Boot(MacroElement):
    """Calls ``CEDC.boot(map, config)`` right after folium's ``L.map(...)``."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "CEDC.boot({{ this._parent.get_name() }}, {{ this.config|tojson }});\n"
        "{% endmacro %}")

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CedcBoot"
        self.config = config


def page_config(config: MapConfig) -> dict[str, Any]:
    """The part of the configuration the page script reads."""
    tiles: dict[str, Any] = {"mode": config.tile_mode, "crs": config.tile_crs,
                             "maxZoom": config.tile_max_zoom,
                             "attribution": config.tile_attribution}
    if config.tile_mode == "url":
        tiles["url"] = leaflet_template(config.tile_url)
        tiles["subdomains"] = config.tile_subdomains
    elif config.tile_mode == "file":
        tiles["url"] = "tiles/{z}/{x}/{y}"
    return {
        "tiles": tiles,
        "staleAfterS": config.stale_after_s,
        "clusterBelowZoom": config.cluster_below_zoom,
        "trailPoints": config.trail_points,
        "venueZones": {g: {"radius": r.radius_m, "severity": int(r.severity)}
                       for g, r in config.venue_zones.items()},
    }


def build_page(config: MapConfig) -> str:
    """The page's HTML."""
    m = folium.Map(location=list(config.center), zoom_start=config.zoom, tiles=None,
                   control_scale=False, zoom_control="bottomright", prefer_canvas=False,
                   min_zoom=8, max_zoom=config.tile_max_zoom)
    m._id = "main"  # a stable element id: map_main
    # The CDN lists live on the class; override them on this instance only.
    m.default_js = list(PAGE_SCRIPTS)
    m.default_css = list(PAGE_STYLES)
    _Boot(page_config(config)).add_to(m)
    return m.get_root().render()
