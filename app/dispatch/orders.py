"""Texts that go to officers: dispatch orders and recalls sent as SDS, incident titles.

These are read by officers on their radios and in case files, so they are Chinese directly
(not UI strings). An order must stay short: a TETRA SDS carries about 70 Chinese characters
per part, and the radio bridge splits longer texts into concatenated parts.
"""

from __future__ import annotations

from models.enums import IncidentCategory, IncidentPriority

CATEGORY_ZH: dict[IncidentCategory, str] = {
    IncidentCategory.UNLICENSED_OPERATION: "无证经营",
    IncidentCategory.MINORS_ADMITTED: "接纳未成年人",
    IncidentCategory.PROHIBITED_CONTENT: "演出含禁止内容",
    IncidentCategory.UNAPPROVED_PERFORMANCE: "未经审批演出",
    IncidentCategory.PIRATED_PUBLICATIONS: "盗版出版物",
    IncidentCategory.NOISE_NUISANCE: "噪声扰民",
    IncidentCategory.OVER_HOURS: "超时经营",
    IncidentCategory.GAMBLING: "涉赌",
    IncidentCategory.OFFICER_EMERGENCY: "执法人员紧急求助",
    IncidentCategory.VEHICLE_ALARM: "车辆报警",
    IncidentCategory.GEOFENCE_ALARM: "电子围栏报警",
    IncidentCategory.INSPECTION: "检查任务",
    IncidentCategory.OTHER: "其他",
}

PRIORITY_ZH: dict[int, str] = {
    int(IncidentPriority.URGENT): "紧急",
    int(IncidentPriority.HIGH): "高",
    int(IncidentPriority.NORMAL): "一般",
    int(IncidentPriority.LOW): "低",
}

#: Longest order text built here (characters); longer field values are shortened.
MAX_ORDER_CHARS = 140


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def order_text(*, number: str, priority: int, category: IncidentCategory, title: str,
               venue_name: str, address: str, call_sign: str) -> str:
    """The dispatch order SDS: number, priority, what, where, and what to report back."""
    lines = [
        f"【调度令】{call_sign} {number} 优先级：{PRIORITY_ZH.get(priority, str(priority))}",
        f"事由：{_short(title, 36) or CATEGORY_ZH[category]}",
    ]
    if venue_name:
        lines.append(f"场所：{_short(venue_name, 24)}")
    if address:
        lines.append(f"地址：{_short(address, 36)}")
    lines.append("请即前往，途中、到场、处置完毕请回报状态。")
    return "\n".join(lines)[:MAX_ORDER_CHARS]


def recall_text(*, number: str, call_sign: str, reason: str) -> str:
    """The SDS telling a unit its assignment was withdrawn (reassigned, cancelled, closed)."""
    why = _short(reason, 40) or "调度调整"
    return f"【调度变更】{call_sign} {number} 任务已撤销：{why}。请恢复待命。"[:MAX_ORDER_CHARS]


def default_title(category: IncidentCategory, venue_name: str = "") -> str:
    """An incident title from its category and venue, e.g. ``超时经营（青禾KTV）``."""
    base = CATEGORY_ZH[category]
    return f"{base}（{venue_name}）" if venue_name else base
