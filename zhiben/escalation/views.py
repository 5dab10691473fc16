"""The 安委办 edits its jurisdiction's ladder; everyone in scope sees the steps taken."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import entry, ordered, registry
from zhiben.core.tables import Column, Table, esc, minute, truncated
from zhiben.core.views import export_xlsx, paginate, query_without, require_capability

from . import selectors, services
from .choices import Action
from .forms import StepFormSet


@login_required
def ladder_edit(request):
    require_capability(request.user, "escalation.manage")
    region_code = request.user.region_id or ""
    targets = ordered("escalation_targets")
    target = (
        request.GET.get("target") if request.GET.get("target") in registry["escalation_targets"] else targets[0].key
    )
    spec = entry("escalation_targets", target)
    steps = services.ladder_for(target, region_code)
    own = bool(steps) and steps[0].region_code == region_code and steps[0].pk is not None
    initial = [
        {
            "action": s.action,
            "name": s.name,
            "days": s.days,
            "major_only": s.major_only,
            "document_kind": s.document_kind,
        }
        for s in steps
    ]
    formset = StepFormSet(request.POST or None, initial=initial, form_kwargs={"target": spec})
    error = None
    if request.method == "POST":
        if request.POST.get("reset"):
            services.ladder_reset(actor=request.user, target=target, region_code=region_code)
            messages.success(request, "已恢复为上级/默认督办升级规则。")
            return redirect(request.get_full_path())
        if formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            try:
                services.ladder_save(actor=request.user, target=target, region_code=region_code, steps=rows)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, "督办升级规则已保存，下一轮后台任务起生效。")
                return redirect(request.get_full_path())
        else:
            error = "请检查标红的步骤。"
    return render(
        request,
        "escalation/ladder.html",
        {
            "formset": formset,
            "own": own,
            "error": error,
            "target": target,
            "targets": [(t.key, t.label) for t in targets],
            "spec": spec,
            "inherited_from": steps[0].region_code if steps else "",
        },
    )


def _subject(r, _):
    if r.subject is None:
        return f"{esc(r.get_target_display())}：#{esc(str(r.object_id))}（已删除）"
    shown = truncated(str(r.subject), 60)
    return f'{esc(r.get_target_display())}：<a href="{esc(r.subject.get_absolute_url())}">{shown}</a>'


def _document(r, _):
    if r.document is None:
        return "—"
    return f'<a href="{esc(r.document.get_absolute_url())}">{esc(r.document.number)}</a>'


RECORDS = Table(
    columns=(
        Column("时间", (), lambda r, _: minute(r.at), sort="at"),
        Column("对象", (), _subject),
        Column("措施", (), lambda r, _: esc(r.name)),
        Column("逾期天数", (), lambda r, _: str(r.days_overdue), sort="days"),
        Column("公文", (), _document),
    ),
    empty="暂无督办升级记录。",
)


@login_required
def record_list(request):
    require_capability(request.user, "escalation.view")
    page = paginate(request, selectors.record_list(user=request.user, filters=request.GET))
    page.object_list = selectors.with_subjects(page.object_list)
    sort = request.GET.get("sort", "")
    return render(
        request,
        "escalation/record_list.html",
        {
            "page": page,
            "targets": [(t.key, t.label) for t in ordered("escalation_targets")],
            "actions": Action.choices,
            "target": request.GET.get("target", ""),
            "action": request.GET.get("action", ""),
            "sort": sort,
            "query": query_without(request, "page"),
            "head": RECORDS.head_html(
                query=query_without(request, "page", "sort"),
                current=selectors.RECORD_SORT.shown(sort),
            ),
            "rows": RECORDS.rows_html(page),
        },
    )


RECORD_HEADERS = ["时间", "对象类型", "对象", "措施", "逾期天数", "公文编号", "所在区划代码"]


@login_required
def record_export(request):
    """The steps the list shows (same filters), each with its object and the document it issued."""
    require_capability(request.user, "escalation.view")
    records = selectors.with_subjects(selectors.record_list(user=request.user, filters=request.GET))
    rows = [
        [
            minute(r.at),
            r.get_target_display(),
            str(r.subject) if r.subject is not None else f"#{r.object_id}（已删除）",
            r.name,
            r.days_overdue,
            r.document.number if r.document else "",
            r.region_code,
        ]
        for r in records
    ]
    return export_xlsx(
        request, action="escalation.export", object_type="escalation.escalationrecord", title="督办升级记录",
        headers=RECORD_HEADERS, rows=rows, widths=[17, 12, 50, 16, 10, 24, 14],
    )  # fmt: skip
