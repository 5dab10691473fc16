"""Demo plan: 凤凰镇's real 2024–2026 plan (seed 000), imported through the plan importer and published,
then worked on the way a town works on it (issue 25: the board showed 逾期 50 and nothing else):

- the 安委办 settles the division of labour the plan leaves open: "镇安委会办公室" is itself, a task given
  to "镇安委会有关成员单位" gets a lead department and cooperating ones, and some departments' tasks get
  cooperating units (配合单位) — all through `task_update`, as on the task page;
- each department reports progress on its milestones and the 安委办 reviews the reports: most milestones
  already due were completed (a few after their deadline, a few reports returned once for evidence),
  some tasks are late, this period's milestones are in progress (some reports still awaiting review),
  standing tasks (长期坚持) report twice a year, and some indicators have their values;
- the late milestones then go up the escalation ladder (as the daily job would take them).

Every step goes through the services; afterwards only the dates are set back to when the step
happened (the services stamp the present), as the other demos do. Fixed seed: the same demo each time.
"""

import random
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from zhiben.accounts.models import User

from .choices import MilestoneStatus, ReportStatus, UnitRole
from .models import Plan, ProgressEvent, ProgressReport
from .parsing import parse_plan
from .services import (
    indicator_report,
    plan_import,
    plan_link_units,
    progress_report_submit,
    progress_report_transition,
    task_update,
)

PLAN_FILE = "fenghuang_plan_2024.txt"
COMMITTEE = "fhanweiban"
# the town departments' colleagues who report their progress (应急办 and 规建办 have demo accounts already)
REPORTERS = [
    ("jingfa", "许经", "凤凰镇经发办"),
    ("sifa", "邓法", "凤凰镇司法所"),
    ("dangjian", "曾党", "凤凰镇党建办"),
]
COLLECTIVE = "镇安委会有关成员单位"
# the names the plan gives the town's 安委会 and its office: the 安委办 itself
COMMITTEE_NAMES = ("镇安委会办公室", "镇安委会")

# (words in the task, lead, cooperating): the division of labour of the collective's tasks, first match wins
DIVISION = [
    ("隐患大排查|隐患排查|隐患统计|隐患存量|隐患增量|隐患动态|挂牌", "应急办", ["规建办", "综合行政执法大队"]),
    ("特种作业", "应急办", ["市场监管所"]),
    ("培训机构|培训服务机构", "应急办", ["市场监管所", "司法所"]),
    ("培训|履职", "应急办", ["党建办", "社事办"]),
    ("演练", "应急办", ["社事办"]),
    ("举报|奖励", "应急办", ["财政办", "司法所"]),
    ("标准化|标杆", "经发办", ["应急办", "市场监管所"]),
    ("监测|感知|数字|智能|系统|科技|示范城市", "应急办", ["经发办"]),
    ("隐患", "应急办", ["规建办", "综合行政执法大队"]),
    ("", "应急办", ["经发办", "规建办"]),
]
# (words in the task, cooperating units added to a department's own task)
COOPERATION = [
    ("燃气", ["规建办", "综合行政执法大队"]),
    ("自建房|危房|危旧房", ["综合行政执法大队", "社事办"]),
    ("执法", ["综合行政执法大队"]),
    ("救援", ["社事办"]),
    ("消防|消火栓", ["规建办"]),
    ("交通|公路|货车|货运", ["综合行政执法大队"]),
]

DONE_TEXTS = [
    "已按要求完成。工作台账、会议纪要和现场照片已整理归档。",
    "任务已完成，形成工作总结报镇安委办，相关制度文件已印发执行。",
    "已全部完成，经自查验收合格，佐证材料已上传。",
]
PARTIAL_TEXTS = [
    "已制定工作方案并召开部署会，明确责任人和时间节点，正在逐项推进。",
    "已完成摸底排查，建立问题清单，正在督促有关单位整改落实。",
    "已组织相关单位分批开展，工作台账同步更新，下一步加快推进剩余事项。",
    "前期准备工作已完成，已落实经费和人员，正在组织实施。",
]
ONGOING_TEXTS = [
    "本半年持续推进，开展专项检查{n}次，发现问题{m}个，已督促整改{m}个。",
    "本半年按要求常态化开展，召开专题会议{n}次，问题清单动态更新，已整改销号{m}项。",
]
RETURN_NOTES = [
    "请补充现场照片和工作台账等佐证材料。",
    "进展描述过于笼统，请写明已完成的具体事项和数量。",
]


def load(stdout=None):
    """The plan, imported, published and its division of labour settled (before the modules that link to it)."""
    if Plan.objects.exists():
        return
    path = Path(__file__).parent / "demo_data" / PLAN_FILE
    parsed = parse_plan(path.read_bytes(), path.name, year=2024)
    committee = User.objects.get(username=COMMITTEE)
    plan = plan_import(
        actor=committee,
        tasks=parsed.as_dicts(),
        parse=parsed,
        year=parsed.year,
        title=parsed.title,
        filename=path.name,
        warnings=parsed.warnings,
        region=committee.region,
        publish=True,
    )
    _divide(plan, committee)


def progress(stdout=None, today=None):
    """The work on the plan up to `today` (default: today), and the escalation of what is late. Loaded
    last, so that the departments' reporting accounts change no other module's demo."""
    plan = Plan.objects.filter(source_filename=PLAN_FILE).first()
    if plan is None or ProgressReport.objects.filter(task__plan=plan).exists():
        return
    from zhiben.escalation.services import escalate

    today = today or timezone.localdate()
    committee = User.objects.get(username=COMMITTEE)
    _reporters(committee)
    _work(plan, committee, today)
    escalate("plan_task", today=today)  # the late milestones go up the ladder: reminders, letters, 通报, 约谈


def summary():
    return f"{Plan.objects.count()} 个行动方案"


def progress_summary():
    return f"{ProgressReport.objects.count()} 份方案进展报告"


def accounts():
    lines = []
    for username, _name, unit_name in REPORTERS:
        if User.objects.filter(username=username).exists():
            lines.append(f"  {username:<12} 行业监管人员 · {unit_name}（报送行动方案任务进展）")
    return lines


# ---------------------------------------------------------------- who does what


def _reporters(committee):
    from zhiben.accounts.demo import demo_user
    from zhiben.regions.models import Unit

    colleague = User.objects.get(username="yingji")
    for username, name, unit_name in REPORTERS:
        unit = Unit.objects.filter(name=unit_name).first()
        if unit is None or User.objects.filter(username=username).exists():
            continue
        demo_user(username=username, role=colleague.role, name=name, region=committee.region, unit=unit)


def _matches(words, text):
    return not words or re.search(words, text) is not None


def _divide(plan, committee):
    """The 安委办 names itself for its own names, a lead and cooperating units for the collective's tasks,
    and cooperating units for some departments' tasks."""
    plan_link_units(actor=committee, plan=plan, choices=dict.fromkeys(COMMITTEE_NAMES, f"unit:{committee.unit_id}"))
    for task in plan.tasks.prefetch_related("assignments").order_by("sort"):
        names = [a.name for a in task.assignments.all()]
        if names == [COLLECTIVE]:
            lead, cooperating = next((lead, coop) for words, lead, coop in DIVISION if _matches(words, task.content))
            data = {"lead": [lead], "responsible": [], "cooperating": cooperating}
        else:
            extra = [
                name
                for words, coop in COOPERATION
                if _matches(words, task.content)
                for name in coop
                if name not in names
            ]
            if not extra:
                continue
            data = {"responsible": names, "cooperating": list(dict.fromkeys(extra))[:2]}
        task_update(actor=committee, task=task, data=data)


# ---------------------------------------------------------------- the work, dated


def _at(day, rng):
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59))))


def _date_last(report, action, when, **fields):
    """Set a report's last step (`action`) back to `when`, and the report's fields given."""
    event = ProgressEvent.objects.filter(report=report, action=action).order_by("-id").first()
    ProgressEvent.objects.filter(pk=event.pk).update(at=when)
    if fields:
        ProgressReport.objects.filter(pk=report.pk).update(updated_at=when, **fields)


class _Work:
    """One department's reports and the 安委办's reviews, each dated when it happened."""

    def __init__(self, committee, today, rng):
        self.committee, self.today, self.rng = committee, today, rng

    def report(self, user, task, milestone, percentage, text, day, *, review=True, returned=False):
        """Report on `day`; the 安委办 reviews a few days later (or not yet); a returned report is
        resubmitted with its evidence and then accepted. Never after today."""
        rng, today = self.rng, self.today
        day = min(day, today)
        first = 60 if returned else percentage
        report = progress_report_submit(actor=user, task=task, text=text, percentage=first, milestone=milestone)
        when = _at(day, rng)
        ProgressReport.objects.filter(pk=report.pk).update(submitted_at=when, created_at=when, updated_at=when)
        _date_last(report, "submit", when)
        if not review:
            return report
        reviewed = min(day + timedelta(days=rng.randint(1, 5)), today)
        if returned:
            progress_report_transition(
                actor=self.committee, report=report, action="return", note=rng.choice(RETURN_NOTES)
            )
            _date_last(report, "return", _at(reviewed, rng), reviewed_at=_at(reviewed, rng))
            again = min(reviewed + timedelta(days=rng.randint(2, 6)), today)
            progress_report_transition(
                actor=user,
                report=report,
                action="resubmit",
                text=text + "已补充现场照片和工作台账。",
                percentage=percentage,
            )
            when = _at(again, rng)
            _date_last(report, "resubmit", when, submitted_at=when)
            reviewed = min(again + timedelta(days=rng.randint(1, 4)), today)
        progress_report_transition(actor=self.committee, report=report, action="accept", note="同意。")
        when = _at(reviewed, rng)
        _date_last(report, "accept", when, reviewed_at=when)
        return report


def _owner(task, users):
    """Who reports for a task: the lead's colleague, else a responsible unit's."""
    owners = sorted(
        (a for a in task.assignments.all() if a.role != UnitRole.COOPERATING and a.unit_id in users),
        key=lambda a: a.role != UnitRole.LEAD,
    )
    return users[owners[0].unit_id] if owners else None


def _window(plan, milestone):
    """When the work on a milestone is done: from the year it falls due (not before the plan), to its due date."""
    start = max(date(plan.start_year, 6, 1), milestone.period_start or date(milestone.due_date.year, 1, 1))
    return (start if start < milestone.due_date else milestone.due_date - timedelta(days=20)), milestone.due_date


def _between(rng, start, end):
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _work(plan, committee, today):
    rng = random.Random(2024)
    users = {u.unit_id: u for u in User.objects.filter(unit__region=plan.region, is_active=True).exclude(unit=None)}
    users[committee.unit_id] = committee
    work = _Work(committee, today, rng)
    tasks = plan.tasks.prefetch_related("assignments", "milestones").order_by("sort")
    for task in tasks:
        user = _owner(task, users)
        if user is None:
            continue
        milestones = list(task.milestones.all())
        if not milestones:
            _standing(work, plan, task, user)
            continue
        behind = rng.random()  # whether the task falls behind: its first milestone due then stays unfinished
        for milestone in milestones:
            late = behind < (0.25 if (today - milestone.due_date).days < 400 else 0.05)  # mostly the recent ones
            start, due = _window(plan, milestone)
            if start > today - timedelta(days=15):
                break  # not started yet
            if due < today:
                if late:
                    if rng.random() < 0.6:
                        work.report(
                            user,
                            task,
                            milestone,
                            rng.choice([30, 50, 60]),
                            rng.choice(PARTIAL_TEXTS),
                            _between(rng, start, due),
                        )
                    break  # what comes after waits for it
                if rng.random() < 0.35:  # a report on the way
                    halfway = _between(rng, start, start + (due - start) / 2)
                    work.report(user, task, milestone, rng.choice([40, 50, 60]), rng.choice(PARTIAL_TEXTS), halfway)
                finished = (
                    due - timedelta(days=rng.randint(3, 45))
                    if rng.random() < 0.85
                    else due + timedelta(days=rng.randint(3, 25))
                )
                work.report(
                    user,
                    task,
                    milestone,
                    100,
                    rng.choice(DONE_TEXTS),
                    max(finished, start),
                    returned=rng.random() < 0.12,
                )
            else:  # this period's milestone
                outlook = rng.random()
                if outlook < 0.15:
                    continue  # nothing reported yet
                day = _between(rng, max(start, today - timedelta(days=120)), today - timedelta(days=2))
                if outlook < 0.35:
                    work.report(
                        user,
                        task,
                        milestone,
                        rng.choice([50, 70, 80]),
                        rng.choice(PARTIAL_TEXTS),
                        today - timedelta(days=rng.randint(0, 6)),
                        review=False,
                    )
                elif outlook < 0.85:
                    work.report(user, task, milestone, rng.choice([30, 50, 60, 70, 80]), rng.choice(PARTIAL_TEXTS), day)
                else:
                    work.report(user, task, milestone, 100, rng.choice(DONE_TEXTS), day)
    _indicators(plan, committee, users, today)
    _date_notifications(plan)


def _standing(work, plan, task, user):
    """A 长期坚持 task: a report each half year since the plan began, the last one perhaps not yet reviewed."""
    rng, today = work.rng, work.today
    day = date(plan.start_year, 12, 20)
    while day <= today:
        n = rng.randint(2, 6)
        text = rng.choice(ONGOING_TEXTS).format(n=n, m=rng.randint(n, n * 3))
        last = day + timedelta(days=183) > today  # the current half year: its work goes on
        percentage = rng.choice([50, 60, 80]) if last else 100
        work.report(user, task, None, percentage, text, day, review=not last or rng.random() < 0.5)
        day += timedelta(days=183)


def _indicators(plan, committee, users, today):
    """The values of the indicators whose milestone is completed (the target met) or overdue (short of it);
    not of those linked to a live figure (the training demo links some), which show the figure instead."""
    for indicator in plan.indicators.filter(figure_key="").select_related("task").prefetch_related("task__milestones"):
        task = indicator.task
        milestones = [m for m in task.milestones.all() if m.due_date < today] if task else []
        if not milestones:
            continue
        milestone = milestones[-1]
        met = milestone.status == MilestoneStatus.COMPLETED
        value = indicator.target_value if met else indicator.target_value * 3 / 4
        indicator_report(
            actor=committee,
            indicator=indicator,
            period=str(milestone.due_date.year),
            value=value,
            note="经核查" if met else "尚未达标，正在推进",
        )


def _date_notifications(plan):
    """The review notices were sent when the reports came in, and read when they were reviewed."""
    from zhiben.notifications.models import Notification

    for report in ProgressReport.objects.filter(task__plan=plan).only("pk", "submitted_at", "reviewed_at", "status"):
        notices = Notification.objects.filter(object_type="plans.progressreport", object_id=str(report.pk))
        notices.update(created_at=report.submitted_at)
        if report.status != ReportStatus.PENDING and report.reviewed_at:
            notices.update(read_at=report.reviewed_at)
