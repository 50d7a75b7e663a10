"""The composition root: ``python -m app``.

This is the one module that wires everything together and the only one in ``app`` that may
import ``widgets`` (an import-linter contract allows exactly this). Start-up runs in order —
settings, logging, database, writer, live queries, window — each step logged; shutdown runs
in reverse.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import __version__
from app.cli import build_parser, run_config_command
from app.core import DatabaseTarget
from app.logsetup import setup_logging
from app.paths import AppPaths
from app.settings import Settings, SettingsError, load_settings

log = logging.getLogger("app.main")

EXIT_USAGE = 2
EXIT_DATABASE = 3


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sim-vehicles"]:
        # the simulator parses its own options (argparse cannot pass "--server" through)
        from app.tracking.jt808.simulator import main as simulate_vehicles

        return simulate_vehicles(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "config":
        return run_config_command(args)
    if args.command == "analyze":
        from app.analysis.cli import run as run_analysis

        return run_analysis(args)
    if args.command == "models":
        from app.speech.models_cli import run as run_models

        return run_models(args)
    if args.command == "evidence":
        from app.evidence.cli import run as run_evidence

        return run_evidence(args)
    paths = AppPaths.default().ensure()
    try:
        settings = _settings(args, paths)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    log_file = args.log_file or Path(settings.logging.file or paths.log_dir / "console.log")
    setup_logging(
        level=args.log_level or settings.logging.level, file=log_file,
        json_lines=args.log_json or settings.logging.json,
        max_bytes=settings.logging.max_bytes, backups=settings.logging.backups,
    )
    log.info("console %s starting: %s", __version__, args.command,
             extra={"event": "starting", "version": __version__, "log_file": str(log_file)})
    try:
        if args.command == "db":
            return _db_command(args, settings, paths)
        sim_dir: Path | None = None
        if args.command == "demo":
            sim_dir = Path(tempfile.mkdtemp(prefix="cedc-sim-"))
            db = _prepare_demo_database(args)
            settings = _demo_settings(settings, sim_dir)
        else:
            db = _run_database(args, settings, paths)
    except _UsageError as exc:
        log.error("%s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run_gui(args, settings, paths, db, sim_dir)


class _UsageError(Exception):
    """A command-line problem reported without a traceback."""


def _demo_settings(settings: Settings, sim_dir: Path) -> Settings:
    """The demo's own JT/T 808 server on a free loopback port, the simulated radio's pty, and
    a recordings folder of its own (earlier demo sessions' recordings are deleted on start)."""
    settings = settings.replace("tracking", jt808_enabled=True, jt808_host="127.0.0.1",
                                jt808_port=0)
    settings = settings.replace(
        "speech", recording_dir=str(AppPaths.default().data_dir / "demo" / "recordings"))
    return settings.replace("radio", port=str(sim_dir / "tetra"), baud=115200)


def _count_rows(db: DatabaseTarget, model: Any) -> int:
    """Rows of one table of the (freshly seeded) demo database."""
    from sqlalchemy import func, select

    from models.db import make_engine

    engine = make_engine(db.url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)
    finally:
        engine.dispose()


def _demo_radio_simulator(lifecycle: Any, sim_dir: Path, db: DatabaseTarget) -> Any:
    """The simulated gateway radio on a pseudo-terminal, started before the radio part.

    Its fleet is the demo world's radios (ISSIs from 2269001 on), so every radio it simulates
    belongs to an officer. Crews report 在途/到场 as their vehicles drive (app/demo/crews.py),
    so its random traffic sends messages only, never unit states.
    """
    from app.demo.simulators import SimulatorProcess
    from models import RadioTerminal

    fleet = _count_rows(db, RadioTerminal)

    radio = SimulatorProcess(
        "radio simulator",
        lambda: ["-m", "radio_bridge.simulator", "--pty", "--link", str(sim_dir / "tetra"),
                 "--fleet", str(fleet), "--seed", "1", "--activity", "2",
                 "--activity-statuses", "0x8010,0x8011"],
        sim_dir / "sim-radio.log", commands=True,
    )
    lifecycle.add("radio simulator (TETRA PEI on a pty)", radio.start, radio.stop)
    return radio


def _demo_media(lifecycle: Any, db: DatabaseTarget, log_dir: Path) -> list[int]:
    """Generated camera and venue streams on loopback, attached before the console starts.

    The streams come from a child process (``python -m app.media serve``) at low priority, as
    cameras would from the network: serving them costs the console's process nothing.
    Returns (filled when the part has started) the sources the demo's wall shows.
    """
    import json
    import time

    from sqlalchemy import select

    from app.demo.simulators import SimulatorProcess
    from app.media.demo import attach_demo_sources
    from models import MediaSource
    from models.db import make_engine, make_session_factory
    from models.enums import MediaOwnerKind

    urls_file = log_dir / "demo-media-urls.json"
    server = SimulatorProcess("demo media server",
                              lambda: ["-m", "app.media", "serve", "--urls-file", str(urls_file)],
                              log_dir / "demo-media.log")
    feeds: list[int] = []

    def start() -> None:
        urls_file.unlink(missing_ok=True)
        server.start()
        # clips are generated once per machine (about 20 s the first time), then cached
        deadline = time.monotonic() + 120.0
        while not urls_file.exists():
            if not server.running:
                raise RuntimeError(f"the demo media server exited; see {log_dir}/demo-media.log")
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("the demo media server did not start within 120 s")
            time.sleep(0.1)
        urls = json.loads(urls_file.read_text(encoding="utf-8"))
        engine = make_engine(db.url)
        try:
            with make_session_factory(engine)() as session:
                attach_demo_sources(session, urls=urls)
                session.commit()
                rows = session.execute(
                    select(MediaSource.id, MediaSource.owner_kind, MediaSource.url)
                    .where(MediaSource.enabled.is_(True)).order_by(MediaSource.id)).all()
        finally:
            engine.dispose()
        live = [r for r in rows if "offline" not in r.url]
        venues = [r.id for r in live if r.owner_kind is MediaOwnerKind.VENUE][:8]
        cameras = [r.id for r in live if r.owner_kind is MediaOwnerKind.BODY_CAMERA]
        feeds[:] = venues + cameras[: 16 - len(venues)]

    lifecycle.add("demo video streams (HTTP-FLV, MJPEG, HLS on loopback)", start, server.stop)
    return feeds


def _demo_performance(core: Any, venue_id: int) -> None:
    """An approved crosstalk show on now at the live venue, with its approved script."""
    import datetime as dt

    from app.speech.testing import ZH_LINES
    from models import Performance
    from models.base import utcnow

    now = utcnow()

    def add(session: Any) -> None:
        session.add(Performance(
            approval_no="京演审〔2026〕第0815号", venue_id=venue_id, title="周末相声专场",
            troupe="青禾曲艺社", performers="王小川、李大山", programme="《说相声》《我这个人》",
            script="\n".join(ZH_LINES), starts_at=now - dt.timedelta(minutes=10),
            ends_at=now + dt.timedelta(hours=2), source="demo"))

    core.writer.submit(add, label="demo performance").result(10)


def _demo_live_venue(core: Any) -> Callable[[], None]:
    """Transcribe one key venue live: a looping Mandarin recording with a planted passage.

    Returns the step that starts it (run once the map is up: see ``_after_map``).
    """
    from sqlalchemy import select

    from app.speech.demo import demo_venue_media
    from models import MediaSource, Venue
    from models.enums import MediaOwnerKind, VenueClass

    def start() -> None:
        if core.speech is None:
            log.info("no speech model: the demo transcribes no venue")
            return
        audio = demo_venue_media(AppPaths.default().cache_dir / "speech")
        if audio is None:
            return
        with core.sessions() as session:
            row = session.execute(
                select(Venue.id, Venue.name, MediaSource.id)
                .join(MediaSource, (MediaSource.owner_id == Venue.id)
                      & (MediaSource.owner_kind == MediaOwnerKind.VENUE))
                .where(Venue.venue_class == VenueClass.KEY).order_by(Venue.id).limit(1)
            ).first()
        if row is None:
            return
        venue_id, name, source_id = row
        _demo_performance(core, venue_id)
        core.speech.watch(venue_id, audio, name=name, realtime=True, loop=True,
                          media_source_id=source_id)

    return start


def _demo_simulators(core: Any, lifecycle: Any, log_dir: Path, db: DatabaseTarget,
                     radio: Any = None) -> None:
    """Start the demo's simulators after the console parts they talk to, and the crews that
    drive an assigned unit's vehicle to its incident (``radio`` reports their status)."""
    from app.demo.crews import DemoCrews
    from app.demo.simulators import SimulatorProcess
    from models import VehicleTerminal

    count = _count_rows(db, VehicleTerminal)

    def vehicle_args() -> list[str]:  # the server's port is known once it has started
        return ["-m", "app", "sim-vehicles", "--server", f"127.0.0.1:{core.tracking.port}",
                "--count", str(count), "--interval", "3", "--seed", "1", "--commands"]

    vehicles = SimulatorProcess("vehicle simulator", vehicle_args,
                                log_dir / "sim-vehicles.log", commands=True)
    lifecycle.add("vehicle simulator (JT/T 808 over TCP)", vehicles.start, vehicles.stop)
    crews = DemoCrews(core, vehicles, radio, core.clock)
    lifecycle.add("demo crews (drive to their incident)", crews.start, crews.stop)



def _settings(args: argparse.Namespace, paths: AppPaths) -> Settings:
    settings = load_settings(args.config or paths.settings_file)
    if getattr(args, "lang", None):
        settings = settings.replace("console", language=args.lang)
    if getattr(args, "jurisdiction", None):
        settings = settings.replace("console", jurisdiction=args.jurisdiction)
    return settings


# ---------------------------------------------------------------------- databases
def _database_url(text: str) -> str:
    """A URL, or a path to a SQLite file turned into one."""
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _run_database(args: argparse.Namespace, settings: Settings, paths: AppPaths) -> DatabaseTarget:
    given = getattr(args, "db", None) or settings.database.url
    if not given:
        return DatabaseTarget(f"sqlite:///{paths.database_file}")
    url = _database_url(given)
    target = DatabaseTarget(url)
    if target.is_sqlite:
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:" and not Path(database).exists():
            raise _UsageError(f"no SQLite database at {database} (use `demo` for a new one)")
    return target


def _prepare_demo_database(args: argparse.Namespace) -> DatabaseTarget:
    from app.demo.world import DEFAULT_SEED, seed_world
    from models.db import make_engine, make_session_factory, prepare_database

    if args.db_file is not None:
        path = args.db_file.expanduser().resolve()
        if path.exists():
            raise _UsageError(f"{path} exists; the demo needs a fresh database file")
    else:
        path = Path(tempfile.mkdtemp(prefix="cedc-demo-")) / "demo.sqlite3"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        prepare_database(engine, auto_upgrade=True)
        with make_session_factory(engine)() as session:
            seed_world(session, DEFAULT_SEED if args.seed is None else args.seed)
            session.commit()
    finally:
        engine.dispose()
    log.info("demo database %s", path, extra={"event": "demo_database", "path": str(path)})
    return DatabaseTarget(url)


def _db_command(args: argparse.Namespace, settings: Settings, paths: AppPaths) -> int:
    from models.db import SchemaError, make_engine, schema_state, upgrade

    given = args.db or settings.database.url
    target = DatabaseTarget(_database_url(given) if given else f"sqlite:///{paths.database_file}")
    if target.is_sqlite and args.db_command == "current":
        from sqlalchemy.engine import make_url

        database = make_url(target.url).database
        if database and database != ":memory:" and not Path(database).exists():
            print(f"no database file at {database}", file=sys.stderr)
            return 1
    engine = make_engine(target.url)
    try:
        state = schema_state(engine)
        if not state.known:
            raise SchemaError(f"schema revision {state.current} is newer than this program "
                              f"(head {state.head})")
        if args.db_command == "import-districts":
            return _import_districts(engine, args.file, settings)
        if args.db_command == "current":
            print(f"{target.display()}: revision {state.current or '(empty)'}, "
                  f"this program's head {state.head}"
                  + ("" if state.up_to_date else " — upgrade needed"))
            return 0
        upgrade(engine)
        print(f"{target.display()}: upgraded to {schema_state(engine).current}")
        return 0
    except SchemaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        engine.dispose()


def _import_districts(engine: Any, path: Path, settings: Settings) -> int:
    from app.services.districts import BoundaryFileError, import_boundaries
    from app.services.incidents import Actor
    from models.db import make_session_factory, prepare_database

    prepare_database(engine, auto_upgrade=False)
    actor = Actor(settings.console.operator, settings.console.console_name)
    try:
        with make_session_factory(engine)() as session:
            result = import_boundaries(session, path, actor)
            session.commit()
    except BoundaryFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"districts updated: {', '.join(result.updated) or '-'}; "
          f"added: {', '.join(result.added) or '-'}")
    return 0


# ---------------------------------------------------------------------- window
def _configure_qt_platform(args: argparse.Namespace) -> bool:
    """Set the Qt environment before the QApplication exists; True when headless."""
    headless = bool(args.offscreen)
    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if no_display and os.environ.get("QT_QPA_PLATFORM", "") not in ("offscreen", "minimal"):
        if os.environ.get("QT_QPA_PLATFORM"):
            log.warning("QT_QPA_PLATFORM=%s but there is no display; using offscreen",
                        os.environ["QT_QPA_PLATFORM"])
        headless = True
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        # no GPU behind an offscreen surface: software rendering, without probing for one
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    elif os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        headless = True
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run its sandbox as root.
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return headless


def _run_gui(args: argparse.Namespace, settings: Settings, paths: AppPaths,
             db: DatabaseTarget, sim_dir: Path | None) -> int:
    headless = _configure_qt_platform(args)
    screenshot: Path | None = args.screenshot
    every: float | None = args.screenshot_every
    if headless and args.auto_headless:
        screenshot = screenshot or Path(tempfile.gettempdir()) / "cedc-console.png"
        every = every or 5.0
        print(f"No display found: the console runs offscreen and writes a screenshot every "
              f"{every:g} s to {screenshot} (Ctrl+C stops it).", flush=True)

    from PySide6 import QtWebEngineWidgets  # noqa: F401  (must load before the QApplication)
    from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.bridge import UiBridge
    from app.core import ConsoleCore
    from app.i18n import TranslationError, install_translators
    from app.lifecycle import Lifecycle
    from app.qtlog import install_qt_message_handler
    from models.db import SchemaError
    from widgets.main_window import MainWindow
    from widgets.map.scheme import register_scheme

    install_qt_message_handler()
    register_scheme()
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    # The UI thread shares the interpreter lock with the workers; most Qt calls it makes hand
    # the lock over and wait to get it back, behind every worker that wants it. A shorter
    # switch interval (1 ms, Python's default is 5) bounds each wait: measured with the demo's
    # 16-feed wall, input latency p99 2.2 s → 1.2 s (bench/startup.py, bench/README.md).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("culture-dispatch-console")
    app.setApplicationVersion(__version__)
    try:
        translators = install_translators(app, settings.console.language)
    except TranslationError as exc:
        log.error("%s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    log.info("language %s, jurisdiction %s, platform %s", settings.console.language,
             settings.console.jurisdiction, app.platformName(),
             extra={"event": "gui", "headless": headless})

    bridge = UiBridge()
    core = ConsoleCore(settings, db, bridge, demo=sim_dir is not None)
    lifecycle = Lifecycle()
    radio_sim = _demo_radio_simulator(lifecycle, sim_dir, db) if sim_dir is not None else None
    wall_feeds = _demo_media(lifecycle, db, sim_dir) if sim_dir is not None else []
    core.register(lifecycle)
    # Heavy work (decoding the wall's feeds, live transcription) waits until the map is up:
    # on two cores, Chromium starting beside them made the map take a minute.
    after_map: list[tuple[str, Callable[[], None]]] = []
    if sim_dir is not None:
        _demo_simulators(core, lifecycle, sim_dir, db, radio_sim)
        after_map.append(("demo live transcription (one key venue)", _demo_live_venue(core)))
    try:
        lifecycle.start_all()
    except SchemaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:
        print(f"error: the console could not start: {exc}", file=sys.stderr)
        return 1

    # Headless runs (screenshots, servers) use the default layout at a fixed size and leave the
    # workstation's saved layout alone.
    # Closing the window ends the program, also with another window open (the audit log);
    # a dispatcher confirms first, unattended runs (screenshots, --quit-after) never ask.
    unattended = headless or screenshot is not None or args.quit_after is not None
    window = MainWindow(core, layout_file=None if headless else paths.config_dir / "layout.ini",
                        wall_file=None if headless else paths.config_dir / "video_wall.json",
                        radio_simulator=radio_sim, confirm_quit=not unattended)
    app.setQuitOnLastWindowClosed(True)
    window.closed.connect(app.quit)

    def quit_now(*_: object) -> None:  # a quit that was asked for elsewhere: no dialog
        window.confirm_quit = False
        app.quit()

    if wall_feeds:
        after_map.insert(0, ("demo video wall (16 feeds)",
                             lambda: window.show_on_wall(wall_feeds)))
    _after_map(window, after_map)
    probe = _diagnostics(args, window)
    if getattr(args, "geometry", None):
        window.fit(*args.geometry)
    window.show()

    def ready() -> None:
        log.info("ready", extra={"event": "ready", "window": window.windowTitle(),
                                 "parts": lifecycle.started})

    QTimer.singleShot(0, ready)

    def shoot() -> None:
        if screenshot is not None:
            _save_screenshot(window, screenshot)

    if screenshot is not None and every:
        shots = QTimer(window)
        shots.timeout.connect(shoot)
        shots.start(int(every * 1000))
    quit_after = args.quit_after
    if quit_after is None and screenshot is not None and not every:
        quit_after = 5.0
    if quit_after is not None:
        def finish() -> None:
            shoot()
            quit_now()

        QTimer.singleShot(int(quit_after * 1000), finish)

    # Let Ctrl+C and SIGTERM stop the console cleanly (Python runs handlers between events).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, quit_now)
    pulse = QTimer(window)
    pulse.timeout.connect(lambda: None)
    pulse.start(250)

    def shutdown() -> None:
        if probe is not None:
            probe.stop()
        window.save_layout()
        window.release()
        lifecycle.stop_all()

    app.aboutToQuit.connect(shutdown)
    rc = app.exec()
    lifecycle.stop_all()
    # QtWebEngine: every web page must be deleted before the application object
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del translators
    log.info("stopped", extra={"event": "stopped", "rc": rc})
    return rc


def _diagnostics(args: argparse.Namespace, window: Any) -> Any:
    """``--diagnostics FILE``: start the UI probe (None without the option)."""
    path = getattr(args, "diagnostics", None)
    if path is None:
        return None
    from PySide6.QtCore import QTimer

    from app.diagnostics import UiProbe
    from widgets.video_wall import VideoWall

    def painted() -> list[int]:
        wall = window.video_panel
        if not isinstance(wall, VideoWall):
            return []
        return [t.frames_painted for t in wall.tiles if t.source_id is not None]

    probe = UiProbe(path, painted, parent=window)
    probe.start()
    window.map_view.page_ready.connect(lambda: probe.mark("map_ready"))
    QTimer.singleShot(0, lambda: probe.mark("window"))  # the first pass after show()
    return probe


#: The interpreter's thread switch interval in the console's process (see ``_run_gui``).
SWITCH_INTERVAL_S = 0.001

#: Heavy parts start at the latest this long after the window, map or no map.
AFTER_MAP_FALLBACK_S = 15.0


def _after_map(window: Any, steps: list[tuple[str, Callable[[], None]]]) -> None:
    """Run ``steps`` once the map page is ready (or after a fallback delay), in order."""
    from PySide6.QtCore import QTimer

    done = False

    def run() -> None:
        nonlocal done
        if done:
            return
        done = True
        for name, step in steps:
            try:
                step()
            except Exception:
                log.exception("%s failed to start", name)
            else:
                log.info("started %s", name,
                         extra={"event": "background_started_part", "part": name})
        log.info("background work started", extra={"event": "background_started",
                                                   "parts": [n for n, _ in steps]})

    window.map_view.page_ready.connect(run)
    QTimer.singleShot(int(AFTER_MAP_FALLBACK_S * 1000), run)


def _save_screenshot(widget: Any, path: Path) -> None:
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    if widget.grab().save(str(tmp), "PNG"):
        tmp.replace(path)
        log.info("screenshot %s", path, extra={"event": "screenshot", "path": str(path)})
    else:
        log.error("could not write the screenshot %s", path)


if __name__ == "__main__":
    sys.exit(main())
