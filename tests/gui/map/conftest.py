"""Fixtures of the map tests.

The project conftest (tests/conftest.py) registers the ``cedc:`` scheme and imports
QtWebEngineWidgets before pytest-qt creates ``qapp``, and sets the offscreen platform.

Pages take a second or two to start, so each test module shares one :class:`MapDriver` (a shown
:class:`~widgets.map.MapView` whose page is ready) through a module-scoped fixture built with
``open_map``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from widgets.map import MapConfig, MapView

ROOT = Path(__file__).resolve().parents[3]
DISTRICTS = ROOT / "resources" / "geo" / "beijing_districts_wgs84.geojson"
PAGE_TIMEOUT_S = 60.0


def spin(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Run the event loop until ``predicate()`` holds, or raise TimeoutError (usable where the
    function-scoped qtbot is not: module fixtures)."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        QTimer.singleShot(10, loop.quit)
        loop.exec()


class MapDriver:
    """A ready MapView plus the ways a test reads the page."""

    def __init__(self, view: MapView) -> None:
        self.view = view

    spin = staticmethod(spin)

    def js(self, script: str, timeout_s: float = 10.0) -> Any:
        """Run ``script`` (which returns JSON text) in the page; the parsed result."""
        box: list[Any] = []
        self.view.run_js(script, box.append)
        spin(lambda: bool(box), timeout_s)
        value = box[0]
        return json.loads(value) if isinstance(value, str) and value else value

    def entity(self, kind: str, eid: str) -> dict[str, Any]:
        """The page's record of an entity (see ``CEDC.debug.entity``)."""
        return self.js(f"CEDC.debug.entity({json.dumps(kind)}, {json.dumps(eid)})")

    def point(self, kind: str, eid: str) -> QPoint:
        """Where the entity is drawn, in widget pixels."""
        p = self.entity(kind, eid)["point"]
        return QPoint(round(p[0]), round(p[1]))

    def show(self, lat: float, lon: float, zoom: int) -> None:
        """Centre the map and wait until the page shows that zoom."""
        self.view.center_on(lat, lon, zoom)
        spin(lambda: self.js("CEDC.debug.view()")["zoom"] == zoom)

    @property
    def target(self) -> QWidget:
        """The widget that receives the page's mouse and keyboard input."""
        proxy = self.view.web_view.focusProxy()
        assert proxy is not None
        return proxy

    def close(self) -> None:
        """Delete the view (page before profile); fail if the page reported script errors."""
        errors = list(self.view.script_errors) + list(self.view.page.console_errors)
        self.view.close()
        shiboken6.delete(self.view)
        QApplication.processEvents()
        assert not errors, errors


@pytest.fixture(scope="session")
def open_map(qapp: QApplication) -> Callable[..., MapDriver]:
    """``open_map(config, size=(w, h), before_ready=fn)`` → a shown view with a ready page."""

    def _open(config: MapConfig | None = None, size: tuple[int, int] = (1000, 700),
              before_ready: Callable[[MapView], None] | None = None) -> MapDriver:
        view = MapView(config)
        view.resize(*size)
        view.show()
        if before_ready is not None:
            before_ready(view)
        failures: list[str] = []
        view.load_failed.connect(failures.append)
        spin(lambda: view.is_ready or bool(failures), PAGE_TIMEOUT_S)
        assert not failures, failures
        return MapDriver(view)

    return _open


@pytest.fixture(scope="session")
def districts_text() -> str:
    """The 16 district outlines (GeoJSON text)."""
    return DISTRICTS.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- tile files
def _load_tile_writers() -> Any:
    """tests/unit/geo/tilefiles.py, loaded by path (the test directories are not packages)."""
    import importlib.util

    path = ROOT / "tests" / "unit" / "geo" / "tilefiles.py"
    spec = importlib.util.spec_from_file_location("_cedc_tilefiles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tile_kit() -> Any:
    """Writers of MBTiles/PMTiles test files (``tile_kit.write_mbtiles(...)``)."""
    return _load_tile_writers()
