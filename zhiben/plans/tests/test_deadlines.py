"""Deadline text → dates and recurrence, one rule per case."""

import pytest

from zhiben.plans.parsing import extract_inline_deadline, parse_deadline


@pytest.mark.parametrize(
    ("text", "deadline", "recurrence"),
    [
        ("2024年6月底前", "2024-06-30", "once"),
        ("2024年2月底前", "2024-02-29", "once"),
        ("2025年", "2025-12-31", "once"),
        ("2025年底前", "2025-12-31", "once"),
        ("2025年年底前", "2025-12-31", "once"),
        ("2025年内", "2025-12-31", "once"),
        ("12月", "2024-12-31", "once"),
        ("6月底前", "2024-06-30", "once"),
        ("十二月底前", "2024-12-31", "once"),
        ("年底前", "2024-12-31", "once"),
        ("年内", "2024-12-31", "once"),
        ("2025年 2026年", ["2025-12-31", "2026-12-31"], "once"),
        ("2025年\n2026年", ["2025-12-31", "2026-12-31"], "once"),
        ("2025—2026年", ["2025-12-31", "2026-12-31"], "once"),
        ("2024-2026年", ["2024-12-31", "2025-12-31", "2026-12-31"], "once"),
        ("2024年6月底前、2025年12月底前", ["2024-06-30", "2025-12-31"], "once"),
        ("2024年6月、12月", ["2024-06-30", "2024-12-31"], "once"),
        ("2024年6月至2025年12月", "2025-12-31", "once"),
        ("2024年第三季度", "2024-09-30", "once"),
        ("2024年三季度", "2024-09-30", "once"),
        ("第一季度", "2024-03-31", "once"),
        ("上半年", "2024-06-30", "once"),
        ("2025年上半年", "2025-06-30", "once"),
        ("下半年", "2024-12-31", "once"),
        ("2024年10月15日前", "2024-10-15", "once"),
        ("2024年10月上旬", "2024-10-10", "once"),
        ("２０２４年６月底前", "2024-06-30", "once"),
        ("2024.6", "2024-06-30", "once"),
        ("2024-06-15", "2024-06-15", "once"),
        ("2024/6/15", "2024-06-15", "once"),
        ("2024", "2024-12-31", "once"),
        ("明年", "2025-12-31", "once"),
        # the meaning core.cntext gives both importers: a part of a month or year is a span, a deadline its last day
        ("6月初", "2024-06-10", "once"),
        ("2024年6月中旬", "2024-06-20", "once"),
        ("2025年初", "2025-01-31", "once"),
        ("二〇二四年六月底前", "2024-06-30", "once"),
    ],
)
def test_dates(text, deadline, recurrence):
    result = parse_deadline(text, 2024)
    assert result.as_json() == deadline
    assert result.recurrence == recurrence
    assert result.ok


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("每年", "yearly"),
        ("每年度", "yearly"),
        ("每半年", "semiannual"),
        ("每季度", "quarterly"),
        ("按季度", "quarterly"),
        ("每月", "monthly"),
        ("长期坚持", "ongoing"),
        ("持续推进", "ongoing"),
        ("长期", "ongoing"),
        ("常态化", "ongoing"),
        ("2024年起", "ongoing"),
        ("每周", "ongoing"),
        ("每年（高危行业领域每半年）", "yearly"),
    ],
)
def test_recurrences(text, recurrence):
    result = parse_deadline(text, 2024)
    assert result.recurrence == recurrence
    assert result.as_json() is None


def test_dates_and_recurrence_together():
    result = parse_deadline("2024年起每季度", 2024)
    assert (result.as_json(), result.recurrence) == (None, "quarterly")
    result = parse_deadline("每年12月底前", 2024)
    assert (result.as_json(), result.recurrence) == ("2024-12-31", "yearly")


@pytest.mark.parametrize("text", ["按上级要求", "另行通知", "立即", "2024年2月30日"])
def test_unparseable_text_keeps_no_deadline(text):
    result = parse_deadline(text, 2024)
    assert result.as_json() is None and result.recurrence is None and not result.ok
    assert result.text == text


def test_empty_text():
    result = parse_deadline("", 2024)
    assert not result.ok and result.text == ""


def test_year_less_month_follows_the_last_explicit_year():
    assert parse_deadline("2025年3月、6月", 2024).as_json() == ["2025-03-31", "2025-06-30"]


def test_text_is_kept_verbatim_with_blanks_collapsed():
    assert parse_deadline("2025年\n2026年", 2024).text == "2025年 2026年"


@pytest.mark.parametrize(
    ("text", "deadline", "recurrence", "found"),
    [
        ("加强队伍建设，2022年底执法部门符合条件的人员全部考取执法证。", "2022-12-31", "once", "2022年底"),
        (
            "2020年底前装备使用率达到100%，2022年底前实现自动化控制。",
            ["2020-12-31", "2022-12-31"],
            "once",
            "2020年底前、2022年底前",
        ),
        ("年内至少组织1期专题培训。", "2024-12-31", "once", "年内"),
        ("每年至少组织开展一次疏散逃生演练（高危行业领域每半年至少一次）。", None, "yearly", "每年"),
        ("对2023年以来各类检查发现的隐患开展“回头看”。", None, None, ""),
        ("基本消除2023年及以前排查发现的重大事故隐患存量。", None, None, ""),
        ("属于《产业结构调整指导目录（2019年本）》淘汰类的依法关停。", None, None, ""),
        ("按照“2024年提升、2025年强化、2026年巩固”的要求，对重点行业领域每年开展1次培训。", None, "yearly", "每年"),
        ("2024年起，将排查出的重大事故隐患纳入清单管理。", None, "ongoing", "2024年起"),
        ("2026年，持续开展培训，能力明显增强。", "2026-12-31", "once", "2026年"),
        ("三年内完成改造。", None, None, ""),
    ],
)
def test_inline_deadlines_in_prose(text, deadline, recurrence, found):
    result = extract_inline_deadline(text, 2024)
    assert result.as_json() == deadline
    assert result.recurrence == recurrence
    assert result.text == found
