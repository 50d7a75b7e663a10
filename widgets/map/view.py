"""The map widget: a QWebEngineView showing the Leaflet page, fed through one QWebChannel object.

Python → page: JSON messages on :attr:`MapBridge.push` (``op`` says what): ``districts``,
``replace``, ``batch``, ``select``, ``focus``, ``follow``, ``unfollow``, ``layer``, ``draw``,
``fences``, ``replay_load``, ``replay_time``, ``replay_stop``, ``tileinfo``, ``tiles_failed``,
``view``. Page → Python: JSON messages through :meth:`MapBridge.post` (``type``): ``ready``,
``select``, ``context``, ``shape``, ``follow``, ``layer``, ``view``, ``error``.

Everything the page needs is served by :class:`~widgets.map.scheme.MapSchemeHandler` on a
private, off-the-record profile whose request interceptor blocks any request that is not
``cedc:`` (or the configured intranet tile host). Messages sent before the page is ready wait
in order; live updates are coalesced by :class:`~widgets.map.batch.UpdateQueue` and flushed once
per tick.

The page's state is also kept here (:class:`~widgets.map.state.PageState`): when Chromium's
renderer process dies the view reloads the page by itself — at once the first time, then backing
off when it keeps dying — and gives the new page its districts, entities, layer switches,
geofences, replay, selection, follow mode and view back (:attr:`MapView.renderer_lost`,
:attr:`MapView.status_notice`, :attr:`MapView.restored`).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.geo.coords import gcj02_to_wgs84
from app.geo.tiles import TileInfo
from models.clock import utcnow
from widgets.map.batch import KINDS, EntityKind, UpdateQueue
from widgets.map.page import MapConfig, build_page, tile_host_pattern
from widgets.map.replay import ReplayBar, ReplayController
from widgets.map.scheme import BASE_URL, SCHEME, MapSchemeHandler
from widgets.map.state import PageState

log = logging.getLogger("widgets.map")
js_log = logging.getLogger("widgets.map.js")

PAGE_PATH = "/map/index.html"
# Layer names for :meth:`MapView.set_layer_visible`.
LAYERS = ("base", "districts", "venue", "unit", "vehicle", "officer", "camera", "incident",
          "fences", "zones")
# Actions of :attr:`MapView.context_action`.
CONTEXT_ACTIONS = ("dispatch_here", "open_feed", "venue_dossier")
_MAX_BLOCKED_KEPT = 200
_MAX_ERRORS_KEPT = 200
# Seconds before reloading after the renderer died, by how many times it died in a row: at once
# the first time (the map must be back within 5 s), then backing off so a renderer that dies on
# start-up does not become a tight reload loop.
RELOAD_DELAYS_S = (0.3, 2.0, 5.0, 15.0, 30.0, 60.0)
# A page that stayed up this long after a reload starts the count of deaths in a row afresh.
STABLE_AFTER_S = 120.0
# A reloaded page that is not ready after this long counts as another failure.
RELOAD_WATCHDOG_S = 30.0


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Blocks and logs every request that is not ``cedc:`` (or ``data:``/``blob:``, which
    never leave the process) or to the configured intranet tile host.

    Signals:
        blocked(str): a request was blocked (its URL).
    """

    blocked = Signal(str)

    def __init__(self, tile_url: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tile_host = tile_host_pattern(tile_url) if tile_url else None
        self.blocked_urls: list[str] = []
        self.seen = 0  # requests looked at
        self.tile_requests = 0  # requests let through to the intranet tile host

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        """Allow or block one request."""
        self.seen += 1
        url = info.requestUrl()
        scheme = url.scheme()
        if scheme in ("cedc", "data", "blob"):
            return
        if self._tile_host is not None and scheme in ("http", "https"):
            origin = f"{scheme}://{url.host().lower()}"
            if url.port() != -1:
                origin += f":{url.port()}"
            if self._tile_host.match(origin):
                self.tile_requests += 1
                return
        info.block(True)
        text = url.toString()
        if len(self.blocked_urls) >= _MAX_BLOCKED_KEPT:
            del self.blocked_urls[: _MAX_BLOCKED_KEPT // 2]
        self.blocked_urls.append(text)
        log.warning("blocked a request from the map page to %s", text)
        self.blocked.emit(text)


class MapBridge(QObject):
    """The one object shared with the page through QWebChannel.

    Signals:
        push(str): a JSON message for the page.
        received(str): a JSON message from the page (emitted by :meth:`post`).
    """

    push = Signal(str)
    received = Signal(str)

    @Slot(str)
    def post(self, text: str) -> None:
        """Called by the page with one JSON message."""
        self.received.emit(text)


class _MapPage(QWebEnginePage):
    """The page: logs console messages and stays on ``cedc:`` (the default createWindow opens
    no windows)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject) -> None:
        super().__init__(profile, parent)
        self.console_errors: list[str] = []

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
        line: int, source: str,
    ) -> None:
        """Forward the page's console to the log (errors also kept for tests)."""
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            if len(self.console_errors) < _MAX_ERRORS_KEPT:
                self.console_errors.append(f"{message} ({source}:{line})")
            js_log.error("%s (%s:%d)", message, source, line)
        elif level == QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel:
            js_log.warning("%s (%s:%d)", message, source, line)
        else:
            js_log.debug("%s (%s:%d)", message, source, line)

    def acceptNavigationRequest(
        self, url: QUrl | str, type_: QWebEnginePage.NavigationType, is_main_frame: bool,
    ) -> bool:
        """Only the map page itself may be loaded."""
        if QUrl(url).scheme() == SCHEME.decode():
            return True
        log.warning("the map page tried to navigate to %s; refused", QUrl(url).toString())
        return False


def _stop_handler(handler: MapSchemeHandler, *_: object) -> None:
    handler.shutdown()


class MapView(QWidget):
    """The one map (一张图): districts, venues, units, vehicles, officers, body cameras and
    incidents on a Leaflet page, with live updates, follow mode, geofence drawing and replay.

    Entities are generic: a *kind* (``venue``, ``unit``, ``vehicle``, ``officer``, ``camera``,
    ``incident``) and an id (str), plus a flat dict of fields. Coordinates are WGS-84 on the
    Python side, always; a GCJ-02 base map is handled inside (see :class:`MapConfig`).

    Fields the page understands (others are kept and ignored):

    * every kind: ``lat``, ``lon``
    * venue: ``name``, ``licence_no``, ``venue_type``, ``venue_class`` (key/temporary/regular),
      ``grade`` (A–D), ``address``, ``district``
    * unit / vehicle / officer: ``call_sign``, ``status`` (off_duty, available, dispatched,
      en_route, on_scene, clearing, out_of_service, emergency), ``heading`` (degrees),
      ``speed`` (km/h), ``last_fix`` (epoch s), ``members``, ``plate``, ``name``, ``unit``
    * camera: ``name``, ``live`` (bool), ``unit``
    * incident: ``number``, ``title``, ``priority`` (1 urgent … 4 low), ``status``, ``address``

    Signals:
        entity_selected(str, str): the operator clicked an entity (or picked it in the search
            box): kind, id.
        context_action(str, str, str, float, float): a right-click menu choice: action
            (``dispatch_here``, ``open_feed``, ``venue_dossier``), kind and id of the entity
            (both empty for a place on the map), and the WGS-84 lat, lon.
        shape_drawn(str): a geofence was drawn: a GeoJSON Feature (WGS-84) — a Polygon, or a
            Point with ``properties.radius_m`` for a circle.
        page_ready(): the page is up; everything queued so far has been sent (once).
        load_failed(str): the page could not be loaded or started, or the tile file is not
            usable (the map then shows the plain background); the reason, in English.
        renderer_lost(str): the page's renderer process died; the view reloads the page by
            itself (see :data:`RELOAD_DELAYS_S`); the reason, in English.
        restored(): the page was reloaded and has its state back (after renderer_lost).
        status_notice(str): a line for the status bar, translated; empty when there is nothing
            more to say (the map is back).
        follow_changed(str, str): the operator started (kind, id) or stopped ("", "") following
            an entity from the page.
        request_blocked(str): the page tried to fetch something outside the program (URL).
    """

    entity_selected = Signal(str, str)
    context_action = Signal(str, str, str, float, float)
    shape_drawn = Signal(str)
    page_ready = Signal()
    load_failed = Signal(str)
    follow_changed = Signal(str, str)
    request_blocked = Signal(str)
    renderer_lost = Signal(str)
    restored = Signal()
    status_notice = Signal(str)

    def __init__(self, config: MapConfig | None = None, parent: QWidget | None = None) -> None:
        """Create the view and start loading the page (returns at once).

        Args:
            config: tiles, tick rate, language and the rest; defaults to plain background,
                1 Hz, Chinese.
            parent: the parent widget.
        """
        super().__init__(parent)
        self._config = config or MapConfig()
        self._ready = False
        self._outbox: list[str] = []
        self._state = PageState(self._config.trail_points)
        self._queue = UpdateQueue(self._state.apply)
        self.script_errors: list[str] = []
        self._ever_ready = False
        self._recovering = False
        self._deaths = 0  # renderer deaths in a row (see STABLE_AFTER_S)
        self._up_since: float | None = None  # time.monotonic() when the page was last ready
        self._lost_at = 0.0
        self.reloads = 0  # pages reloaded after the renderer died (tests, diagnostics)

        # Creation order matters: the view (and the page inside it) must be destroyed before the
        # profile, and Qt deletes children in creation order.
        self._web = QWebEngineView(self)
        self._web.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._profile = QWebEngineProfile(self)  # off the record: nothing written to disk
        self._profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self._handler = MapSchemeHandler(self._profile)
        self._profile.installUrlSchemeHandler(SCHEME, self._handler)
        self._guard = RequestGuard(self._config.tile_url, self._profile)
        self._guard.blocked.connect(self.request_blocked)
        self._profile.setUrlRequestInterceptor(self._guard)
        self._page = _MapPage(self._profile, self._web)
        # Chromium already refuses remote URLs to a local-scheme page; only an intranet tile
        # service needs them, and then the interceptor lets its host through and nothing else.
        self._page.settings().setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
            bool(self._config.tile_url))
        self._page.settings().setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self._web.setPage(self._page)
        self._bridge = MapBridge(self)
        self._bridge.received.connect(self._on_message)
        self._channel = QWebChannel(self._page)
        self._channel.registerObject("bridge", self._bridge)
        self._page.setWebChannel(self._channel)
        self._page.loadFinished.connect(self._on_load_finished)
        self._page.renderProcessTerminated.connect(self._on_renderer_gone)
        self.destroyed.connect(partial(_stop_handler, self._handler))

        self._tick = QTimer(self)
        self._tick.setInterval(max(1, round(1000.0 / self._config.tick_hz)))
        self._clock_timer = QTimer(self)  # the page's clock may drift from the console's
        self._clock_timer.setInterval(60_000)
        self._clock_timer.timeout.connect(self._send_clock)
        self._tick.timeout.connect(self.flush)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self._reload)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.setInterval(round(RELOAD_WATCHDOG_S * 1000))
        self._watchdog.timeout.connect(self._reload_stalled)

        self.replay = ReplayController(self)
        self.replay_bar = ReplayBar(self.replay, self)
        self.replay_bar.hide()
        self.replay.time_changed.connect(self._replay_time)
        self.replay_bar.close_requested.connect(self.stop_replay)
        self._replay_t: float | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._web, 1)
        layout.addWidget(self.replay_bar)

        self._handler.set_document(PAGE_PATH, build_page(self._config).encode("utf-8"),
                                   b"text/html; charset=utf-8")
        if self._config.tile_mode == "file":
            self._handler.tile_file_opened.connect(self._on_tiles_opened)
            self._handler.tile_file_failed.connect(self._on_tiles_failed)
            self._handler.open_tile_file(self._config.tile_file)
        self._url = QUrl(f"{BASE_URL}index.html")
        self._url.setQuery(f"lang={self._config.language}")
        self._page.load(self._url)

    # ------------------------------------------------------------------ properties
    @property
    def config(self) -> MapConfig:
        """The configuration this view was built with."""
        return self._config

    @property
    def is_ready(self) -> bool:
        """Whether :attr:`page_ready` has been emitted."""
        return self._ready

    @property
    def web_view(self) -> QWebEngineView:
        """The QWebEngineView inside (for tests and focus handling)."""
        return self._web

    @property
    def page(self) -> QWebEnginePage:
        """The web page (for tests: ``runJavaScript``)."""
        return self._page

    @property
    def state(self) -> PageState:
        """What the page should be showing (restored into a reloaded page)."""
        return self._state

    @property
    def is_recovering(self) -> bool:
        """Whether the renderer died and the page is not back yet."""
        return self._recovering

    @property
    def blocked_requests(self) -> list[str]:
        """URLs the request interceptor blocked (newest last, at most 200 kept)."""
        return list(self._guard.blocked_urls)

    @property
    def tick_hz(self) -> float:
        """Live-update batches per second."""
        return 1000.0 / self._tick.interval()

    @tick_hz.setter
    def tick_hz(self, hz: float) -> None:
        if not (math.isfinite(hz) and hz > 0):
            raise ValueError("tick_hz must be greater than 0")
        self._tick.setInterval(max(1, round(1000.0 / hz)))

    # ------------------------------------------------------------------ static data
    def set_districts(self, geojson: str, jurisdiction: str | None = None) -> None:
        """Draw the district outlines with names; the jurisdiction's district is highlighted
        and the view fitted to it (None: the city, fitted to all).

        Args:
            geojson: a FeatureCollection (text) with ``properties.adcode`` and ``name``.
            jurisdiction: a district adcode such as ``"110105"``, or None/``"city"``.

        Raises:
            ValueError: when the text is not a GeoJSON FeatureCollection.
        """
        try:
            parsed = json.loads(geojson)
        except json.JSONDecodeError as exc:
            raise ValueError(f"district outlines are not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict) or parsed.get("type") != "FeatureCollection":
            raise ValueError("district outlines must be a GeoJSON FeatureCollection")
        own = None if jurisdiction in (None, "", "city") else str(jurisdiction)
        text = '{"op":"districts","jurisdiction":' + json.dumps(own) + ',"geojson":' + geojson + "}"
        self._state.districts = text
        self._send_raw(text)

    def set_entities(self, kind: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Replace every entity of ``kind`` (e.g. all venues at start-up).

        Args:
            kind: one of :class:`~widgets.map.batch.EntityKind`.
            records: mappings with an ``id`` and the fields listed in the class docstring.

        Pending live updates of that kind are dropped (they are older than the records).

        Raises:
            ValueError: unknown kind, a record without ``id``, or a value JSON cannot carry
                (NaN, infinity).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown entity kind {kind!r}")
        items = []
        for r in records:
            if "id" not in r:
                raise ValueError(f"a {kind} record without an id: {dict(r)!r:.200}")
            fields = {k: v for k, v in r.items() if k != "id"}
            items.append([str(r["id"]), fields])
        self._queue.discard_kind(kind)
        self._state.replace(kind, items)
        self._send({"op": "replace", "kind": kind, "items": items})

    # ------------------------------------------------------------------ live updates
    def queue_update(self, kind: str, entity_id: str, fields: Mapping[str, Any]) -> None:
        """Queue a change of some fields of an entity (created if new); sent with the next
        tick, coalesced with other changes of the same entity."""
        self._queue.update(kind, entity_id, fields)

    def queue_positions(
        self, kind: str, rows: Iterable[tuple[str, float, float, float, float, float]]
    ) -> None:
        """Bulk form of :meth:`queue_update` for fixes: rows of
        ``(id, lat, lon, heading, speed, last_fix)``; NaN leaves heading/speed/last_fix as
        they were."""
        self._queue.update_positions(kind, rows)

    def queue_remove(self, kind: str, entity_id: str) -> None:
        """Queue the removal of an entity (sent with the next tick)."""
        self._queue.remove(kind, entity_id)

    @property
    def pending_updates(self) -> int:
        """Entity changes waiting for the next tick."""
        return self._queue.pending()

    @Slot()
    def flush(self) -> None:
        """Send the pending changes now as one batch (the tick timer calls this)."""
        if not self._ready:
            return
        message = self._queue.take()
        if message is not None:
            self._bridge.push.emit(message)

    # ------------------------------------------------------------------ view control
    def select(self, kind: str, entity_id: str) -> None:
        """Highlight an entity (does not emit :attr:`entity_selected`); empty kind clears."""
        self._state.set_selection(kind, entity_id)
        self._send({"op": "select", "kind": kind, "id": entity_id})

    def clear_selection(self) -> None:
        """Remove the highlight."""
        self.select("", "")

    def focus(self, kind: str, entity_id: str, zoom: int = 16) -> None:
        """Centre the map on an entity, zooming in to at least ``zoom``."""
        self._send({"op": "focus", "kind": kind, "id": entity_id, "zoom": zoom}, kept=False)

    def center_on(self, lat: float, lon: float, zoom: int | None = None) -> None:
        """Centre the map on a WGS-84 point."""
        self._send({"op": "view", "lat": lat, "lon": lon, "zoom": zoom}, kept=False)

    def fit_jurisdiction(self) -> None:
        """Fit the view to the jurisdiction's district (or the whole city)."""
        self._send({"op": "view", "fit": True}, kept=False)

    def follow(self, kind: str, entity_id: str,
               trail: Sequence[tuple[float, float]] | None = None) -> None:
        """Keep an entity in view as it moves and draw its trail from now on.

        Args:
            kind: usually ``unit``, ``vehicle`` or ``officer``.
            entity_id: its id.
            trail: optional recent (lat, lon) positions to start the trail with.
        """
        self._state.set_follow(kind, entity_id, trail or ())
        self._send({"op": "follow", "kind": kind, "id": entity_id,
                    "trail": [list(p) for p in trail or ()]})

    def stop_follow(self) -> None:
        """Leave follow mode."""
        self._state.set_follow("", "")
        self._send({"op": "unfollow"})

    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide a layer: one of :data:`LAYERS`."""
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r} (expected one of {LAYERS})")
        self._state.layers[layer] = bool(visible)
        self._send({"op": "layer", "name": layer, "visible": bool(visible)})

    # ------------------------------------------------------------------ geofences
    def start_drawing(self, shape: str) -> None:
        """Let the operator draw a ``polygon`` or ``circle``; the result comes as
        :attr:`shape_drawn`."""
        if shape not in ("polygon", "circle"):
            raise ValueError("shape must be 'polygon' or 'circle'")
        self._send({"op": "draw", "shape": shape}, kept=False)

    def cancel_drawing(self) -> None:
        """Abandon a drawing in progress."""
        self._send({"op": "draw", "shape": None}, kept=False)

    def set_fences(self, geojson: str | Mapping[str, Any]) -> None:
        """Show these geofences (a FeatureCollection as made by
        :func:`app.geo.geofence.fences_to_geojson`); replaces the shown set and any draft."""
        fc = json.loads(geojson) if isinstance(geojson, str) else geojson
        self._state.fences = fc
        self._send({"op": "fences", "geojson": fc})

    # ------------------------------------------------------------------ replay
    def start_replay(
        self,
        tracks: Mapping[str, Sequence[Sequence[float]]],
        t0: float,
        t1: float,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        """Replay recorded tracks together, paused at ``t0``; the replay bar appears.

        Args:
            tracks: ``{unit_id: [(t_epoch_s, lat, lon), …]}``, WGS-84, any order.
            t0: start of the range (epoch seconds).
            t1: end of the range.
            labels: optional display names by unit id (default: the unit's call sign).

        Raises:
            ValueError: when t1 is not after t0.
        """
        self.replay.load(tracks, t0, t1)
        flat = {uid: [v for p in track for v in p] for uid, track in self.replay.tracks.items()}
        self._replay_t = None
        message = {"op": "replay_load", "tracks": flat, "labels": dict(labels or {}),
                   "t0": self.replay.t0, "t1": self.replay.t1}
        self._state.replay = message
        self._send(message)
        self.replay_bar.show()

    def stop_replay(self) -> None:
        """End the replay and hide its bar."""
        self.replay.clear()
        self.replay_bar.hide()
        self._state.replay = None
        self._send({"op": "replay_stop"})

    @Slot(float)
    def _replay_time(self, t: float) -> None:
        # Coalesce slider drags: at most one time message per event-loop turn.
        first = self._replay_t is None
        self._replay_t = t
        if first:
            QTimer.singleShot(0, self, self._send_replay_time)

    def _send_replay_time(self) -> None:
        if self._replay_t is not None:
            self._send({"op": "replay_time", "t": self._replay_t})
            self._replay_t = None

    # ------------------------------------------------------------------ JS helpers
    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        """Run JavaScript in the page (tests, benchmarks). Results that are objects must be
        ``JSON.stringify``-ed by the script: QtWebEngine hands them over as ``''``."""
        if callback is None:
            self._page.runJavaScript(script)
        else:
            self._page.runJavaScript(script, 0, callback)

    # ------------------------------------------------------------------ internals
    def _send(self, message: Mapping[str, Any], kept: bool = True) -> None:
        self._send_raw(json.dumps(message, ensure_ascii=False, separators=(",", ":"),
                                  allow_nan=False), kept)

    def _send_raw(self, text: str, kept: bool = True) -> None:
        """Send now, or queue until the page is ready. While the page is being reloaded after
        its renderer died, messages whose effect :class:`PageState` keeps (``kept``) are not
        queued: the restored state already holds them."""
        if self._ready:
            self._bridge.push.emit(text)
        elif not (self._recovering and kept):
            self._outbox.append(text)

    @Slot(bool)
    def _on_load_finished(self, ok: bool) -> None:
        if ok:
            return
        if self._recovering:
            if not self._reload_timer.isActive():
                self._reload_failed("the reloaded map page failed to load")
            return
        log.error("the map page failed to load")
        self.load_failed.emit("the map page failed to load")

    @Slot(QWebEnginePage.RenderProcessTerminationStatus, int)
    def _on_renderer_gone(self, status: QWebEnginePage.RenderProcessTerminationStatus,
                          code: int) -> None:
        status_name = getattr(status, "name", str(status))
        self._reload_failed(f"the map page's renderer stopped ({status_name}, exit code {code})")

    def _reload_failed(self, reason: str) -> None:
        """The page is gone (renderer died, or a reload failed): reload it after a delay that
        grows while it keeps failing."""
        now = time.monotonic()
        if self._up_since is not None and now - self._up_since >= STABLE_AFTER_S:
            self._deaths = 0
        self._deaths += 1
        self._up_since = None
        delay = RELOAD_DELAYS_S[min(self._deaths, len(RELOAD_DELAYS_S)) - 1]
        if not self._recovering:
            self._lost_at = now
            if self._outbox:  # the state kept holds them; transient ones are moot now
                log.info("dropping %d map messages the lost page never got", len(self._outbox))
            self._outbox.clear()
        self._ready = False
        self._recovering = True
        self._tick.stop()
        self._watchdog.stop()
        log.error("%s; reloading the map in %.1f s (failure %d in a row)", reason, delay,
                  self._deaths)
        self._reload_timer.start(round(delay * 1000))
        self.renderer_lost.emit(reason)
        if self._deaths == 1:
            notice = self.tr("The map's renderer process exited; reloading the map…")
        else:
            notice = self.tr("The map's renderer process keeps exiting; reloading the map in "
                             "%1 s…").replace("%1", f"{delay:g}")
        self.status_notice.emit(notice)

    @Slot()
    def _reload(self) -> None:
        log.info("reloading the map page")
        self.reloads += 1
        self._watchdog.start()
        self._page.load(self._url)

    @Slot()
    def _reload_stalled(self) -> None:
        if self._recovering:
            self._reload_failed(
                f"the reloaded map page was not ready after {RELOAD_WATCHDOG_S:g} s")

    @Slot(object)
    def _on_tiles_opened(self, info: TileInfo) -> None:
        log.info("tile file %s: %s, zoom %d–%d", self._config.tile_file, info.format,
                 info.min_zoom, info.max_zoom)
        self._send({"op": "tileinfo", "minZoom": info.min_zoom, "maxZoom": info.max_zoom,
                    "bounds": list(info.bounds) if info.bounds else None})

    @Slot(str)
    def _on_tiles_failed(self, reason: str) -> None:
        log.error("tile file unusable, showing the plain background: %s", reason)
        self._send({"op": "tiles_failed"})
        self.load_failed.emit(reason)

    def _to_wgs84(self, lat: float, lon: float, crs: str) -> tuple[float, float]:
        if crs == "display" and self._config.tile_crs == "gcj02":
            return gcj02_to_wgs84(lat, lon)
        return lat, lon

    def _geometry_to_wgs84(self, geometry: dict[str, Any]) -> dict[str, Any]:
        def conv(c: Any) -> Any:
            if c and isinstance(c[0], int | float):
                lat, lon = self._to_wgs84(float(c[1]), float(c[0]), "display")
                return [lon, lat]
            return [conv(x) for x in c]

        return {**geometry, "coordinates": conv(geometry["coordinates"])}

    @Slot(str)
    def _on_message(self, text: str) -> None:
        try:
            self._dispatch(json.loads(text))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            log.error("unreadable message from the map page (%s): %.200s", exc, text)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg["type"]
        if kind == "ready":
            self._on_ready()
        elif kind == "select":
            self._state.set_selection(str(msg["kind"]), str(msg["id"]))
            self.entity_selected.emit(str(msg["kind"]), str(msg["id"]))
        elif kind == "context":
            action = str(msg["action"])
            if action not in CONTEXT_ACTIONS:
                log.error("unknown map context action %r", action)
                return
            lat, lon = self._to_wgs84(float(msg["lat"]), float(msg["lon"]), msg.get("crs", ""))
            self.context_action.emit(action, str(msg["kind"]), str(msg["id"]), lat, lon)
        elif kind == "shape":
            feature = msg["geojson"]
            feature["geometry"] = self._geometry_to_wgs84(feature["geometry"])
            self.shape_drawn.emit(json.dumps(feature, ensure_ascii=False))
        elif kind == "follow":
            self._state.set_follow(str(msg["kind"]), str(msg["id"]))
            self.follow_changed.emit(str(msg["kind"]), str(msg["id"]))
        elif kind == "layer":  # the operator switched a layer in the page's layer control
            name = str(msg["name"])
            if name not in LAYERS:
                raise ValueError(f"unknown layer {name!r}")
            if self._ready:  # not the page's own start-up
                self._state.layers[name] = bool(msg["visible"])
        elif kind == "view":  # the map was moved (by the operator, follow mode or Python)
            lat, lon = self._to_wgs84(float(msg["lat"]), float(msg["lon"]), msg.get("crs", ""))
            zoom = float(msg["zoom"])
            if not all(math.isfinite(v) for v in (lat, lon, zoom)):
                raise ValueError("a view that is not finite")
            if self._ready:  # not the page's start-up position
                self._state.view = (lat, lon, zoom)
        elif kind == "error":
            message = str(msg.get("message", ""))
            if len(self.script_errors) < _MAX_ERRORS_KEPT:
                self.script_errors.append(message)
            js_log.error("map page error: %s", message)
            if not self._ready:
                self.load_failed.emit(f"the map page failed to start: {message}")
        else:
            raise ValueError(f"unknown message type {kind!r}")

    def _send_clock(self) -> None:
        """Tell the page the console's time (staleness, "seconds ago" are measured by it)."""
        if self._ready:
            self._bridge.push.emit(json.dumps({"op": "clock", "now": utcnow().timestamp()}))

    def _on_ready(self) -> None:
        self._watchdog.stop()
        self._up_since = time.monotonic()
        if not self._ever_ready and not self._recovering:
            self._ready = True
            self._ever_ready = True
            self._send_clock()
            self._clock_timer.start()
            for text in self._outbox:
                self._bridge.push.emit(text)
            self._outbox.clear()
            self.flush()
            self._tick.start()
            log.info("map page ready")
            self.page_ready.emit()
            return
        # A new page after the renderer died (or the page reloaded itself): it has lost
        # everything; give it the state back, then what was queued meanwhile.
        was_recovering = self._recovering
        self._ready = True
        self._recovering = False
        self._send_clock()
        self._clock_timer.start()
        messages = self._state.restore_messages(
            self.replay.time if self._state.replay is not None else None)
        for text in messages:
            self._bridge.push.emit(text)
        for text in self._outbox:
            self._bridge.push.emit(text)
        self._outbox.clear()
        self.flush()
        self._tick.start()
        counts = self._state.counts()
        if was_recovering:
            log.warning("map page reloaded %.1f s after its renderer died; restored %s",
                        self._up_since - self._lost_at,
                        ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if n) or
                        "an empty map")
        else:
            log.warning("the map page was reloaded; its state was restored")
        self.status_notice.emit("")
        if not self._ever_ready:
            self._ever_ready = True
            self.page_ready.emit()
        self.restored.emit()


__all__ = ["CONTEXT_ACTIONS", "LAYERS", "EntityKind", "MapBridge", "MapConfig", "MapView",
           "RequestGuard"]
