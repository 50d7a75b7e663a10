"""The double-random draw method: deterministic, weighted, exact, verifiable."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dispatch import draw
from app.dispatch.draw import (
    METHOD,
    DrawError,
    DrawParams,
    DrawRecord,
    InspectorCandidate,
    VenueCandidate,
)
from models.dispatch import DrawState

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
WEIGHT = {"A": 1, "B": 2, "C": 5, "D": 10}


def venues(n: int) -> list[VenueCandidate]:
    grades = "ABCD"
    return [VenueCandidate(i, f"场所{i}", f"京网〔2024〕{i:04d}号", grades[i % 4],
                           WEIGHT[grades[i % 4]], "110105") for i in range(1, n + 1)]


def inspectors(n: int, per_unit: int = 3) -> list[InspectorCandidate]:
    return [InspectorCandidate(100 + i, f"1105{i:04d}", f"执法{i}", i // per_unit, "110105")
            for i in range(n)]


def record_for(seed: str, params: DrawParams, pool: list[VenueCandidate],
               people: list[InspectorCandidate]) -> DrawRecord:
    """A record built exactly as perform_draw builds it, without a database."""
    pool_json = {"venues": [v.to_json() for v in pool], "excluded": []}
    people_json = [p.to_json() for p in people]
    rec_hash = draw.record_hash(METHOD, seed, params.to_json(), pool_json, people_json)
    result = draw.run_draw(seed, params, pool, people)
    return DrawRecord("SJ20261127-01", T0, "tester", "c1", seed, METHOD,
                      draw.canonical_json(params.to_json()), draw.canonical_json(pool_json),
                      draw.canonical_json(people_json), draw.canonical_json(result.to_json()),
                      rec_hash, draw.result_hash(rec_hash, result))


def test_the_method_is_pinned_by_a_known_answer() -> None:
    # Computed by an independent implementation of the documented method (Decimal logarithms
    # at 120 digits instead of exact integer powers). If this changes, stored draws no longer
    # verify: a changed method needs a new METHOD name.
    result = draw.run_draw("demo-2026", DrawParams(venue_count=5), venues(40), inspectors(18))
    assert result.venues == (23, 21, 3, 17, 19)
    assert result.teams == ((117, 104), (114, 104), (107, 112), (114, 116), (117, 106))


def test_same_seed_same_draw_whatever_the_candidate_order() -> None:
    pool, people = venues(60), inspectors(30)
    params = DrawParams(venue_count=8)
    first = draw.run_draw("seed-1", params, pool, people)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(pool)
        rng.shuffle(people)
        assert draw.run_draw("seed-1", params, pool, people) == first
    assert draw.run_draw("seed-2", params, pool, people) != first


def test_venues_are_drawn_in_proportion_to_their_weight() -> None:
    pool = [VenueCandidate(i, str(i), str(i), g, WEIGHT[g], "x")
            for i, g in enumerate("ABCD", start=1)]
    counts = Counter(draw.draw_venues(f"s{k}", pool, 1)[0] for k in range(3000))
    total = sum(WEIGHT.values())
    for vid, grade in enumerate("ABCD", start=1):
        expected = 3000 * WEIGHT[grade] / total
        assert abs(counts[vid] - expected) < 4 * expected**0.5, (grade, counts)


@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 20)), min_size=2, max_size=30,
                unique_by=lambda t: t[0]), st.text(min_size=1, max_size=8))
def test_exact_keys_order_like_the_real_numbers(cands: list[tuple[int, int]], seed: str) -> None:
    pool = [VenueCandidate(i, "", "", "A", w, "") for i, w in cands]
    order = draw.draw_venues(seed, pool, len(pool))
    assert sorted(order) == sorted(i for i, _ in cands)  # without replacement, all of them
    weights = dict(cands)
    floats = {i: ((draw._h(f"{seed}|venue|{i}") + 1) / (2**256 + 1)) ** (1 / weights[i])
              for i in weights}
    for a, b in itertools.pairwise(order):
        # floats may tie where the exact comparison does not; they never disagree otherwise
        assert floats[a] >= floats[b] or floats[a] == pytest.approx(floats[b], rel=1e-12)


def test_the_logarithm_shortcut_never_changes_the_exact_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pool = [VenueCandidate(i, "", "", "A", 1 + (i * 37) % 100, "") for i in range(1, 120)]
    fast = draw.draw_venues("gap", pool, len(pool))
    monkeypatch.setattr(draw, "_LOG_GAP", draw.decimal.Decimal(10**9))  # integers only
    assert draw.draw_venues("gap", pool, len(pool)) == fast


def test_teams_respect_units_conflicts_and_load() -> None:
    people = inspectors(12, per_unit=2)
    avoid = replace(people[0], avoid_venues=(1, 2, 3, 4, 5, 6))
    people[0] = avoid
    teams = draw.draw_teams("t", [1, 2, 3, 4, 5, 6], people, per_team=2, max_tasks=2)
    unit_of = {p.id: p.unit_id for p in people}
    for team in teams:
        assert len(team) == 2 and len({unit_of[i] for i in team}) == 2
        assert people[0].id not in team
    load = Counter(i for t in teams for i in t)
    assert max(load.values()) <= 2
    with pytest.raises(DrawError) as err:
        draw.draw_teams("t", [1, 2, 3], inspectors(4, per_unit=4), per_team=2, max_tasks=5)
    assert err.value.code.value == "not_enough_inspectors"


def test_not_enough_venues_is_a_draw_error() -> None:
    pool = [*venues(3), VenueCandidate(99, "", "", "A", 0, "")]
    with pytest.raises(DrawError) as err:
        draw.draw_venues("x", pool, 4)
    assert err.value.params == {"available": "3", "wanted": "4"}


def test_a_record_verifies_and_any_tampering_is_found() -> None:
    params = DrawParams(venue_count=6)
    rec = record_for("audit-me", params, venues(30), inspectors(15))
    assert draw.check_draw(rec) == [] and draw.verify_draw(rec)
    assert draw.verify_draw(DrawRecord.from_json(rec.to_json()))

    pool = json.loads(rec.venue_candidates_json)
    pool["venues"][3]["weight"] = 100
    assert "differ from what was hashed" in " ".join(
        draw.check_draw(replace(rec, venue_candidates_json=draw.canonical_json(pool))))
    result = json.loads(rec.result_json)
    result["venues"][0], result["venues"][1] = result["venues"][1], result["venues"][0]
    problems = draw.check_draw(replace(rec, result_json=draw.canonical_json(result)))
    assert any("different result" in p for p in problems)
    assert any("result hash" in p for p in problems)
    assert not draw.verify_draw(replace(rec, seed="audit-me2"))
    assert not draw.verify_draw(replace(rec, result_sha256="0" * 64))
    assert draw.check_draw(replace(rec, method="other/v9")) == [
        f"unknown method 'other/v9' (this program knows {METHOD})"]
    assert draw.check_draw(replace(rec, params_json="{")) != []


@given(st.text(max_size=80))
def test_seed_check_accepts_only_safe_seeds(text: str) -> None:
    try:
        assert draw.check_seed(text) == text
    except ValueError:
        return
    assert 1 <= len(text) <= 64 and "|" not in text and text.isascii()


@given(st.one_of(st.text(max_size=200), st.builds(json.dumps, st.dictionaries(
    st.sampled_from(["number", "created_at", "seed", "method", "params", "result"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=6))))
def test_reading_a_record_file_fails_cleanly(text: str) -> None:
    try:
        rec = DrawRecord.from_json(text)
    except ValueError as exc:
        assert "not a draw record" in str(exc)
    else:  # pragma: no cover - hypothesis does not build complete records
        assert not draw.verify_draw(rec)


def test_params_validate_and_round_trip() -> None:
    params = DrawParams(scope="110105", venue_count=3, venue_types=("karaoke_dance",))
    params.validate()
    assert DrawParams.from_json(json.loads(draw.canonical_json(params.to_json()))) == params
    for bad in (DrawParams(scope="nowhere"), DrawParams(venue_count=0),
                DrawParams(grade_weights={"A": 1}), DrawParams(inspectors_per_team=9),
                DrawParams(grade_weights={"A": -1, "B": 1, "C": 1, "D": 1}),
                DrawParams(recent_days=-1), DrawParams(max_tasks_per_inspector=0)):
        with pytest.raises(ValueError, match=r"."):
            bad.validate()
    assert len(draw.new_seed()) == 32 and draw.new_seed() != draw.new_seed()


def committed(rec: DrawRecord) -> DrawRecord:
    """The record as a draw with its seed hash committed beforehand stores it."""
    return replace(rec, seed_sha256=draw.seed_hash(rec.seed), seed_committed=True,
                   drawn_at=T0)


def test_a_typed_seed_verifies_only_the_committed_seed_and_the_stored_result() -> None:
    rec = committed(record_for("4f1c0ffee", DrawParams(venue_count=6), venues(30),
                               inspectors(15)))
    assert draw.check_draw_seed(rec, "4f1c0ffee") == []
    wrong = draw.check_draw_seed(rec, "4f1c0ffef")
    assert "the seed's SHA-256 is not the one committed before the draw" in wrong
    assert any("different result" in p for p in wrong)
    # a stored result altered afterwards does not verify with the right seed
    result = json.loads(rec.result_json)
    result["teams"][0] = list(reversed(result["teams"][0]))
    altered = replace(rec, result_json=draw.canonical_json(result))
    assert any("different result" in p for p in draw.check_draw_seed(altered, "4f1c0ffee"))
    # nor does a revealed seed swapped after the fact (its hash was committed before)
    swapped = committed(record_for("other-seed", DrawParams(venue_count=6), venues(30),
                                   inspectors(15)))
    swapped = replace(swapped, seed_sha256=rec.seed_sha256)
    assert "the revealed seed does not match the seed hash committed before the draw" in \
        draw.check_draw(swapped)
    # a pending draw is not run by a verification, whatever the seed
    pending = replace(rec, seed="", result_json="", state=DrawState.PENDING)
    assert draw.check_draw_seed(pending, "4f1c0ffee") == [
        "the draw has not been run yet: it cannot be reproduced before its seed is revealed"]


def test_a_committed_record_round_trips_through_its_json() -> None:
    rec = committed(record_for("round-trip", DrawParams(venue_count=3), venues(12),
                               inspectors(9)))
    again = DrawRecord.from_json(rec.to_json())
    assert again == replace(rec, id=0) and draw.verify_draw(again)
    pending = replace(rec, seed="", result_json="", record_sha256="", result_sha256="",
                      state=DrawState.PENDING, drawn_at=None)
    assert DrawRecord.from_json(pending.to_json()) == replace(pending, id=0)
    assert not draw.verify_draw(pending)
