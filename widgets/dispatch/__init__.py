"""Dispatch dialogs: intake form, recommendation list, close and escalate dialogs, the
double-random draw dialog and the audit log viewer.

They take plain data and hand requests out as signals; :mod:`widgets.dispatch.binding` wires
them to :class:`app.dispatch.service.DispatchService`.
"""
