"""The console's JT/T 808 side as a process of its own, for crash tests (not a test module).

    python tests/e2e/jt808_console_proc.py DB_FILE [--interval S]

Builds exactly what the console builds for vehicle positioning — the SQLite engine with the
console's pragmas, the single ``DbWriter``, ``PositionIngest`` and ``TrackingService`` (the
real ``Jt808Server`` with the database registry and ``IngestSink``) — on 127.0.0.1, prints
``{"port": N}`` on stdout once listening, and then runs until it is killed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading

from app.db_writer import DbWriter
from app.services.incidents import Actor
from app.services.positions import PositionIngest, load_directory
from app.tracking.service import TrackingService
from models.db import make_engine, make_session_factory, prepare_database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_file")
    parser.add_argument("--interval", type=float, default=0.5, help="the console's 0.5 s")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    engine = make_engine(f"sqlite:///{args.db_file}")
    prepare_database(engine, auto_upgrade=True)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    ingest = PositionIngest(writer, load_directory(factory), interval_s=args.interval)
    ingest.start()
    service = TrackingService(factory, writer, ingest, Actor("crash-test", "console-crash"),
                              host="127.0.0.1", port=0, accept_unknown=True,
                              offline_after_s=60)
    service.start()
    print(json.dumps({"port": service.port}), flush=True)
    threading.Event().wait()  # until SIGKILL
    return 0


if __name__ == "__main__":
    sys.exit(main())
