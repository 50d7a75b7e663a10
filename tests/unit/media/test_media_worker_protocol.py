"""The media worker's command channel: bad lines are answered and logged, never fatal."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.media.types import MediaKind, SourceSpec, SourceState, SourceStats
from app.media.worker import (
    Worker,
    spec_from_json,
    spec_to_json,
    stats_from_json,
    stats_to_json,
)
from models.enums import MediaOwnerKind

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@settings(max_examples=150)
@given(st.one_of(
    st.text(max_size=200),
    _json.map(json.dumps),
    st.fixed_dictionaries({"op": st.sampled_from(
        ["open", "close", "attach", "detach", "snapshot", "clip", "nope"])},
        optional={"id": _json, "spec": _json, "shm": _json, "req": _json, "base": _json,
                  "before": _json, "after": _json, "config": _json}).map(json.dumps),
))
def test_any_command_line_is_answered_without_stopping_the_worker(line: str) -> None:
    out = io.StringIO()
    worker = Worker(out, stats_every_s=3600)
    worker.run(io.StringIO(line.replace("\n", " ") + "\n"))  # ends at the end of input
    events = [json.loads(x) for x in out.getvalue().splitlines()]
    assert events[0] == {"ev": "ready"}
    assert all(e["ev"] in ("ready", "error", "failed", "stats") for e in events)


def test_specs_and_stats_cross_the_pipe_unchanged() -> None:
    spec = SourceSpec(7, "执法记录仪 DSJ-朝阳01-1", "http://127.0.0.1:1/a.flv", MediaKind.HTTP_FLV,
                      MediaOwnerKind.BODY_CAMERA, 11, True)
    assert spec_from_json(json.loads(json.dumps(spec_to_json(spec)))) == spec
    stats = SourceStats(SourceState.LIVE, fps=24.5, delay_ms=12.0, frames=100, detail="好")
    assert stats_from_json(json.loads(json.dumps(stats_to_json(stats)))) == stats
