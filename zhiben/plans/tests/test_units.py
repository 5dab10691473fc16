"""Splitting unit cells and annotations, and matching names to existing units."""

import pytest

from zhiben.plans.parsing import match_units, parse_assignment, parse_unit_cell, split_annotation, split_units


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("经发办、应急办", ["经发办", "应急办"]),
        ("应急办，财政办", ["应急办", "财政办"]),
        ("应急办,财政办；规建办;司法所", ["应急办", "财政办", "规建办", "司法所"]),
        ("应急办/财政办", ["应急办", "财政办"]),
        ("应急办 财政办", ["应急办", "财政办"]),
        ("应急办\n财政办", ["应急办", "财政办"]),
        ("镇财政办和各行业领域主管部门", ["镇财政办", "各行业领域主管部门"]),
        ("区应急局及区消防救援支队", ["区应急局", "区消防救援支队"]),
        ("区应急局与区经信委", ["区应急局", "区经信委"]),
        # 和 inside a unit's own name, parentheses and stray blanks
        ("镇民政和社会事务办", ["镇民政和社会事务办"]),
        ("区人力资源和社会保障局、区规划和自然资源局", ["区人力资源和社会保障局", "区规划和自然资源局"]),
        ("各村（社区）、应急办", ["各村（社区）", "应急办"]),
        ("村（社区、网格）", ["村（社区、网格）"]),
        ("镇 应急办、先锋规资 所", ["镇应急办", "先锋规资所"]),
        # shared suffixes and prefixes
        ("公安、交通部门", ["公安部门", "交通部门"]),
        ("公安、交通、住建部门", ["公安部门", "交通部门", "住建部门"]),
        ("公安、交通等部门", ["公安部门", "交通部门"]),
        ("区应急、经信局", ["区应急局", "区经信局"]),
        ("区应急、市场监管局", ["区应急局", "市场监管局"]),
        ("各村、社区", ["各村", "各社区"]),
        # 等 dropped
        ("先锋市场监管所等相关部门", ["先锋市场监管所"]),
        ("各村社区等", ["各村社区"]),
        ("应急办、经发办等3个部门", ["应急办", "经发办"]),
        # role words dropped, duplicates removed
        ("经发办（牵头）、应急办", ["经发办", "应急办"]),
        ("应急办、应急办、财政办", ["应急办", "财政办"]),
        ("镇安委会有关成员单位", ["镇安委会有关成员单位"]),
        ("", []),
    ],
)
def test_split_units(text, names):
    assert split_units(text) == names


@pytest.mark.parametrize(
    ("text", "responsible", "cooperating", "deadline"),
    [
        ("应急办牵头，经发办配合", ["应急办"], ["经发办"], ""),
        ("经发办（牵头）、应急办", ["经发办", "应急办"], [], ""),
        ("由A局负责，B局配合", ["A局"], ["B局"], ""),
        ("X办牵头，A局、B局等按职责分工负责，2018年3月底前完成", ["X办"], ["A局", "B局"], "2018年3月底前"),
        ("A局、B局按职责分工负责", ["A局", "B局"], [], ""),
        ("责任单位：A局、B局；完成时限：2024年底前", ["A局", "B局"], [], "2024年底前"),
        ("牵头单位：区应急局；配合单位：区公安局、区交通局", ["区应急局"], ["区公安局", "区交通局"], ""),
        ("牵头单位：区应急局；责任单位：区经信委", ["区应急局", "区经信委"], [], ""),
        ("公安、交通等部门配合", [], ["公安部门", "交通部门"], ""),
        ("应急办牵头，应急办、财政办配合", ["应急办"], ["财政办"], ""),
    ],
)
def test_parse_assignment(text, responsible, cooperating, deadline):
    a = parse_assignment(text)
    assert (a.responsible, a.cooperating, a.deadline_text) == (responsible, cooperating, deadline)


def test_parse_unit_cell():
    assert parse_unit_cell("市场监管所、应急办") == (["市场监管所", "应急办"], [])
    assert parse_unit_cell("应急办牵头；经发办、规建办配合") == (["应急办"], ["经发办", "规建办"])


def test_strict_assignment_rejects_ordinary_sentences():
    assert parse_assignment("由各部门、村（社区）负责，按属地属事原则明确所有行业领域的监管单位", strict=True) is None
    assert parse_assignment("高危行业领域每半年至少1次", strict=True) is None


@pytest.mark.parametrize(
    ("text", "rest", "responsible", "cooperating", "deadline"),
    [
        (
            "推进培训。（应急管理部牵头，公安部、交通运输部等按职责分工负责，2018年3月底前完成）",
            "推进培训。",
            ["应急管理部"],
            ["公安部", "交通运输部"],
            "2018年3月底前",
        ),
        (
            "开展专项整治。责任单位：区应急局、区公安分局；完成时限：2024年底前",
            "开展专项整治。",
            ["区应急局", "区公安分局"],
            [],
            "2024年底前",
        ),
        ("加强监管。由区应急局负责，区经信委配合。", "加强监管。", ["区应急局"], ["区经信委"], ""),
        ("完成改造（2024年底前完成）。", "完成改造。", [], [], "2024年底前"),
    ],
)
def test_split_annotation(text, rest, responsible, cooperating, deadline):
    got_rest, a = split_annotation(text)
    assert got_rest == rest
    assert (a.responsible, a.cooperating, a.deadline_text) == (responsible, cooperating, deadline)


@pytest.mark.parametrize(
    "text",
    [
        "严格落实制度（高危行业领域每月至少1次）。",
        "由各部门、村（社区）负责，按属地属事原则明确所有行业领域的监管单位，消除盲区漏洞。",
        "检查（由企业主要负责人带队）",
    ],
)
def test_split_annotation_leaves_ordinary_text_alone(text):
    assert split_annotation(text) == (text, None)


UNITS = [
    (1, "凤凰镇应急办", "应急办", "应急管理办公室,镇应急办"),
    (2, "凤凰镇经济发展办公室", "经发办", ""),
    (3, "凤凰镇规划建设管理办公室", "规建办", "规划建设办、建设办"),
    (4, "凤凰镇财政办", "", ""),
    (5, "凤凰司法所", "司法所", None),
]


def test_match_units_exact_alias_fuzzy_and_new():
    result = match_units(["凤凰镇财政办", "经发办", "镇应急办", "建设办", "凤凰镇 财政办", "镇财政所", "党建办"], UNITS)
    by_name = {r["name"]: r for r in result}
    assert [r["name"] for r in result] == [
        "凤凰镇财政办",
        "经发办",
        "镇应急办",
        "建设办",
        "凤凰镇 财政办",
        "镇财政所",
        "党建办",
    ]
    assert by_name["凤凰镇财政办"] == {"name": "凤凰镇财政办", "match": 4, "suggestions": [], "new": False}
    assert by_name["凤凰镇 财政办"]["match"] == 4  # blanks do not matter
    assert by_name["经发办"]["match"] == 2  # short name
    assert by_name["镇应急办"]["match"] == 1  # alias
    assert by_name["建设办"]["match"] == 3  # alias from a 、-separated list
    fuzzy = by_name["镇财政所"]
    assert fuzzy["match"] is None and fuzzy["suggestions"][0]["id"] == 4
    assert fuzzy["suggestions"][0]["score"] >= 0.6
    assert by_name["党建办"]["match"] is None
    assert by_name["党建办"]["new"] is True


def test_match_units_strips_region_prefixes_for_suggestions():
    [r] = match_units(["区司法所"], UNITS)
    assert r["match"] is None
    assert r["suggestions"][0] == {"id": 5, "name": "凤凰司法所", "score": 1.0}
    assert r["new"] is False


def test_match_units_without_units():
    assert match_units(["应急办"], []) == [{"name": "应急办", "match": None, "suggestions": [], "new": True}]
