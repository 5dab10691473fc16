"""Hazard pages: the ledger (台账) with filters and export, intake, detail with timeline and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zhiben.core.db import as_id
from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import apply_service_errors
from zhiben.core.offline import offline_form, saved
from zhiben.core.registry import backlinks
from zhiben.core.tables import (
    Column,
    Table,
    badge,
    choose_box,
    day,
    detail_link,
    esc,
    labels,
    link_to,
    truncated,
)
from zhiben.core.views import (
    audit_export,
    batch_view,
    download,
    evidence_response,
    paginate,
    query_without,
    require_capability,
)

from . import selectors, services
from .choices import Channel, Level, Status
from .exports import ledger_xlsx
from .forms import (
    AttachForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    HazardFilterForm,
    HazardReportForm,
    LedgerImportForm,
    PlanForm,
    TransitionForm,
)
from .models import Hazard, HazardAttachment, HazardExtension
from .workflow import BATCH, TRANSITIONS, allowed_actions, batch_actions


def _subject(h, _):
    name = h.enterprise.name if h.enterprise_id else (h.place.name if h.place else "")
    return f'{esc(name)}<br><small class="muted">{esc(h.region.name)} · {esc(h.industry.name)}</small>'


def _level(h, _):
    level = badge("重大", "red") if h.level == Level.MAJOR else "一般"
    return level + (" " + badge("挂牌", "orange") if h.listed_level else "")


def _deadline(h, context):
    return day(h.deadline) + (" " + badge("逾期", "red") if h.is_overdue(context["today"]) else "")


STATUS_LABELS, CHANNEL_LABELS = labels(Status), labels(Channel)


def _status(h, context):
    historic = ' <span class="badge" title="历史台账导入，不计入按期/逾期统计">历史</span>' if h.historic else ""
    left = h.review_days_left(context["today"])
    late = " " + badge("审核超期", "red") if left is not None and left < 0 else ""
    return badge(STATUS_LABELS.get(h.status, h.status), f"status-{h.status}") + historic + late


# The ledger page's table: what it shows of a hazard and the columns its rows read (not the long texts of the plan
# and the rectification).
LEDGER = Table(
    columns=(
        Column(
            "隐患编号",
            ("number",),
            lambda h, context: detail_link(h, context, h.number),
            label="编号",
        ),
        Column("单位/场所", ("enterprise__name", "place", "region__name", "industry__name"), _subject, label="单位"),
        Column("隐患描述", ("description",), lambda h, _: truncated(h.description, 60), label="描述"),
        Column("等级", ("level", "listed_level"), _level),
        Column("渠道", ("channel",), lambda h, _: esc(CHANNEL_LABELS.get(h.channel, h.channel))),
        Column("发现", ("found_date",), lambda h, _: day(h.found_date)),
        Column("期限", ("deadline", "status", "historic"), _deadline),
        Column("状态", ("status", "historic", "review_deadline"), _status),
    ),
    empty="没有符合条件的隐患。",
    extra_fields=("supervising_unit", "listed_unit"),  # who may act on the row (workflow.has_duty)
)


def _queued(request):
    """pk → its hazard page opened from this ledger (?from=<the ledger's query>: 上一条/下一条 there follow the list)."""
    detail, suffix = link_to("hazards:detail"), "?" + esc(urlencode({"from": query_without(request, "page")}))
    return lambda pk: detail(pk) + suffix


def _choose(h, context):
    return choose_box(h.pk, context["steps"].get(h.pk), h.number)


# The ledger with a box before each row, for those who may move some of its rows along the workflow.
LEDGER_CHOOSING = Table(
    columns=(Column("选择", ("status",), _choose, css="choose"), *LEDGER.columns),
    empty=LEDGER.empty,
    extra_fields=LEDGER.extra_fields,
)


@login_required
def hazard_list(request):
    require_capability(request.user, "hazard.view")
    qs = selectors.hazard_list(user=request.user, filters=request.GET).only(*LEDGER.fields)
    # shown as given, each value that cannot be read marked on its field (the rows leave such a value out)
    form = HazardFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.values()
    page = paginate(request, qs)
    steps = {h.pk: batch_actions(h, request.user) for h in page}
    offered = BATCH.offer(steps.values())
    table = LEDGER_CHOOSING if offered else LEDGER
    context = {
        "form": form,
        "page": page,
        "table": table,
        "rows": table.rows_html(page, today=timezone.localdate(), detail=_queued(request), steps=steps),
        "batch": offered,
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
        "export_query": query_without(request, "page"),
        "can_report": request.user.can("hazard.report"),
        "can_import": request.user.can("hazard.import"),
        "can_export": request.user.can("hazard.export"),
    }
    return render(request, "hazards/hazard_list.html", context)


@login_required
def hazard_export(request):
    require_capability(request.user, "hazard.export")
    qs = selectors.hazard_list(user=request.user, filters=request.GET)
    data = ledger_xlsx(qs, user=request.user)
    audit_export(request, action="hazard.export", object_type="hazards.hazard", label="隐患台账导出")
    return download(data, f"隐患台账_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@offline_form
def hazard_report(request):
    require_capability(request.user, "hazard.report")
    initial = {"enterprise": request.GET.get("enterprise"), "found_date": timezone.localdate()}
    form = HazardReportForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            hazard = services.hazard_report(
                actor=request.user, data=form.service_data(), files=form.cleaned_data.get("photos") or []
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            text = f"隐患 {hazard.number} 已上报。"
            duplicates = selectors.duplicate_candidates(hazard)
            if duplicates:
                text += f" 发现 {len(duplicates)} 条疑似重复隐患：{'、'.join(h.number for h, _ in duplicates)}，请核实人员查看。"
            if hazard.repeat_of:
                text += f" 该处曾有已销号隐患 {hazard.repeat_of.number}，已标记为复发。"
            messages.success(request, text)
            return saved(redirect("hazards:detail", pk=hazard.pk))
    return render(request, "hazards/hazard_form.html", {"form": form})


@login_required
def hazard_detail(request, pk):
    require_capability(request.user, "hazard.view")
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    actions = allowed_actions(hazard, request.user)
    names = {a[0] for a in actions}
    refused = {}  # actions the table allows that a rule refuses this user, with the reason shown instead of the button
    if "close" in names and (refusal := services.signoff_refusal(hazard, request.user)):
        refused["close"] = refusal
    extensions = list(hazard.extensions.select_related("requested_by", "decided_by"))
    duplicates = list(hazard.duplicates.all())  # the hazards merged into this one
    review_left = hazard.review_days_left()
    context = {
        "hazard": hazard,
        "queue": _queue(request, hazard),
        "review_left": review_left,
        "review_late": -review_left if review_left is not None and review_left < 0 else 0,
        "actions": actions,
        "action_names": names,
        "transitions": [
            (name, label, style) for name, label, style in actions if name in TRANSITIONS and name not in refused
        ],
        "refused": refused.values(),
        "events": hazard.events.all(),  # shown by the stored actor_name: no join of the user
        "attachments": hazard.attachments.all(),
        "merged_attachments": HazardAttachment.objects.filter(  # as `attachment_file` serves them
            hazard__in=Hazard.objects.for_user(request.user).filter(merged_into=hazard)
        ).select_related("hazard")
        if duplicates
        else [],
        "duplicates": duplicates,
        "extensions": extensions,
        "pending_extension": next((e for e in extensions if e.status == "pending"), None),
        "candidates": selectors.duplicate_candidates(hazard) if "merge" in names else [],
        "transition_form": TransitionForm(),
        "plan_form": PlanForm(initial={f: getattr(hazard, f) for f in PlanForm.base_fields}),
        "attach_form": AttachForm.for_hazard(hazard),
        "extension_form": ExtensionRequestForm(),
        "decision_form": ExtensionDecisionForm(),
        "today": timezone.localdate(),
        "sources": backlinks(hazard, request.user),
    }
    return render(request, "hazards/hazard_detail.html", context)


def _visible(request, pk):
    require_capability(request.user, "hazard.view")
    return selectors.hazard_get(user=request.user, pk=pk)


def _perform(request, hazard, call, success):
    """Run the service behind an action button, report the outcome as a message, go back to the hazard (marked
    `saved` when the service saved: an offline form's submission key is then spent)."""
    try:
        result = call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to_hazard(request, hazard)
    messages.success(request, success(result) if callable(success) else success)
    return saved(_back_to_hazard(request, hazard))


def _in_queue(pk, query, at=None):
    """The hazard page of `pk` opened from the ledger of `query` (and at place `at` in it): its 上一条/下一条 follow."""
    return f"{reverse('hazards:detail', args=[pk])}?{urlencode({'from': query, **({} if at is None else {'at': at})})}"


def _back_to_hazard(request, hazard):
    """Back to the hazard's page after an action, in the ledger queue it was opened from (the forms carry it)."""
    query = request.POST.get("from")
    if query is None:
        return redirect("hazards:detail", pk=hazard.pk)
    at = request.POST.get("at", "")
    return redirect(_in_queue(hazard.pk, query, as_id(at)))


def _form_problem(request, hazard, form):
    messages.error(
        request,
        "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}" for f, e in form.errors.items()),
    )
    return _back_to_hazard(request, hazard)


def _queue(request, hazard):
    """The hazard's place in the ledger it was opened from (?from=<the ledger's query>), with the links to the ones
    before and after it and back to the list; None when it was not opened from one."""
    query = request.GET.get("from")
    if query is None:
        return None
    at = request.GET.get("at", "")
    found = selectors.ledger_neighbours(user=request.user, pk=hazard.pk, query=query, at=as_id(at))
    back = {"list": f"{reverse('hazards:list')}?{query}", "from": query}
    if found is None:
        return back
    index = found["index"]
    return {
        **found,
        **back,
        "at": index,
        "position": index + 1,
        "previous_url": found["previous"] and _in_queue(found["previous"], query, index - 1),
        "next_url": found["next"] and _in_queue(found["next"], query, index if found["gone"] else index + 1),
    }


# 批量处理 from the ledger: the chosen rows moved one step each; what was done and what was not, and why
hazard_batch = batch_view(
    "hazard.view",
    services.hazard_transition_many,
    batch=BATCH,
    name=lambda hazard: hazard.number,
    back="hazards:list",
)


@login_required
@require_POST
def hazard_transition(request, pk, action):
    hazard = _visible(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    target = None
    if action == "merge":
        number = (data.get("target") or "").strip()
        target = Hazard.objects.for_user(request.user).filter(number=number).first() if number else None
        target = target.pk if target else None
    return _perform(
        request,
        hazard,
        lambda: services.hazard_transition(
            actor=request.user,
            hazard=hazard,
            action=action,
            note=data.get("note", ""),
            target=target,
            rectified_date=data.get("rectified_date"),
        ),
        f"已{TRANSITIONS[action].label}。",
    )


@login_required
@require_POST
def hazard_plan(request, pk):
    hazard = _visible(request, pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _form_problem(request, hazard, form)
    return _perform(
        request,
        hazard,
        lambda: services.hazard_update_plan(actor=request.user, hazard=hazard, data=form.cleaned_data),
        "整改方案已保存。",
    )


@login_required
@require_POST
@offline_form  # photos of a rectification are taken on site, where the network may not reach: sent once, later
def hazard_attach(request, pk):
    hazard = _visible(request, pk)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_problem(request, hazard, form)
    return _perform(
        request,
        hazard,
        lambda: services.hazard_attach(
            actor=request.user, hazard=hazard, kind=form.cleaned_data["kind"], files=form.cleaned_data["files"]
        ),
        lambda saved: f"已上传 {len(saved)} 个文件。",
    )


@login_required
@require_POST
def hazard_list_supervision(request, pk):
    hazard = _visible(request, pk)
    return _perform(
        request,
        hazard,
        lambda: services.hazard_list(actor=request.user, hazard=hazard, note=request.POST.get("note", "")),
        "已挂牌督办。",
    )


@login_required
@require_POST
def extension_request(request, pk):
    hazard = _visible(request, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _form_problem(request, hazard, form)
    return _perform(
        request,
        hazard,
        lambda: services.hazard_request_extension(
            actor=request.user,
            hazard=hazard,
            new_deadline=form.cleaned_data["new_deadline"],
            reason=form.cleaned_data["reason"],
        ),
        "延期申请已提交。",
    )


@login_required
@require_POST
def extension_decide(request, pk, extension_pk):
    hazard = _visible(request, pk)
    extension = get_object_or_404(HazardExtension, pk=extension_pk, hazard=hazard)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _form_problem(request, hazard, form)
    return _perform(
        request,
        hazard,
        lambda: services.hazard_decide_extension(
            actor=request.user,
            extension=extension,
            grant=form.cleaned_data["decision"] == "grant",
            note=form.cleaned_data["note"],
        ),
        "已审批延期申请。",
    )


@login_required
def attachment_file(request, pk, attachment_pk, thumb=False):
    """Evidence is served only to users who may see the hazard it was uploaded to (never from a
    public media URL): the hazard itself, or a duplicate merged into it that is in the user's scope
    too (a duplicate of another industry merged in by the 安委办 stays that industry's)."""
    hazard = _visible(request, pk)
    merged = Hazard.objects.for_user(request.user).filter(merged_into=hazard)
    attachment = get_object_or_404(
        HazardAttachment, pk=attachment_pk, hazard__in=Hazard.objects.filter(pk=hazard.pk) | merged
    )
    return evidence_response(attachment, thumb=thumb)


LEDGER_FIELDS = [
    ("seq", "序号"),
    ("enterprise", "单位名称"),
    ("address", "隐患部位/地点"),
    ("region", "所属区域"),
    ("industry", "行业"),
    ("description", "隐患描述"),
    ("level", "隐患等级"),
    ("category", "隐患类别"),
    ("found_date", "发现日期"),
    ("found_by", "发现人"),
    ("source_channel", "发现渠道"),
    ("measures", "整改措施"),
    ("responsible_person", "整改责任人"),
    ("deadline", "整改期限"),
    ("funds", "整改资金"),
    ("status", "整改状态"),
    ("rectified_date", "整改完成日期"),
    ("verified_by", "验收人"),
    ("closed_date", "销号日期"),
    ("remarks", "备注"),
    ("other", "其他（不导入）"),
]
PENDING_LEDGER = "pending_ledger"


def _sample(parsed, size=20):
    """The rows the preview shows: the first `size`, or, of several sheets read as one, the first few of each."""
    if not parsed.sheets:
        return parsed.rows[:size]
    each, sample, start = max(2, size // len(parsed.sheets)), [], 0
    for _, count in parsed.sheets:
        sample.extend(parsed.rows[start : start + min(count, each)])
        start += count
    return sample[: max(size, 2 * len(parsed.sheets))]


def _stash(request, upload):
    """Keep the uploaded ledger between preview and confirmation (private storage, owned by the user)."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from zhiben.core.convert import docx_of

    data = docx_of(upload.read(), upload.name)  # an old Word ledger is converted once, not at every preview
    name = default_storage.save(f"imports/{request.user.pk}/{uuid.uuid4().hex}", ContentFile(data))
    request.session[PENDING_LEDGER] = {"path": name, "filename": upload.name}
    return name


def _stashed(request):
    from django.core.files.storage import default_storage

    pending = request.session.get(PENDING_LEDGER)
    if (
        not pending
        or not pending["path"].startswith(f"imports/{request.user.pk}/")
        or not default_storage.exists(pending["path"])
    ):
        return None, None
    with default_storage.open(pending["path"], "rb") as fh:
        return fh.read(), pending["filename"]


def _drop_stash(request):
    from django.core.files.storage import default_storage

    pending = request.session.pop(PENDING_LEDGER, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


@login_required
def ledger_import(request):
    """Upload → preview of the column mapping and rows (correctable) → confirm → one transaction."""
    require_capability(request.user, "hazard.import")
    from .ledger import parse_ledger

    form = LedgerImportForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields["file"].required = False
    context = {"form": form, "fields": LEDGER_FIELDS}
    if request.method != "POST" or not form.is_valid():
        if request.method == "GET":
            _drop_stash(request)
        return render(request, "hazards/ledger_import.html", context)
    upload = form.cleaned_data.get("file")
    if upload:
        try:
            _stash(request, upload)
        except ApplicationError as exc:  # an old Word file that cannot be converted
            _drop_stash(request)
            context["error"] = exc.message
            return render(request, "hazards/ledger_import.html", context)
    data, filename = _stashed(request)
    if data is None:
        form.add_error("file", "请选择台账文件。")
        return render(request, "hazards/ledger_import.html", context)
    overrides = None
    if request.POST.get("mapping") == "1":
        overrides = {
            key[len("map:") :]: (value or None) for key, value in request.POST.items() if key.startswith("map:")
        }
    try:
        parsed = parse_ledger(data, filename, overrides=overrides)
    except ApplicationError as exc:
        _drop_stash(request)
        context["error"] = exc.message
        return render(request, "hazards/ledger_import.html", context)
    context.update(
        parsed=parsed,
        filename=filename,
        sample=_sample(parsed),
        shown=[c for c in parsed.columns if c.field and c.field != "other"],
        # a Word or PDF document holds tables, a workbook sheets
        part="表格" if filename.lower().endswith((".docx", ".doc", ".wps", ".rtf", ".pdf")) else "工作表",
    )
    if request.POST.get("confirm") == "1" and not parsed.errors:
        try:
            outcome = services.hazard_import_ledger(
                actor=request.user,
                rows=parsed.rows,
                enterprise=form.cleaned_data.get("enterprise"),
                channel=form.cleaned_data["channel"],
                source_name=filename,
                historic=bool(form.cleaned_data.get("historic")),
                columns=parsed.headers(),
            )
        except ApplicationError as exc:
            context["error"], context["errors"] = exc.message, exc.errors
        else:
            _drop_stash(request)
            messages.success(request, f"已从“{filename}”导入 {outcome['created']} 条隐患。")
            return redirect("hazards:list")
    return render(request, "hazards/ledger_import.html", context)


@login_required
def criteria_list(request):
    """The 判定标准 catalogue: national standards and the local ones of the user's jurisdiction; an 安委办
    imports local items under its own region here (national ones belong to the catalogue owner)."""
    require_capability(request.user, "hazard.view")
    from zhiben.core.excel import read_table

    from .criteria import criteria_import, header_fields, visible_standards

    can_import = request.user.can("rule.manage")
    result = None
    if request.method == "POST":
        require_capability(request.user, "rule.manage")
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError("请选择判定标准文件。")
            _, headers, rows = read_table(upload, filename=upload.name, columns=header_fields)
            outcome = criteria_import(actor=request.user, headers=headers, rows=rows, source_name=upload.name)
        except ApplicationError as exc:
            result = {"error": exc.message, "errors": exc.errors}
        else:
            messages.success(
                request,
                f"已导入：标准 {outcome['standards']} 个（新增 {outcome['new_standards']}），条款 {outcome['items']} 条。",
            )
            return redirect("hazards:criteria")
    standards = (
        visible_standards(request.user)
        .select_related("region")
        .prefetch_related("industries", "items__part")
        .order_by("name", "-version")
    )
    selected = request.GET.get("standard")
    return render(
        request,
        "hazards/criteria_list.html",
        {
            "standards": standards,
            "selected": selected,
            "can_import": can_import,
            "national": request.user.is_superuser,
            "result": result,
        },
    )
