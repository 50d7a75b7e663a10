"""Command line of ``python -m app``: argument parsing and the commands that need no window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import __version__
from app.settings import SettingsError, defaults_toml, load_settings

PROG = "python -m app"


def window_size(text: str) -> tuple[int, int]:
    """``--geometry``: ``WIDTHxHEIGHT`` in pixels (``1366x768``)."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1366x768") from None
    if not (200 <= width <= 16384 and 200 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be 200–16384 px")
    return width, height


def _gui_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("window")
    g.add_argument("--screenshot", metavar="PATH", type=Path,
                   help="write a PNG of the main window (at --quit-after, or every "
                        "--screenshot-every seconds)")
    g.add_argument("--quit-after", metavar="SECONDS", type=float,
                   help="quit after this many seconds (with --screenshot: take it first)")
    g.add_argument("--screenshot-every", metavar="SECONDS", type=float,
                   help="rewrite the --screenshot file every so many seconds")
    g.add_argument("--geometry", metavar="WxH", type=window_size,
                   help="start the main window at this size, e.g. 1366x768 (default: "
                        "1600x1000, shrunk to fit the screen)")
    g.add_argument("--offscreen", action="store_true",
                   help="no window on a screen (Qt offscreen platform); automatic without a "
                        "display")
    g.add_argument("--auto-headless", action="store_true",
                   help="without a display, say so and write a screenshot every 5 s "
                        "(used by `make demo`)")


def _common_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("settings and logging")
    g.add_argument("--config", metavar="FILE", type=Path,
                   help="settings file (default: settings.toml in the user config directory)")
    g.add_argument("--lang", choices=("zh_CN", "en"),
                   help="user interface language (default: console.language, zh_CN)")
    g.add_argument("--jurisdiction", metavar="city|ADCODE",
                   help="override console.jurisdiction: city or a district adcode")
    g.add_argument("--log-file", metavar="PATH", type=Path, help="log file path")
    g.add_argument("--log-json", action="store_true", help="log file as JSON lines")
    g.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    g.add_argument("--diagnostics", metavar="FILE", type=Path,
                   help="write UI-thread latency, painted video frames and memory once a "
                        "second to FILE (JSON lines; bench/startup.py reads it)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="文化市场综合执法指挥调度台 — command-and-dispatch console for "
                    "cultural-market law enforcement.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser("demo", help="start with a fresh demo world (SQLite, simulators)",
                          description="Start the console on a fresh SQLite database seeded "
                                      "with the demo world of Beijing.")
    demo.add_argument("--seed", type=int, default=None, help="demo world seed")
    demo.add_argument("--db-file", type=Path,
                      help="where to create the demo database (default: a new temp directory)")
    _gui_options(demo)
    _common_options(demo)

    run = sub.add_parser("run", help="start on an existing database",
                         description="Start the console on an existing SQLite file or a "
                                     "PostgreSQL database.")
    run.add_argument("--db", metavar="URL",
                     help="SQLite file path, sqlite:///PATH or postgresql+psycopg://… "
                          "(default: database.url, else the user data directory)")
    _gui_options(run)
    _common_options(run)

    db = sub.add_parser("db", help="database schema maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, text in (("upgrade", "apply the schema migrations (the only way a PostgreSQL "
                                   "database is upgraded)"),
                       ("current", "show the database's schema revision"),
                       ("import-districts", "replace district outlines with an official "
                                            "GeoJSON boundary file (WGS-84)")):
        p = db_sub.add_parser(name, help=text, description=text)
        p.add_argument("--db", metavar="URL", help="database URL or SQLite file path")
        if name == "import-districts":
            p.add_argument("file", type=Path, help="GeoJSON FeatureCollection, properties "
                                                   "adcode and name")
        _common_options(p)

    sim = sub.add_parser("sim-vehicles", add_help=False,
                         help="simulated JT/T 808 vehicle terminals driving across Beijing "
                              "(--server HOST:PORT --count N; `sim-vehicles --help` for more)")
    sim.add_argument("args", nargs=argparse.REMAINDER)

    from app.analysis.cli import add_parser as add_analyze
    from app.evidence.cli import add_parser as add_evidence
    from app.speech.models_cli import add_parser as add_models

    add_analyze(sub)
    add_models(sub)
    add_evidence(sub)

    config = sub.add_parser("config", help="settings file helpers")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_sub.add_parser("defaults", help="print a settings file with every default, "
                                           "documented")
    check = config_sub.add_parser("check", help="validate a settings file (and CEDC_* "
                                                "environment overrides)")
    check.add_argument("file", type=Path, nargs="?")
    return parser


def run_config_command(args: argparse.Namespace) -> int:
    """``config defaults`` / ``config check``."""
    if args.config_command == "defaults":
        sys.stdout.write(defaults_toml())
        return 0
    from app.paths import AppPaths

    path = args.file or AppPaths.default().settings_file
    try:
        load_settings(path)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{path}: OK" if path.exists() else f"{path}: not present, defaults are valid")
    return 0
