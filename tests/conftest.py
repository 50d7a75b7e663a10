"""Test-wide set-up: headless Qt, an isolated home directory, strict logging and thread checks.

Runs before pytest-qt creates the QApplication, so the map's URL scheme is registered and
QtWebEngine is loaded in time.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest

# ---- environment, before anything imports Qt --------------------------------------------
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")
# Never read or write the user's real settings, database or logs.
_HOME = tempfile.mkdtemp(prefix="cedc-test-home-")
os.environ["CEDC_HOME"] = _HOME
for _var in [v for v in os.environ if v.startswith("CEDC_") and "__" in v]:
    del os.environ[_var]

from hypothesis import HealthCheck, settings  # noqa: E402
from PySide6 import QtWebEngineWidgets  # noqa: E402,F401  (before the QApplication)
from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

from widgets.map.scheme import register_scheme  # noqa: E402

register_scheme()

# Two shared cores: timing-based health checks and deadlines only produce noise here. The
# number of examples stays each test's own choice.
settings.register_profile(
    "console", deadline=None, suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("console")
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

_OUR_LOGGERS = ("app", "widgets", "models", "radio_bridge")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "expect_log_errors: the test provokes ERROR log records on purpose"
    )


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in _OUR_LOGGERS:
            self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that makes our code log an ERROR fails, unless it says it expects that."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if collector.records and request.node.get_closest_marker("expect_log_errors") is None:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected ERROR log records:\n{lines}")


_BASELINE_THREADS: set[int] = set()


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """Threads a test starts must be stopped by its end (workers have stop events)."""
    before = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 5.0
    while True:
        leaked = [
            t for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and not t.name.startswith("asyncio_")
        ]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if leaked:
        pytest.fail("threads left running: " + ", ".join(t.name for t in leaked))


# ---- databases -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database with the demo world, built once per test run."""
    from app.demo.world import seed_world
    from models.db import make_engine, make_session_factory, prepare_database

    path = tmp_path_factory.mktemp("template") / "world.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine, auto_upgrade=True)
    with make_session_factory(engine)() as session:
        seed_world(session)
        session.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture
def seeded_db_url(_seeded_template: str, tmp_path: os.PathLike[str]) -> str:
    """A private copy of the seeded demo database for one test."""
    import shutil
    from pathlib import Path

    dest = Path(tmp_path) / "world.sqlite3"
    shutil.copy(_seeded_template, dest)
    return f"sqlite:///{dest}"


@pytest.fixture
def empty_db_url(tmp_path: os.PathLike[str]) -> str:
    """A migrated, empty SQLite database."""
    from pathlib import Path

    from models.db import make_engine, prepare_database

    url = f"sqlite:///{Path(tmp_path) / 'empty.sqlite3'}"
    engine = make_engine(url)
    prepare_database(engine, auto_upgrade=True)
    engine.dispose()
    return url
