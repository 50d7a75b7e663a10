"""Pure-Python geometry for the one map: coordinate systems, geofences, track interpolation.

No Qt and no I/O here; every function is deterministic and cheap enough to run on any thread.
Coordinates are stored as WGS-84 everywhere in the console; GCJ-02 exists only for drawing on
GCJ-02 base maps (see :mod:`app.geo.coords`).
"""
