"""Plain text as it comes out of PDFs and other systems: lines broken at one width are read as the paragraphs they
were, columns lined up with blanks as a table; lines naming where the text came from are not the plan's."""

import re
import unicodedata

import pytest

from zhiben.plans.parsing import parse_plan
from zhiben.plans.parsing.readers import read_text

from .helpers import FIXTURES

CLOSING = "，。、；：！？）」』”’》〉】,.;:!?)"


def wrap(paragraph, width, indent):
    """A paragraph broken into lines of `width` columns (a Chinese character two), as a PDF's text layer gives
    them: a Latin word or figure is not broken, a closing mark hangs at the line's end, the first line is indented
    two columns when `indent`."""
    lines, line = [], "  " if indent else ""
    for piece in re.findall(r"[A-Za-z0-9.%]+|.", paragraph):
        size = sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in piece)
        used = sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in line)
        if used + size > width and line.strip() and piece not in CLOSING:
            lines.append(line)
            line = ""
        line += piece
    return lines + [line]


def wrapped(text, width, indent):
    out = []
    for line in text.split("\n"):
        out += wrap(line.strip(), width, indent) if line.strip() else [""]
    return "\n".join(out)


def rows(result):
    return [(t.action, t.key_task, t.content, t.deadline.as_json(), t.responsible, t.cooperating) for t in result.tasks]


@pytest.mark.parametrize("seed", ["001_7102c7c32a80523c", "003_b8649153a1699436"])
@pytest.mark.parametrize("width", [40, 52, 71, 86])
@pytest.mark.parametrize("indent", [True, False], ids=["indented", "flush"])
def test_a_plan_broken_into_lines_reads_as_the_plan(seed, width, indent):
    text = (FIXTURES / f"{seed}.txt").read_text(encoding="utf-8")
    expected = rows(parse_plan(text.encode(), f"{seed}.txt"))
    got = parse_plan(wrapped(text, width, indent).encode(), f"{seed}.txt")
    assert len(got.tasks) == len(expected)
    assert rows(got) == expected


def test_paragraphs_come_back_whole_with_a_space_only_between_latin_words():
    paragraphs = [
        "市应急管理局2024年工作要点",
        "一、总体要求",
        "2024年全市应急管理工作总体要求是：坚持以人民为中心，统筹高质量发展和高水平安全，全面提升本质安全水平，"
        "推进 safety management system 体系建设，年内完成全部任务，事故起数下降10.5%。",
        "二、重点工作",
        "1.高效统筹推进。全面落实基层应急消防治理体系建设任务清单，推动应急管理重心下移、力量下沉、保障下倾。",
        "2.强化联合监管。落实定岗定责，指导各镇（街道）健全统筹协调工作机制，标准化规范化建设应急消防管理站。",
        "3.加强队伍建设。专职消防队建设达标率达到100%，村（社区）网格协同开展安全生产、消防安全工作。",
    ]
    for width in (30, 34, 40):
        for indent in (True, False):
            text = "\n".join(line for p in paragraphs for line in wrap(p, width, indent))
            assert len(text.split("\n")) > len(paragraphs) + 8
            assert [b.text for b in read_text(text).blocks] == paragraphs, (width, indent)


def test_a_line_per_paragraph_is_left_as_it_is():
    # lines of every length, some short: nothing is joined
    text = (FIXTURES / "001_7102c7c32a80523c.txt").read_text(encoding="utf-8")
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    assert [b.text for b in read_text(text).blocks if hasattr(b, "text")][:5] == lines[:5]
    short = "\n".join(["一、工作任务"] + [f"{n}.各村要在{n}月底前完成第{n}批企业的排查整治。" for n in range(1, 12)])
    assert len(read_text(short).blocks) == 12


def test_source_and_address_lines_are_not_the_plan():
    text = "\n".join(
        [
            "# source: http://www.example.gov.cn/art/2021/3/26/art_1.html (某镇关于做好安全生产大检查的通知, 2021-03)",
            "https://www.example.gov.cn/art/2021/3/26/art_1.html",
            "# 某镇关于做好2021年安全生产大检查的通知",
            "各村（社区）、镇直各单位：",
            "现将有关事项通知如下：",
            "一、检查内容",
            "各村（社区）要于3月10日前完成辖区内加油站、液化气站的安全检查。",
            "镇应急办负责汇总检查情况，3月15日前报县应急局。",
        ]
    )
    result = parse_plan(text.encode(), "通知.md")
    assert result.title == "某镇关于做好2021年安全生产大检查的通知"
    assert not any("source" in t.content or "http" in t.content for t in result.tasks)
    assert [(t.responsible, t.deadline.as_json()) for t in result.tasks] == [
        (["各村（社区）"], f"{result.year}-03-10"),
        (["镇应急办"], f"{result.year}-03-15"),
    ]


@pytest.mark.parametrize(
    "lines, title",
    [
        (
            ["经镇政府研究决定，现将《徐庄镇2017年度安全生产专项整治工作计划》印发给你们，请遵照执行。"],
            "徐庄镇2017年度安全生产专项整治工作计划",
        ),
        (
            ["附件：《青浦区工贸企业安全生产重大隐患专项整治实施方案》"],
            "青浦区工贸企业安全生产重大隐患专项整治实施方案",
        ),
        (["市应急管理局 2024 年工作要点", "一、主要目标"], "市应急管理局 2024 年工作要点"),
        (["四、时间安排", "卢市镇关于做好安全生产大检查的通知"], "卢市镇关于做好安全生产大检查的通知"),
    ],
)
def test_the_title_is_found_in_a_notice_or_work_points(lines, title):
    from zhiben.plans.parsing import detect_title

    assert detect_title(read_text("\n".join(lines)), "x.txt") == title


ALIGNED = """某镇2024年安全生产重点工作任务分解表
序号    工作任务                                    牵头单位      配合单位          完成时限
1       开展燃气安全专项整治，排查餐饮场所燃气隐患    镇应急办      镇市场监管所      2024年6月底前
2       完成自建房安全隐患排查整治，建立台账并推进    镇规建办                        2024年9月30日
        整改销号
3       组织开展安全生产月活动                        镇安委办      镇属各部门        2024年6月

4       推进工贸企业重大事故隐患动态清零              镇经发办      镇应急办          长期坚持
以上任务请各单位于每季度末报送进展。
"""


def test_a_table_lined_up_with_blanks_is_read_by_its_columns():
    result = parse_plan(ALIGNED.replace("\n\n", "\n        \u3000\n").encode(), "分解表.txt")  # a blank line of blanks
    assert result.layout == "table"
    assert [(t.content, t.responsible, t.cooperating, t.deadline.as_json()) for t in result.tasks] == [
        ("开展燃气安全专项整治，排查餐饮场所燃气隐患", ["镇应急办"], ["镇市场监管所"], "2024-06-30"),
        ("完成自建房安全隐患排查整治，建立台账并推进整改销号", ["镇规建办"], [], "2024-09-30"),  # an empty cell
        ("组织开展安全生产月活动", ["镇安委办"], ["镇属各部门"], "2024-06-30"),
        ("推进工贸企业重大事故隐患动态清零", ["镇经发办"], ["镇应急办"], None),
    ]
    assert result.tasks[3].recurrence == "ongoing"
    document = read_text(ALIGNED)
    assert document.blocks[-1].text == "以上任务请各单位于每季度末报送进展。"  # the table ends where its rows do


def test_prose_with_wide_gaps_is_not_a_table():
    text = "填报单位：某镇应急办    填报日期：2024年5月6日    联系人：张三\n一、工作任务\n各村要在6月底前完成排查。"
    assert not any(hasattr(b, "rows") for b in read_text(text).blocks)


@pytest.mark.parametrize("blank", [" ", "\t", "\u3000"], ids=["spaces", "tabs", "ideographic"])
def test_long_runs_of_blanks_leave_the_tasks_as_they_are(blank):
    # text pasted out of a layout tool can hold runs of thousands of blanks: every reader goes over each once
    # (a run of 100,000 spaces took the plan importer past a minute, scanned again from each blank)
    run = blank * 100_000
    text = (
        "安全生产专项整治实施方案\n一、主要任务\n"
        f"（一）全面排查整治危化品企业隐患（区应急局）{run}\n"
        "（二）开展消防安全检查，2026年6月30日前完成。\n"
        f"（三）整治燃气管道隐患，2026年3月{blank * 3}至2026年5月。\n"
        "四、工作要求\n" + ("区应急局" + blank * 60) * 2000 + "\n"
    )
    tasks = parse_plan(text.encode(), "方案.txt").tasks
    assert [t.content.strip()[:8] for t in tasks] == ["全面排查整治危化", "开展消防安全检查", "整治燃气管道隐患"]
    assert [str(t.deadline.dates[-1]) if t.deadline.dates else "" for t in tasks] == ["", "2026-06-30", "2026-05-31"]
