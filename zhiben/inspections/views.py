"""Pages: the inspection list (filters, export), a new inspection, an inspection (items, results, photos,
findings, transitions, timeline, documents), checklists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.db import as_id
from zhiben.core.forms import form_service, run_service
from zhiben.core.offline import offline_form, saved
from zhiben.core.tables import minute
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    audit_export,
    download,
    evidence_response,
    export_xlsx,
    paginate,
    query_without,
    require_capability,
)
from zhiben.hazards.models import CriteriaItem

from . import selectors, services
from .exports import inspections_xlsx
from .forms import (
    AddItemsForm,
    ChecklistFilterForm,
    ChecklistForm,
    CompleteForm,
    HazardForm,
    InspectionFilterForm,
    InspectionForm,
    ItemForm,
    MemberForm,
    StartForm,
)
from .models import ChecklistTemplate, ChecklistTemplateItem, InspectionItem, InspectionPhoto
from .workflow import allowed_actions


@login_required
def inspection_list(request):
    require_capability(request.user, "inspection.view")
    qs = selectors.inspection_list(user=request.user, filters=request.GET)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "form": InspectionFilterForm(initial=request.GET.dict(), user=request.user),
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "export_query": query_without(request, "page"),
        },
    )


@login_required
def inspection_export(request):
    require_capability(request.user, "inspection.view")
    qs = selectors.inspection_list(user=request.user, filters=request.GET)
    audit_export(request, action="inspection.export", object_type="inspections.inspection", label="监督检查导出")
    return download(inspections_xlsx(qs), f"监督检查_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@offline_form
def inspection_new(request):
    require_capability(request.user, "inspection.conduct")
    initial = {"planned_date": timezone.localdate(), "enterprise": request.GET.get("enterprise", "")}
    form = InspectionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        inspection = form_service(
            form, lambda: services.inspection_create(actor=request.user, data=form.service_data())
        )
        if inspection is not None:
            messages.success(request, f"已登记检查 {inspection.number}。")
            return saved(redirect(inspection))
    return render(request, "inspections/inspection_form.html", {"form": form})


COUNTED = (("pass", "pass"), ("fail", "fail"), ("na", "na"), ("pending", ""))


@login_required
def inspection_detail(request, pk):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    items = list(inspection.items.select_related("criteria_item", "hazard").prefetch_related("photos"))
    can_record = request.user.can("inspection.conduct")
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "items": items,
            "counts": {key: sum(1 for i in items if i.result == r) for key, r in COUNTED},
            "inspectors": inspection.inspectors.all(),
            "experts": inspection.experts.all(),
            "hazards": inspection.hazards.order_by("id"),
            "photos": inspection.photos.filter(item__isnull=True),
            "events": subject_events(inspection),
            "actions": allowed_actions(inspection, request.user),
            "can_record": can_record and inspection.status == "in_progress",
            "start_form": StartForm(user=request.user),
            "complete_form": CompleteForm(
                initial={"date": inspection.date or timezone.localdate(), "summary": inspection.summary}
            ),
            "item_form": ItemForm(),
            "hazard_form": HazardForm(),
            "member_form": MemberForm(user=request.user)
            if can_record and inspection.status in ("planned", "in_progress")
            else None,
        },
    )


@login_required
@require_POST
def inspection_transition(request, pk, action):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    checklist = None
    if action == "start" and request.POST.get("checklist"):
        checklist = selectors.checklists_for(request.user).filter(pk=as_id(request.POST["checklist"])).first()
    run_service(
        request,
        lambda: services.inspection_transition(
            actor=request.user,
            inspection=inspection,
            action=action,
            checklist=checklist,
            date=request.POST.get("date"),
            summary=request.POST.get("summary", ""),
        ),
        "已更新检查状态。",
    )
    return redirect(inspection)


@login_required
@require_POST
def inspection_member(request, pk):
    """Add an inspector or an expert to the team (the same person twice: a message, nothing written)."""
    from zhiben.accounts.models import User

    from .models import Expert

    inspection = selectors.inspection_get(user=request.user, pk=pk)
    user = User.objects.for_user(request.user).filter(pk=as_id(request.POST.get("user")) or 0).first()
    expert = Expert.objects.filter(pk=as_id(request.POST.get("expert")) or 0).first()
    run_service(
        request,
        lambda: services.inspection_add_member(actor=request.user, inspection=inspection, user=user, expert=expert),
        "已加入检查组。",
    )
    return redirect(inspection)


def _item(request, pk, item_pk):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    return get_object_or_404(InspectionItem, pk=item_pk, inspection=inspection)


@login_required
@require_POST
@offline_form  # a checklist item is recorded on site, its photos where the network may not reach: sent once, later
def item_record(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    form = ItemForm(request.POST, request.FILES)
    recorded = None
    if not form.is_valid():
        messages.error(request, "请选择检查结果；照片须为图片或 PDF。")
    else:
        recorded = run_service(
            request,
            lambda: services.item_record(
                actor=request.user,
                item=item,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data.get("photos") or [],
            ),
            "已记录检查结果。",
        )
    answer = redirect(f"{item.inspection.get_absolute_url()}#item-{item.pk}")
    return saved(answer) if recorded is not None else answer


@login_required
@require_POST
def item_hazard(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    form = HazardForm(request.POST)
    level = form.cleaned_data["level"] if form.is_valid() else None
    deadline = form.cleaned_data.get("deadline") if form.is_valid() else None
    run_service(
        request,
        lambda: services.item_to_hazard(actor=request.user, item=item, level=level, deadline=deadline),
        lambda hazard: f"已形成隐患 {hazard.number}，进入整改流程。",
    )
    return redirect(f"{item.inspection.get_absolute_url()}#item-{item.pk}")


@login_required
def photo(request, pk, photo_pk):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    attachment = get_object_or_404(InspectionPhoto, pk=photo_pk, inspection=inspection)
    return evidence_response(attachment, thumb=bool(request.GET.get("thumb")))


# ---------------------------------------------------------------- checklists


def _checklist_query(request):
    """The checklist list's query: the page's, 启用 only unless another state is asked for."""
    data = request.GET.copy()
    data.setdefault("active", "1")
    return data


@login_required
def checklist_list(request):
    """Checklists the user may apply (their region's and those above) and those of the regions below:
    filter by name, industry and state (启用 unless asked otherwise), sort, paginate, export."""
    require_capability(request.user, "inspection.view")
    data = _checklist_query(request)
    return render(
        request,
        "inspections/checklist_list.html",
        {
            "form": ChecklistFilterForm(data, user=request.user),
            "page": paginate(request, selectors.checklist_list(user=request.user, filters=data)),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "export_query": query_without(request, "page"),
        },
    )


@login_required
def checklist_export(request):
    """检查表清单: the checklists the list shows (same filters, same order) with their number of items."""
    require_capability(request.user, "inspection.view")
    rows = (
        [
            t.name, t.industry.name if t.industry_id else "通用", t.region.name, t.n_items, "启用" if t.active else "停用",
            t.description, minute(t.updated_at),
        ]
        for t in selectors.checklist_list(user=request.user, filters=_checklist_query(request)).iterator(
            chunk_size=1000
        )
    )  # fmt: skip
    return export_xlsx(
        request, action="checklist.export", object_type="inspections.checklisttemplate", title="检查表",
        headers=["检查表名称", "适用行业", "制定区划", "条目数", "状态", "说明", "更新时间"], rows=rows,
        widths=[36, 16, 16, 8, 8, 40, 17],
    )  # fmt: skip


def _own_checklist(request, pk):
    template = ChecklistTemplate.objects.for_user(request.user).filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


@login_required
def checklist_edit(request, pk=None):
    require_capability(request.user, "checklist.manage")
    template = _own_checklist(request, pk) if pk else None
    initial = (
        {
            "name": template.name,
            "industry": template.industry_id,
            "description": template.description,
            "active": template.active,
        }
        if template
        else {"active": True}
    )
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {
            **form.cleaned_data,
            "industry": form.cleaned_data["industry"].pk if form.cleaned_data["industry"] else None,
        }
        saved = form_service(form, lambda: services.checklist_save(actor=request.user, data=data, template=template))
        if saved is not None:
            messages.success(request, f"检查表“{saved.name}”已保存。")
            return redirect("inspections:checklist_detail", pk=saved.pk)
    return render(request, "inspections/checklist_form.html", {"form": form, "template": template})


@login_required
def checklist_detail(request, pk):
    template = selectors.checklist_get(user=request.user, pk=pk)
    own = ChecklistTemplate.objects.for_user(request.user).filter(pk=pk).exists()
    can_edit = own and request.user.can("checklist.manage")
    form = AddItemsForm(request.GET or None, user=request.user, region_code=template.region_id)
    parts = []
    if can_edit and form.is_valid() and form.cleaned_data["standard"]:
        standard = form.cleaned_data["standard"]
        present = set(template.items.values_list("criteria_item_id", flat=True))
        items = list(CriteriaItem.objects.filter(standard=standard).select_related("part").order_by("sort", "id"))
        groups = {}
        for item in items:
            groups.setdefault(item.part, []).append(item)
        parts = [
            {"part": part, "items": rows, "present": present}
            for part, rows in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0].sort if kv[0] else 0))
        ]
    return render(
        request,
        "inspections/checklist_detail.html",
        {
            "template": template,
            "items": list(template.items.select_related("criteria_item")),
            "can_edit": can_edit,
            "form": form,
            "parts": parts,
        },
    )


@login_required
@require_POST
def checklist_add(request, pk):
    require_capability(request.user, "checklist.manage")
    template = _own_checklist(request, pk)
    run_service(
        request,
        lambda: services.checklist_add_items(
            actor=request.user,
            template=template,
            criteria_ids=request.POST.getlist("criteria"),
            part_ids=request.POST.getlist("parts"),
            texts=request.POST.get("texts", "").splitlines(),
        ),
        lambda rows: f"已加入 {len(rows)} 项检查内容。",
    )
    return redirect("inspections:checklist_detail", pk=pk)


@login_required
@require_POST
def checklist_remove(request, pk, item_pk):
    require_capability(request.user, "checklist.manage")
    template = _own_checklist(request, pk)
    item = get_object_or_404(ChecklistTemplateItem, pk=item_pk, template=template)
    run_service(
        request,
        lambda: services.checklist_remove_item(actor=request.user, item=item),
        "已删除该项（已进行的检查不受影响）。",
    )
    return redirect("inspections:checklist_detail", pk=pk)


@login_required
@require_POST
def checklist_move(request, pk, item_pk):
    """Move an item one place up or down (`direction` "up"/"down")."""
    require_capability(request.user, "checklist.manage")
    template = _own_checklist(request, pk)
    item = get_object_or_404(ChecklistTemplateItem, pk=item_pk, template=template)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    run_service(
        request,
        lambda: services.checklist_reorder(actor=request.user, template=template, item=item, move=direction),
        "已调整顺序。",
    )
    return redirect(f"{template.get_absolute_url()}#row-{item.pk}")


@login_required
@require_POST
def checklist_active(request, pk):
    """Deactivate (停用) or bring back a checklist."""
    require_capability(request.user, "checklist.manage")
    template = _own_checklist(request, pk)
    active = request.POST.get("active") == "1"
    run_service(
        request,
        lambda: services.checklist_set_active(actor=request.user, template=template, active=active),
        "检查表已启用。" if active else "检查表已停用：新的检查不能再选用它，已进行的检查不受影响。",
    )
    return redirect(template)
