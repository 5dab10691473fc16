"""Officials' pages: the report list (filters, export), a report with its actions, replies, photos, reward,
documents and timeline; the identity reveal (keepers only); rewards; routing rules and Open311 keys; the
identity keepers; statistics; an enterprise's QR poster."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.forms import raise_for_refusal, run_service
from zhiben.core.tables import Column, Table, badge, day, esc, labels, link_to, minute
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    batch_view,
    evidence_response,
    export_xlsx,
    list_context,
    require_capability,
)
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Region, Unit

from . import public_views, selectors, services
from .choices import RewardStatus, Status
from .forms import (
    AcceptForm,
    DuplicateForm,
    KeeperForm,
    KeyForm,
    MessageForm,
    PayForm,
    ReasonForm,
    ReferForm,
    ReplyForm,
    RevealForm,
    RewardForm,
    RoutingForm,
    TransferForm,
    VerifyForm,
)
from .models import Category, Open311Key, Photo, Reward, RoutingRule
from .selectors import REPORT_FILTERS, REWARD_FILTERS, REWARD_SORT
from .workflow import BATCH, TRANSITIONS, allowed_actions

ReportFilterForm = REPORT_FILTERS.form_class("ReportFilterForm")
RewardFilterForm = REWARD_FILTERS.form_class("RewardFilterForm")


@login_required
def report_list(request):
    require_capability(request.user, "report.view")
    qs = selectors.report_list(user=request.user, filters=request.GET)
    context = list_context(request, qs, ReportFilterForm, today=timezone.localdate())
    steps = {
        r.pk: [name for name in BATCH.actions if name in allowed_actions(r)]
        if services.may_handle(request.user, r)
        else []
        for r in context["page"]
    }
    context["steps"] = steps
    context["batch"] = BATCH.offer(steps.values())
    return render(request, "reports/report_list.html", context)


# 受理 or 无效信息 on the ticked reports, each on its own; what was not done, and why
report_batch = batch_view(
    "report.view",
    services.report_transition_many,
    batch=BATCH,
    name=lambda report: report.code,
    back="reports:list",
)


HEADERS = ["举报编号", "举报时间", "来源", "举报类别", "所在区划", "详细地址", "涉及单位", "举报内容", "实名/匿名"]
HEADERS += ["承办单位", "核查人", "核查期限", "状态", "办结时间", "形成隐患"]


def _row(r):
    return [
        r.code,
        minute(r.created_at),
        r.get_source_display(),
        r.category.name,
        r.region.name,
        r.address,
        r.enterprise_name,
        r.description,
        "匿名" if r.anonymous else "实名",
        r.unit.name if r.unit_id else "",
        r.assignee.display_name if r.assignee_id else "",
        r.deadline,
        r.get_status_display(),
        minute(r.closed_at),
        r.hazard.number if r.hazard_id else "",
    ]


@login_required
def report_export(request):
    """The list as Excel: never the reporter's name or phone (they are not even read)."""
    require_capability(request.user, "report.view")
    qs = selectors.report_list(user=request.user, filters=request.GET).select_related("hazard")
    qs = qs.defer("reporter_name", "reporter_phone")
    rows = (_row(r) for r in qs.iterator(chunk_size=1000))
    return export_xlsx(
        request, action="report.export", object_type="reports.report", title="群众举报", headers=HEADERS, rows=rows
    )


def _action_forms(request, report):
    industries = Industry.objects.order_by("sort", "id")
    return {
        "accept": AcceptForm(people=selectors.assignees(report)),
        "verify": VerifyForm(
            industries=industries,
            initial={"industry": report.industry_id or "", "hazard_description": report.description},
        ),
        "unfound": ReplyForm(),
        "duplicate": DuplicateForm(),
        "transfer": TransferForm(units=selectors.transfer_units(request.user, report).select_related("region")),
        "refer": ReferForm(),
        "spam": ReasonForm(),
        "reopen": ReasonForm(),
    }


@login_required
def report_detail(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    handle = services.may_handle(request.user, report)
    forms = _action_forms(request, report) if handle else {}
    actions = [(a, TRANSITIONS[a], forms[a]) for a in allowed_actions(report)] if handle else []
    reward = selectors.reward_of(report)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "handle": handle,
            "actions": actions,
            "messages_list": selectors.messages_of(report),
            "photos": list(report.photos.all()),
            "events": subject_events(report),
            "similar": selectors.similar_reports(report) if report.is_open else [],
            "overdue": report.is_overdue(timezone.localdate()),
            "reward": reward,
            "reward_form": RewardForm() if handle and report.status == Status.VERIFIED and reward is None else None,
            "can_approve": reward is not None
            and reward.status == RewardStatus.PROPOSED
            and request.user.can("report.reward_approve")
            and reward.created_by_id != request.user.pk,
            "pay_form": PayForm()
            if reward is not None and reward.status == RewardStatus.CLAIMED and request.user.can("report.reward")
            else None,
            "message_form": MessageForm() if handle else None,
            "keeper": services.is_keeper(request.user),
            "reveal_form": RevealForm(),
        },
    )


@login_required
@require_POST
def report_action(request, pk, action):
    report = selectors.report_get(user=request.user, pk=pk)
    if action not in TRANSITIONS:
        raise Http404
    data = request.POST.dict()
    user = request.user
    calls = {
        "accept": lambda: services.report_accept(
            actor=user, report=report, assignee=data.get("assignee"), reply=data.get("reply", "")
        ),
        "transfer": lambda: services.report_transfer(
            actor=user, report=report, unit=data.get("unit"), reply=data.get("reply", "")
        ),
        "verify": lambda: services.report_verify(actor=user, report=report, data=data, reply=data.get("reply", "")),
        "unfound": lambda: services.report_unfounded(actor=user, report=report, reply=data.get("reply", "")),
        "duplicate": lambda: services.report_duplicate(
            actor=user, report=report, of=data.get("of"), reply=data.get("reply", "")
        ),
        "refer": lambda: services.report_refer(
            actor=user, report=report, body=data.get("body"), reply=data.get("reply", "")
        ),
        "spam": lambda: services.report_spam(actor=user, report=report, reason=data.get("reason")),
        "reopen": lambda: services.report_reopen(actor=user, report=report, reason=data.get("reason")),
    }
    done = run_service(request, calls[action], f"已{TRANSITIONS[action].label}。")
    if action == "verify" and done is not None and done.hazard_id:
        messages.info(request, f"已形成隐患 {done.hazard.number}，请在隐患台账中跟踪整改。")
    return redirect(report)


@login_required
@require_POST
def report_message(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    internal = bool(request.POST.get("internal"))
    run_service(
        request,
        lambda: services.report_message(
            actor=request.user, report=report, text=request.POST.get("text"), internal=internal
        ),
        "已记录内部备注。" if internal else "已答复举报人。",
    )
    return redirect(report)


@login_required
@require_POST
def reveal(request, pk):
    """The reporter's identity, for a keeper, once per request (never stored in the page's cache)."""
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        identity = services.identity_reveal(actor=request.user, report=report, reason=request.POST.get("reason"))
    except services.ApplicationError as exc:
        raise_for_refusal(exc)
        from django.contrib import messages

        messages.error(request, exc.message)
        return redirect(report)
    response = render(request, "reports/reveal.html", {"report": report, "identity": identity})
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def photo(request, pk, thumb=False):
    attachment = get_object_or_404(Photo.objects.select_related("report"), pk=pk)
    selectors.report_get(user=request.user, pk=attachment.report_id)  # 404 outside scope
    return evidence_response(attachment, thumb=thumb)


# ---------------------------------------------------------------- rewards


@login_required
@require_POST
def reward_propose(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: services.reward_propose(actor=request.user, report=report, data=request.POST.dict()),
        lambda reward: f"已提出奖励 {reward.amount:,.2f} 元，待另一人审批。",
    )
    return redirect(report)


@login_required
def reward_list(request):
    require_capability(request.user, "report.view")
    qs = selectors.reward_list(user=request.user, filters=request.GET)
    context = list_context(request, qs, RewardFilterForm)
    context["head"] = REWARDS.head_html(query=context["sort_query"], current=REWARD_SORT.shown(request.GET.get("sort")))
    context["rows"] = REWARDS.rows_html(context["page"], detail=link_to("reports:detail"))
    return render(request, "reports/reward_list.html", context)


REWARD_LABELS = labels(RewardStatus)


def _approver(w):
    return w.approved_by.display_name if w.approved_by_id else ""


REWARDS = Table(
    columns=(
        Column("举报编号", (), lambda w, c: f'<a href="{c["detail"](w.report_id)}#reward">{esc(w.report.code)}</a>'),
        Column(
            "类别 / 地点",
            (),
            lambda w, _: f'{esc(w.report.category.name)}<br><small class="muted">{esc(w.report.region.name)}</small>',
            label="类别",
        ),
        Column("金额（元）", (), lambda w, _: esc(str(w.amount)), label="金额", sort="amount", css="num"),
        Column("计算依据", (), lambda w, _: f"<small>{esc(w.basis)}</small>", label="依据"),
        Column(
            "状态",
            (),
            lambda w, _: badge(REWARD_LABELS.get(w.status, ""), "green" if w.status == RewardStatus.PAID else ""),
            sort="status",
        ),
        Column("审批人", (), lambda w, _: esc(_approver(w) or "—")),
        Column("提出时间", (), lambda w, _: day(w.created_at), sort="created"),
    ),
    empty="没有符合条件的举报奖励。",
)

REWARD_HEADERS = [
    "举报编号", "类别", "区划", "罚款金额（元）", "奖励金额（元）", "计算依据", "状态", "审批人", "审批时间", "不予奖励理由",
    "申领时间", "发放时间", "发放凭证号", "提出时间",
]  # fmt: skip


@login_required
def reward_export(request):
    """举报奖励台账: the rewards the list shows (same filters and order); never the payee's name, account or phone
    (they are not even read)."""
    require_capability(request.user, "report.view")
    qs = selectors.reward_list(user=request.user, filters=request.GET).defer(
        "payee_name", "payee_account", "payee_phone"
    )
    rows = (
        [
            w.report.code, w.report.category.name, w.report.region.name, w.fine, w.amount, w.basis,
            REWARD_LABELS.get(w.status, ""), _approver(w), minute(w.approved_at), w.refused_reason,
            minute(w.claimed_at), minute(w.paid_at), w.voucher, minute(w.created_at),
        ]
        for w in qs.iterator(chunk_size=1000)
    )  # fmt: skip
    return export_xlsx(
        request, action="reward.export", object_type="reports.reward", title="举报奖励台账", headers=REWARD_HEADERS,
        rows=rows, widths=[18, 14, 12, 12, 12, 40, 10, 10, 17, 24, 17, 17, 16, 17],
    )  # fmt: skip


@login_required
@require_POST
def reward_action(request, pk, action):
    reward = get_object_or_404(Reward.objects.select_related("report"), pk=pk)
    selectors.report_get(user=request.user, pk=reward.report_id)  # 404 outside scope
    user = request.user
    calls = {
        "approve": (
            lambda: services.reward_decide(actor=user, reward=reward, approve=True),
            "已批准奖励，举报人可凭编号申领。",
        ),
        "refuse": (
            lambda: services.reward_decide(actor=user, reward=reward, approve=False, reason=request.POST.get("reason")),
            "已决定不予奖励。",
        ),
        "pay": (
            lambda: services.reward_pay(actor=user, reward=reward, voucher=request.POST.get("voucher")),
            "已登记发放。",
        ),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    run_service(request, call, success)
    return redirect(reward.report)


# ---------------------------------------------------------------- statistics


def _day(text, default):
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@login_required
def statistics(request):
    require_capability(request.user, "report.view")
    today = timezone.localdate()
    start = _day(request.GET.get("from"), date(today.year, 1, 1))
    end = _day(request.GET.get("to"), today)
    rows, spam = selectors.statistics(user=request.user, start=start, end=end)
    totals = {
        key: sum(r[key] for r in rows) for key in ("total", "open", "verified", "unfounded", "duplicate", "referred")
    }
    return render(
        request, "reports/statistics.html", {"rows": rows, "spam": spam, "totals": totals, "start": start, "end": end}
    )


# ---------------------------------------------------------------- routing rules, Open311 keys, keepers


@login_required
def routing(request):
    require_capability(request.user, "report.route")
    user = request.user
    regions = Region.objects.for_user(user).filter(level__lte=4).order_by("code")
    units = Unit.objects.for_user(user).filter(is_active=True).select_related("region").order_by("region_id", "name")
    form = RoutingForm(request.POST or None, regions=regions, categories=Category.objects.all(), units=units)
    key_form = KeyForm(request.POST or None, regions=regions, prefix="key")
    new_key = None
    if request.method == "POST" and request.POST.get("what") == "rule" and form.is_valid():
        if run_service(
            request, lambda: services.routing_rule_save(actor=user, data=form.cleaned_data), "已保存分办规则。"
        ):
            return redirect("reports:routing")
    if request.method == "POST" and request.POST.get("what") == "key" and key_form.is_valid():
        result = run_service(
            request,
            lambda: services.open311_key_create(
                actor=user, name=key_form.cleaned_data["name"], region_code=key_form.cleaned_data["region"]
            ),
            "已生成 Open311 密钥：请立即复制，离开本页后无法再次查看。",
        )
        new_key = result[1] if result else None
    return render(
        request,
        "reports/routing.html",
        {
            "rules": selectors.routing_rules(user),
            "form": form,
            "key_form": key_form,
            "keys": Open311Key.objects.for_user(user).select_related("region"),
            "new_key": new_key,
            "categories": Category.objects.select_related("industry"),
        },
    )


@login_required
@require_POST
def routing_delete(request, pk):
    require_capability(request.user, "report.route")
    row = RoutingRule.objects.for_user(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    run_service(request, lambda: services.routing_rule_delete(actor=request.user, rule_row=row), "已删除分办规则。")
    return redirect("reports:routing")


@login_required
def keepers(request):
    require_capability(request.user, "security.manage")
    from zhiben.accounts.models import User

    form = KeeperForm(request.POST or None)
    if request.method == "POST":
        target = User.objects.for_user(request.user).filter(username=request.POST.get("username", "").strip()).first()
        if target is None:
            from django.contrib import messages

            messages.error(request, "辖区内没有该账号。")
        elif request.POST.get("remove"):
            run_service(request, lambda: services.keeper_remove(actor=request.user, user=target), "已撤销保密专员。")
        else:
            run_service(request, lambda: services.keeper_designate(actor=request.user, user=target), "已指定保密专员。")
        return redirect("reports:keepers")
    return render(request, "reports/keepers.html", {"keepers": selectors.keepers(request.user), "form": form})


def _enterprise(request, pk):
    if not request.user.can("report.view"):
        raise PermissionDenied
    return get_object_or_404(Enterprise.objects.for_user(request.user), pk=pk)


@login_required
def enterprise_poster(request, pk):
    """A poster for an enterprise's gate: its QR code opens the form with the enterprise filled in."""
    enterprise = _enterprise(request, pk)
    return render(
        request,
        "reports/poster.html",
        {
            "place": enterprise.name,
            "url": public_views.form_url(request, enterprise=enterprise),
            "png": f"/reports/enterprise-qr/{enterprise.pk}.png",
            "svg": f"/reports/enterprise-qr/{enterprise.pk}.svg",
            "employee": True,
        },
    )


@login_required
def enterprise_qr(request, pk, fmt):
    enterprise = _enterprise(request, pk)
    if fmt not in ("png", "svg"):
        raise Http404
    return public_views.qr_response(public_views.form_url(request, enterprise=enterprise), fmt)
