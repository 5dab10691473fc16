"""The 晾晒通报 (ranking bulletin): a document kind whose subject is a ranking run.

Registered in `hooks.py`; the documents app numbers, renders (DOCX and PDF), stores and archives it.
What the bulletin says comes from the run as it was scored (the jurisdiction's headline figures, the
ranking, the tiers) and, for the overdue 重大 hazards, from the record list hazards registered
("hazards.major_overdue"), read at the time of issue in the issuer's scope. The ranking table and the
overdue list are body tables, the chart a body picture (see zhiben.documents.render).
The key "ranking_bulletin" is stored in documents and templates: never rename it.
"""

from zhiben.core.registry import DocumentKind, registry
from zhiben.documents.render import image_line, table_line

from . import chart
from .models import RankingRun
from .selectors import red_list, subject_noun
from .services import MANAGE, number_text

KEY = "ranking_bulletin"
SUBJECT_MODEL = "rankings.rankingrun"
OVERDUE_LIST = "hazards.major_overdue"
OVERDUE_LIMIT = 30


def get_run(pk, user):
    """The run `pk` if `user` manages rankings and sees it (None: the system), with the reader kept for the
    record list read at issue."""
    if user is not None and not user.can(MANAGE):
        return None
    qs = RankingRun.objects.all() if user is None else RankingRun.objects.for_user(user)
    run = qs.select_related("region", "scorecard").filter(pk=pk).first()
    if run is not None:
        run.reader = user
    return run


def available(run):
    if not run.current:
        return "本期评分已重新计算，请就现行版本签发通报。"
    if not run.entries.exists():
        return "本期没有参与排名的单位。"
    return None


def _value(value, unit):
    if value is None:
        return "无数据"
    return f"{number_text(value)}{unit}"


def headline_text(run):
    """总体情况: the jurisdiction's figures of the period, as one sentence."""
    parts = [f"{h['label']}{_value(h['value'], h['unit'])}" for h in run.headline if h["value"] is not None]
    if not parts:
        return f"本期{run.region.name}暂无可统计的指标。"
    return f"{run.period_label}，{run.region.name}" + "，".join(parts) + "。"


def method_text(run):
    """评分说明: items and weights, then the tiers."""
    items = "、".join(f"{i['label']}（{number_text(i['weight'])}分）" for i in run.items)
    tiers = run.tiers
    if run.spec.get("tier_mode") == "quantiles":
        parts = [f"前{number_text(t['value'])}%为{t['name']}等" for t in tiers[:-1]]
        tier_text = "按名次比例依次" + "、".join(parts) + f"，其余为{tiers[-1]['name']}等"
    else:
        parts = [f"{number_text(t['value'])}分及以上为{t['name']}等" for t in tiers[:-1]]
        tier_text = "、".join(parts) + f"，其余为{tiers[-1]['name']}等"
    noun = subject_noun(run.region)
    return (
        f"本期评分依据《{run.name}》，评分指标及分值为：{items}，满分100分。"
        f"{tier_text}。共{run.entries.count()}个{noun}参与排名，排名情况如下："
    )


def change_text(entry):
    change = entry.rank_change
    if change is None:
        return "—"
    return "持平" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")


def ranking_lines(run):
    """The ranking table: 名次｜名称｜each figure's value｜得分｜等次｜较上期."""
    noun = subject_noun(run.region)
    header = ["名次", noun]
    header += [f"{i['label']}（{i['unit']}）" if i["unit"] else i["label"] for i in run.items]
    header += ["得分", "等次", "名次变化"]
    lines = [table_line(header)]
    for entry in run.entries.order_by("rank", "region_id"):
        values = [number_text(entry.values.get(i["key"])) for i in run.items]
        lines.append(
            table_line([entry.rank, entry.name, *values, f"{entry.score:.2f}", entry.tier, change_text(entry)])
        )
    return "\n".join(lines)


def chart_line(run):
    entries = list(run.entries.order_by("rank", "region_id"))
    png = chart.bar_chart([(e.name, e.score, e.tier) for e in entries], tiers=[t["name"] for t in run.tiers])
    return image_line(png, f"图1 {run.region.name}{run.period_label}各{subject_noun(run.region)}综合得分")


def red_list_text(run):
    noun = subject_noun(run.region)
    entries, lowest = red_list(run)
    named = "、".join(f"{e.name}（{e.score:.2f}分，第{e.rank}名）" for e in entries)
    if lowest:
        tier = run.tiers[-1]["name"]
        return (
            f"本期评为{tier}等、列入红色名单的{noun}为：{named}。请上述{noun}主要负责同志对照问题清单，"
            "逐项分析原因，制定整改措施，于10个工作日内将整改情况书面报送。"
        )
    return f"本期无{noun}评为{run.tiers[-1]['name'] if run.tiers else '末'}等。排名末位的是：{named}，请引起重视。"


def overdue_text(run):
    """逾期未整改重大事故隐患: a sentence and a table from the registered record list (as of today)."""
    records = registry["record_lists"].get(OVERDUE_LIST)
    if records is None:
        return "本系统未登记重大事故隐患清单，此项从略。"
    rows = records.rows(getattr(run, "reader", None), {"region": run.region_id}, OVERDUE_LIMIT + 1)
    if not rows:
        return f"截至通报之日，{run.region.name}无逾期未整改的重大事故隐患。"
    more = len(rows) > OVERDUE_LIMIT
    rows = rows[:OVERDUE_LIMIT]
    columns = list(records.columns)
    lines = [
        f"截至通报之日，{run.region.name}逾期未整改的重大事故隐患"
        + (f"超过{OVERDUE_LIMIT}条，以下列出逾期最久的{OVERDUE_LIMIT}条" if more else f"共{len(rows)}条")
        + "，请属地和行业监管部门督促企业立即整改："
    ]
    lines.append(table_line(["序号", *(label for _, label in columns)]))
    for n, row in enumerate(rows, start=1):
        cells = [_cell(row.get(key)) for key, _ in columns]
        lines.append(table_line([n, *cells]))
    return "\n".join(lines)


def _cell(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def build(run, unit):
    return {
        "辖区": run.region.name,
        "统计期": run.period_label,
        "排名对象": subject_noun(run.region),
        "评分表": run.name,
        "总体情况": headline_text(run),
        "评分说明": method_text(run),
        "排名表": ranking_lines(run),
        "得分图": chart_line(run),
        "红色名单": red_list_text(run),
        "逾期重大隐患": overdue_text(run),
    }


PLACEHOLDERS = (
    ("辖区", "排名的辖区，如 沙坪坝区"),
    ("统计期", "如 2026年11月"),
    ("排名对象", "镇街 / 村（社区）"),
    ("评分表", "评分表名称"),
    ("总体情况", "辖区本期主要指标（一段）"),
    ("评分说明", "评分指标、分值和分档（一段）"),
    ("排名表", "排名表格（名次、名称、各项指标、得分、等次、名次变化）"),
    ("得分图", "各排名对象得分柱状图（图片）"),
    ("红色名单", "末档（红色名单）或排名末位的单位（一段）"),
    ("逾期重大隐患", "逾期未整改的重大事故隐患（一段和表格）"),
)

TEMPLATE = {
    "title": "关于{{统计期}}安全生产隐患排查治理情况的通报",
    "body": "\n".join(
        [
            "为深入推进安全生产治本攻坚三年行动，压实属地管理责任，推动重大事故隐患动态清零，"
            "现将{{辖区}}各{{排名对象}}{{统计期}}安全生产隐患排查治理情况通报如下：",
            "一、总体情况",
            "{{总体情况}}",
            "二、评分排名情况",
            "{{评分说明}}",
            "{{排名表}}",
            "{{得分图}}",
            "三、红色名单",
            "{{红色名单}}",
            "四、逾期未整改重大事故隐患",
            "{{逾期重大隐患}}",
            "五、工作要求",
            "（一）压实整改责任。各{{排名对象}}要对照本通报逐项核查，排名靠后的要深刻剖析原因，主要负责同志亲自部署、督促整改。",
            "（二）紧盯重大隐患。对逾期未整改的重大事故隐患，属地和行业监管部门要逐一明确责任人和整改时限，逾期仍未整改的依法依规严肃处理。",
            "（三）持续晾晒考核。评分排名结果按期通报，纳入年度安全生产工作考核。",
        ]
    ),
    "table": "",
}

SAMPLE = {
    "主送": "各镇人民政府、街道办事处，区安委会各成员单位",
    "辖区": "示例区",
    "统计期": "2026年11月",
    "排名对象": "镇街",
    "评分表": "镇街安全生产月度评分",
    "总体情况": "2026年11月，示例区新发现隐患120条，销号隐患96条，按期整改率87.5%，逾期未整改6条。",
    "评分说明": "本期评分依据《镇街安全生产月度评分》，评分指标及分值为：按期整改率（60分）、逾期未整改（40分），满分100分。",
    "排名表": "\n".join(
        [
            table_line(["名次", "镇街", "按期整改率（%）", "逾期未整改（条）", "得分", "等次", "名次变化"]),
            table_line([1, "示例镇", 95, 0, "100.00", "A", "↑1"]),
            table_line([2, "样板街道", 80, 3, "61.50", "C", "↓1"]),
        ]
    ),
    "得分图": "（此处为各镇街综合得分柱状图）",
    "红色名单": "本期评为D等、列入红色名单的镇街为：示例乡（35.20分，第3名）。",
    "逾期重大隐患": "截至通报之日，示例区无逾期未整改的重大事故隐患。",
}


def addressee(run):
    level = run.region.level + 1
    return {4: "各镇人民政府、街道办事处", 5: "各村（居）民委员会"}.get(level, f"各{subject_noun(run.region)}")


BULLETIN = DocumentKind(
    key=KEY,
    label="安全生产晾晒通报（评分排名）",
    subject_model=SUBJECT_MODEL,
    get_subject=get_run,
    build=build,
    available=available,
    placeholders=PLACEHOLDERS,
    template=TEMPLATE,
    sample=SAMPLE,
    addressee=addressee,
    region_code=lambda run: run.region_id,
    order=60,
)
