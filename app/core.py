"""The application core: database, writer, readers and live queries, started in order.

:class:`ConsoleCore` holds every service the widgets use. It imports no widgets; the
composition root (``app.__main__``) builds it, registers its parts on a
:class:`~app.lifecycle.Lifecycle` and hands it to the main window.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.bridge import LinkState, Subsystem, UiBridge
from app.db_writer import DbWriter
from app.lifecycle import Lifecycle
from app.live_query import LiveQuery
from app.services.directory import load_incidents, load_units
from app.services.incidents import Actor
from app.settings import Settings
from models import Jurisdiction
from models.db import make_engine, make_session_factory, prepare_database

log = logging.getLogger("app.core")


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """Which database to use and whether this console may upgrade it."""

    url: str

    @property
    def is_sqlite(self) -> bool:
        """An embedded SQLite file (upgraded on start; polled less)."""
        return make_url(self.url).get_backend_name() == "sqlite"

    def display(self) -> str:
        """The URL without a password, for logs and the status bar."""
        return make_url(self.url).render_as_string(hide_password=True)


class ConsoleCore:
    """Services of one console. Construct on the UI thread, then :meth:`register` parts."""

    def __init__(self, settings: Settings, db: DatabaseTarget, bridge: UiBridge) -> None:
        self.settings = settings
        self.db = db
        self.bridge = bridge
        self.jurisdiction: Jurisdiction = settings.console.jurisdiction_value
        self.actor = Actor(settings.console.operator, settings.console.console_name)
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.writer: DbWriter | None = None
        self.readers: ThreadPoolExecutor | None = None
        self.units: LiveQuery | None = None
        self.incidents: LiveQuery | None = None

    # ------------------------------------------------------------------ parts
    def register(self, lifecycle: Lifecycle) -> None:
        """Add this core's parts to ``lifecycle`` in start order."""
        lifecycle.add("database", self._start_database, self._stop_database)
        lifecycle.add("database writer", self._start_writer, self._stop_writer)
        lifecycle.add("live queries", self._start_queries, self._stop_queries)

    def _start_database(self) -> None:
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.CONNECTING, self.db.display())
        self.engine = make_engine(self.db.url)
        state = prepare_database(self.engine, auto_upgrade=self.db.is_sqlite)
        self.sessions = make_session_factory(self.engine)
        log.info("database %s at schema %s", self.db.display(), state.current,
                 extra={"event": "database_ready", "schema": state.current})
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.UP, self.db.display())

    def _stop_database(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        self.bridge.set_link_state(Subsystem.DATABASE, LinkState.DOWN, "")

    def _start_writer(self) -> None:
        assert self.sessions is not None
        self.writer = DbWriter(self.sessions, on_commit=self.bridge.data_changed.emit)
        self.writer.start()
        self.readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-reader")

    def _stop_writer(self) -> None:
        if self.writer is not None:
            self.writer.stop()
        if self.readers is not None:
            self.readers.shutdown(wait=True, cancel_futures=True)

    def _start_queries(self) -> None:
        assert self.sessions is not None and self.readers is not None
        # Other consoles write a shared database too: poll it; SQLite is ours alone.
        poll = 10.0 if self.db.is_sqlite else 3.0
        self.units = LiveQuery(
            "units", partial(load_units, jurisdiction=self.jurisdiction), self.sessions,
            self.readers,
            tables={"unit", "officer", "radio_terminal", "body_camera", "vehicle", "assignment"},
            poll_s=poll,
        )
        self.incidents = LiveQuery(
            "incidents", partial(load_incidents, jurisdiction=self.jurisdiction), self.sessions,
            self.readers, tables={"incident", "assignment", "incident_event"}, poll_s=poll,
        )
        for query in (self.units, self.incidents):
            self.bridge.data_changed.connect(query.on_data_changed)
            query.refresh()

    def _stop_queries(self) -> None:
        for query in (self.units, self.incidents):
            if query is not None:
                query.stop()
                self.bridge.data_changed.disconnect(query.on_data_changed)
