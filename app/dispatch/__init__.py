"""Dispatch: intake, unit recommendation, assignment and the unit lifecycle, escalation,
double-random inspection draws and the audit log viewer's queries.

Every function that reads or writes takes a SQLAlchemy session and is meant to run off the UI
thread (writes through :class:`app.db_writer.DbWriter`, reads on the reader pool);
:class:`app.dispatch.service.DispatchService` does that wiring and delivers results to the UI
thread. A request the rules refuse (a unit that is busy, an incident of another district, an
invalid status change) returns a :class:`app.dispatch.refusals.Refusal` and writes nothing.
"""
