"""What a district console (朝阳区) feeds its map: nothing of another district, names not ids."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bridge import UiBridge
from app.core import ConsoleCore, DatabaseTarget
from app.lifecycle import Lifecycle
from app.radio.service import CallActivity
from app.services.positions import Fix
from app.settings import Settings
from models import Incident, Officer, RadioTerminal, Unit, VehicleTerminal
from models.db import make_engine, make_session_factory
from models.enums import PositionSource
from widgets.map_feed import MapFeed
from widgets.radio_panel import RadioPanel

pytestmark = pytest.mark.gui


class RecordingMap:
    """Stands in for MapView: records what the feed hands it, per kind and entity."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.replaced: dict[str, list[dict[str, Any]]] = {}
        self.jurisdiction: str | None = "unset"

    def set_districts(self, _geojson: str, adcode: str | None) -> None:
        self.jurisdiction = adcode

    def fit_jurisdiction(self) -> None:
        pass

    def set_entities(self, kind: str, records: list[dict[str, Any]]) -> None:
        self.replaced[kind] = list(records)

    def queue_update(self, kind: str, entity_id: str, fields: Mapping[str, Any]) -> None:
        self.entities[kind].setdefault(entity_id, {}).update(fields)

    def queue_remove(self, kind: str, entity_id: str) -> None:
        self.entities[kind].pop(entity_id, None)


@pytest.fixture
def chaoyang(seeded_db_url: str) -> Iterator[ConsoleCore]:
    settings = Settings().replace("console", jurisdiction="110105")
    core = ConsoleCore(settings, DatabaseTarget(seeded_db_url), UiBridge())
    lifecycle = Lifecycle()
    core.register(lifecycle)
    lifecycle.start_all()
    yield core
    lifecycle.stop_all()


def test_district_map_is_fed_only_its_district_by_call_sign(
        chaoyang: ConsoleCore, seeded_db_url: str, qtbot: QtBot) -> None:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        units = {str(uid): (cs, d) for uid, cs, d in
                 s.execute(select(Unit.id, Unit.call_sign, Unit.district_adcode)).all()}
        officers = {str(oid): (name, d) for oid, name, d in
                    s.execute(select(Officer.id, Officer.name, Officer.district_adcode)).all()}
        incidents = {str(i): d for i, d in
                     s.execute(select(Incident.id, Incident.district_adcode)).all()}
        phones = list(s.scalars(select(VehicleTerminal.phone)))
        issis = list(s.scalars(select(RadioTerminal.issi)))
    engine.dispose()
    view = RecordingMap()
    feed = MapFeed(chaoyang, view)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: "venue" in view.replaced and bool(view.entities["unit"]),
                    timeout=10000)
    # every device of the city reports (and an unregistered terminal), as after a restart
    ingest = chaoyang.positions
    assert ingest is not None
    at = dt.datetime(2030, 1, 1, 8, tzinfo=dt.UTC)
    ingest.submit_many([Fix(PositionSource.JT808, p, at, 39.92, 116.45) for p in phones]
                       + [Fix(PositionSource.JT808, "019999999999", at, 39.92, 116.45)])
    for issi in issis:
        ingest.submit(Fix(PositionSource.LIP, str(issi), at, 39.92, 116.46))
    ingest.flush()
    qtbot.waitUntil(lambda: bool(view.entities["officer"]), timeout=10000)
    qtbot.wait(200)  # any further queued position batch

    assert view.jurisdiction == "110105"
    assert {v["district"] for v in view.replaced["venue"]} == {"朝阳区"}
    shown_units = view.entities["unit"]
    assert shown_units and {units[u][1] for u in shown_units} == {"110105"}
    # units off duty (no position until now) were first seen through a fix: still named
    assert all(f.get("call_sign") == units[u][0] for u, f in shown_units.items())
    assert all(f["lat"] == 39.92 for f in shown_units.values())
    shown_officers = view.entities["officer"]
    assert {officers[o][1] for o in shown_officers} == {"110105"}
    own_officers = {o for o, (_n, d) in officers.items() if d == "110105"}
    assert set(shown_officers) == own_officers
    for officer_id, fields in shown_officers.items():
        name = officers[officer_id][0]
        assert fields["label"] == f"{name} {fields['call_sign']}"
        assert fields["call_sign"].startswith("朝阳")
    assert not view.entities["vehicle"]  # the unregistered terminal is the city's business
    assert {incidents[i] for i in view.entities["incident"]} <= {"110105"}
    assert not view.entities["camera"]
    feed.deleteLater()


def test_call_strip_does_not_name_a_talker_of_another_district(qtbot: QtBot) -> None:
    panel = RadioPanel([(9001, "市级指挥调度组")])
    qtbot.addWidget(panel)
    panel.show_call(CallActivity("talking", 4, None, "", None, outside=True))
    text = panel.call_label.text()
    assert "Talking" in text or "讲话" in text
    assert "outside" in text or "辖区" in text
    panel.show_call(CallActivity("talking", 5, 9001, "朝阳01 张三", 2269001))
    assert "朝阳01 张三" in panel.call_label.text()
