"""Kinds, methods, score tables and levels of risk grading (FACTS §4).

The score tables are fixed by the methods themselves; the thresholds that turn a score into a level are
rules per jurisdiction (hooks.py), never constants here."""

from decimal import Decimal

from django.db import models


class Kind(models.TextChoices):
    PLACE = "place", "场所"
    PROCESS = "process", "工艺"
    EQUIPMENT = "equipment", "设备设施"
    ACTIVITY = "activity", "作业活动"


class Method(models.TextChoices):
    LEC = "lec", "LEC 作业条件危险性评价法（D=L×E×C）"
    LS = "ls", "LS 风险矩阵法（R=L×S）"


class Level(models.TextChoices):
    MAJOR = "major", "重大风险"
    LARGER = "larger", "较大风险"
    GENERAL = "general", "一般风险"
    LOW = "low", "低风险"


# higher is worse: an enterprise's grade is the largest rank among its points
RANK = {Level.MAJOR: 4, Level.LARGER: 3, Level.GENERAL: 2, Level.LOW: 1}
LEVEL_OF_RANK = {rank: level for level, rank in RANK.items()}
COLOUR = {Level.MAJOR: "红", Level.LARGER: "橙", Level.GENERAL: "黄", Level.LOW: "蓝"}
CSS = {Level.MAJOR: "red", Level.LARGER: "orange", Level.GENERAL: "yellow", Level.LOW: "blue"}
LEVELS_HIGH_FIRST = [Level.MAJOR, Level.LARGER, Level.GENERAL, Level.LOW]


def level_label(level):
    """“重大风险（红）”."""
    return f"{Level(level).label}（{COLOUR[level]}）" if level in COLOUR else ""


# the 双随机 pool's risk filter: an enterprise's highest level, or none recorded
POOL_LEVELS = [(lv.value, level_label(lv)) for lv in LEVELS_HIGH_FIRST] + [("none", "未登记风险点")]


# ---------------------------------------------------------------- LEC score tables (FACTS §4)

LEC_L = [
    (Decimal("10"), "完全可以预料"),
    (Decimal("6"), "相当可能"),
    (Decimal("3"), "可能，但不经常"),
    (Decimal("1"), "可能性小，完全意外"),
    (Decimal("0.5"), "很不可能，可以设想"),
    (Decimal("0.2"), "极不可能"),
    (Decimal("0.1"), "实际不可能"),
]
LEC_E = [
    (Decimal("10"), "连续暴露"),
    (Decimal("6"), "每天工作时间内暴露"),
    (Decimal("3"), "每周一次或偶然暴露"),
    (Decimal("2"), "每月一次暴露"),
    (Decimal("1"), "每年几次暴露"),
    (Decimal("0.5"), "非常罕见地暴露"),
]
LEC_C = [
    (Decimal("100"), "大灾难，3人及以上死亡（或直接经济损失2000万元及以上）"),
    (Decimal("40"), "灾难，2～3人死亡（或直接经济损失1000万～2000万元）"),
    (Decimal("15"), "非常严重，1人死亡或3人及以上重伤（或直接经济损失300万～1000万元）"),
    (Decimal("7"), "严重，重伤或4人及以上轻伤"),
    (Decimal("3"), "重大，致残或1～3人轻伤"),
    (Decimal("1"), "引人注目，轻微伤害，需要救护"),
]

# ---------------------------------------------------------------- LS matrix scales (1–5)

LS_L = [
    (5, "极可能：频繁发生，或在现有管控下随时可能发生"),
    (4, "很可能：曾经发生，管控措施缺失或明显不足"),
    (3, "可能：偶尔发生，管控措施部分落实"),
    (2, "不大可能：极少发生，管控措施基本有效"),
    (1, "极不可能：几乎不会发生，管控措施有效"),
]
LS_S = [
    (5, "特别严重：3人及以上死亡，或重大财产损失"),
    (4, "严重：1～2人死亡或3人及以上重伤"),
    (3, "较重：重伤或多人轻伤"),
    (2, "一般：轻伤"),
    (1, "轻微：无伤亡或轻微伤害"),
]


def _shown(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def score_choices(table):
    """(value, "value — meaning") pairs for a select list."""
    return [(_shown(v), f"{_shown(v)} — {meaning}") for v, meaning in table]


def meaning(table, value):
    for v, text in table:
        if v == value:
            return text
    return ""


class MeasureType(models.TextChoices):
    ENGINEERING = "engineering", "工程技术"
    MANAGEMENT = "management", "管理"
    TRAINING = "training", "培训教育"
    PROTECTION = "protection", "个体防护"
    EMERGENCY = "emergency", "应急处置"


class ControlLevel(models.TextChoices):
    COMPANY = "company", "公司"
    WORKSHOP = "workshop", "车间"
    TEAM = "team", "班组"
    POST = "post", "岗位"


# the level that manages a risk by default (分级管控: 重大→公司, 较大→车间, 一般→班组, 低→岗位)
DEFAULT_CONTROL_LEVEL = {
    Level.MAJOR: ControlLevel.COMPANY,
    Level.LARGER: ControlLevel.WORKSHOP,
    Level.GENERAL: ControlLevel.TEAM,
    Level.LOW: ControlLevel.POST,
}
