"""Pages of inspection plans (list, form, detail with draw/verify/confirm/publish, the public 公示 page
without login), the expert pool, inspector credentials (执法证) and conflicts (回避)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.audit.services import audit_record
from zhiben.core.excel import write_xlsx
from zhiben.core.forms import form_service, run_service
from zhiben.core.views import download, paginate, query_without, require_capability

from . import draws, plan_selectors, plan_services
from .plan_forms import (
    ConflictForm,
    CredentialForm,
    DrawForm,
    ExpertFilterForm,
    ExpertForm,
    PlanFilterForm,
    PlanForm,
)


def _list_context(request, form, qs):
    return {
        "form": form,
        "page": paginate(request, qs),
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
        "export_query": query_without(request, "page"),
    }


def _conditions(plan):
    """The plan's pool filters and quotas in words."""
    from zhiben.enterprises.choices import Scale
    from zhiben.regions.models import Industry
    from zhiben.risk.choices import POOL_LEVELS

    names = dict(Industry.objects.values_list("code", "name")) | {"*": "全部行业"}
    filters = plan.filters or {}
    yes_no = {"1": "是", "0": "否"}
    parts = [
        "行业：" + ("、".join(names.get(c, c) for c in filters.get("industries", [])) or "全部"),
        "高危企业：" + yes_no.get(filters.get("high_risk", ""), "不限"),
        "重点监管：" + yes_no.get(filters.get("directly_supervised", ""), "不限"),
        "规模：" + ("、".join(dict(Scale.choices).get(s, s) for s in filters.get("scales", [])) or "全部"),
        "企业风险等级：" + ("、".join(dict(POOL_LEVELS).get(v, v) for v in filters.get("risk_levels", [])) or "不限"),
        f"排除 {plan.exclude_days} 天内已检查的企业" if plan.exclude_days else "不排除近期已检查的企业",
    ]
    quotas = "；".join(f"{names.get(k, k)} {v} 家" for k, v in (plan.quotas or {}).items())
    return "；".join(parts), quotas


def _stage(plan):
    if plan.published_at:
        return "已公示"
    if plan.confirmed_at:
        return "已确认"
    return "已抽取待确认" if plan.drawn_at else "待抽取"


# ---------------------------------------------------------------- plans


@login_required
def plan_list(request):
    require_capability(request.user, "inspection.view")
    qs = plan_selectors.plan_list(user=request.user, filters=request.GET)
    form = PlanFilterForm(initial=request.GET.dict(), user=request.user)
    return render(request, "inspections/plan_list.html", _list_context(request, form, qs))


@login_required
def plan_export(request):
    require_capability(request.user, "inspection.view")
    qs = plan_selectors.plan_list(user=request.user, filters=request.GET)
    rows = [
        [
            p.name,
            p.unit.name,
            p.region.name,
            p.get_kind_display(),
            p.start,
            p.end,
            p.seed,
            len((p.result or {}).get("teams", [])),
            _stage(p),
        ]
        for p in qs[:10000]
    ]
    audit_record(
        actor=request.user,
        action="inspection_plan.export",
        object_type="inspections.inspectionplan",
        object_repr="检查计划导出",
        region_code=request.user.region_id or "",
        data={"filters": dict(request.GET.items()), "rows": len(rows)},
    )
    data = write_xlsx(
        ["计划名称", "制定单位", "抽查范围", "检查类型", "开始日期", "结束日期", "随机种子", "抽中企业数", "状态"],
        rows,
        sheet_title="检查计划",
    )
    return download(data, f"检查计划_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def plan_edit(request, pk=None):
    require_capability(request.user, "inspection.plan")
    plan = plan_selectors.plan_get(user=request.user, pk=pk) if pk else None
    initial = PlanForm.initial_for(plan) if plan else {"region": request.user.region_id, "quotas": "*=5"}
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: plan_services.plan_save(actor=request.user, data=form.service_data(), plan=plan)
        )
        if saved is not None:
            cleared = "原抽取结果已清除，请重新抽取。" if plan and plan.drawn_at else ""
            messages.success(request, "检查计划已保存。" + cleared)
            return redirect(saved)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request, pk):
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    user = request.user
    own = user.can("inspection.plan") and (user.is_superuser or user.unit_id == plan.unit_id)
    public_url = ""
    if plan.published_at:
        public_url = request.build_absolute_uri(f"/inspections/public/{plan.public_token}/")
    conditions, quotas = _conditions(plan)
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "conditions": conditions,
            "quotas": quotas,
            "rows": plan_selectors.plan_rows(plan),
            "counts": (plan.result or {}).get("counts", {}),
            "inspections": plan.inspections.select_related("enterprise").order_by("number"),
            "can_edit": own and not plan.confirmed_at,
            "can_draw": own and not plan.confirmed_at,
            "can_confirm": own and plan.drawn_at and not plan.confirmed_at,
            "can_publish": own and plan.confirmed_at and not plan.published_at,
            "draw_form": DrawForm(),
            "public_url": public_url,
        },
    )


@login_required
@require_POST
def plan_draw(request, pk):
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: draws.plan_draw(actor=request.user, plan=plan, seed=request.POST.get("seed", "")),
        lambda p: f"抽取完成：随机种子 {p.seed}，抽中 {len(p.result['teams'])} 家企业。",
    )
    return redirect(plan)


@login_required
@require_POST
def plan_verify(request, pk):
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    same, detail = draws.plan_verify(plan)
    if same:
        messages.success(
            request, f"验证一致：以随机种子 {plan.seed} 和存档的候选名单重新抽取，结果与存档结果完全相同。"
        )
    else:
        reason = detail if isinstance(detail, str) else ""
        messages.error(request, "验证不一致：重新抽取的结果与存档结果不同。" + reason)
    return redirect(plan)


@login_required
@require_POST
def plan_confirm(request, pk):
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: plan_services.plan_confirm(actor=request.user, plan=plan),
        lambda created: f"计划已确认，已生成 {len(created)} 项待检查任务。",
    )
    return redirect(plan)


@login_required
@require_POST
def plan_publish(request, pk):
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    run_service(request, lambda: plan_services.plan_publish(actor=request.user, plan=plan), "已公示，公示链接见下方。")
    return redirect(plan)


def plan_public(request, token):
    """The 公示 page: no login; names only (no phones, no ids)."""
    plan = plan_selectors.published_plan(token)
    return render(request, "inspections/plan_public.html", {"plan": plan, "rows": plan_selectors.plan_rows(plan)})


# ---------------------------------------------------------------- experts


@login_required
def expert_list(request):
    require_capability(request.user, "expert.view")
    qs = plan_selectors.expert_list(user=request.user, filters=request.GET)
    form = ExpertFilterForm(initial=request.GET.dict(), user=request.user)
    return render(request, "inspections/expert_list.html", _list_context(request, form, qs))


@login_required
def expert_export(request):
    require_capability(request.user, "expert.view")
    qs = plan_selectors.expert_list(user=request.user, filters=request.GET)
    rows = [
        [
            e.name,
            e.phone_masked,
            e.title,
            e.employer,
            "、".join(i.name for i in e.specialties.all()),
            e.region.name,
            "在库" if e.active else "已出库",
        ]
        for e in qs[:10000]
    ]
    audit_record(
        actor=request.user,
        action="expert.export",
        object_type="inspections.expert",
        object_repr="专家库导出",
        region_code=request.user.region_id or "",
        data={"filters": dict(request.GET.items()), "rows": len(rows)},
    )
    headers = ["姓名", "联系电话", "职称/资格", "工作单位", "专业领域", "所属区划", "状态"]
    return download(write_xlsx(headers, rows, sheet_title="专家库"), f"专家库_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def expert_detail(request, pk):
    expert = plan_selectors.expert_get(user=request.user, pk=pk)
    return render(
        request,
        "inspections/expert_detail.html",
        {
            "expert": expert,
            "specialties": expert.specialties.all(),
            "conflicts": expert.conflicts.select_related("enterprise").order_by("-created_at"),
            "inspections": expert.inspections.select_related("enterprise").order_by("-planned_date", "-id")[:50],
            "can_manage": request.user.can("expert.manage"),
        },
    )


@login_required
def expert_edit(request, pk=None):
    require_capability(request.user, "expert.manage")
    expert = plan_selectors.expert_get(user=request.user, pk=pk) if pk else None
    initial = ExpertForm.initial_for(expert) if expert else {"region": request.user.region_id, "active": True}
    form = ExpertForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: plan_services.expert_save(actor=request.user, data=form.service_data(), expert=expert)
        )
        if saved is not None:
            messages.success(request, f"专家“{saved.name}”已保存。")
            return redirect("inspections:expert_detail", saved.pk)
    return render(request, "inspections/expert_form.html", {"form": form, "expert": expert})


@login_required
@require_POST
def expert_active(request, pk):
    expert = plan_selectors.expert_get(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    run_service(
        request,
        lambda: plan_services.expert_set_active(actor=request.user, expert=expert, active=active),
        "专家已重新入库。" if active else "专家已出库，不再参加抽取。",
    )
    return redirect("inspections:expert_detail", expert.pk)


# ---------------------------------------------------------------- credentials


@login_required
def credential_list(request):
    if not plan_services.can_manage_credentials(request.user):
        raise Http404
    today = timezone.localdate()
    rows = [(c, *plan_selectors.credential_state(c, today)) for c in plan_selectors.credential_list(user=request.user)]
    return render(request, "inspections/expert_credentials.html", {"rows": rows})


@login_required
def credential_edit(request, pk=None):
    if not plan_services.can_manage_credentials(request.user):
        raise Http404
    credential = plan_selectors.credential_get(user=request.user, pk=pk) if pk else None
    initial = {}
    if credential:
        initial = {
            "user": credential.user_id,
            "number": credential.number,
            "issuer": credential.issuer,
            "valid_from": credential.valid_from,
            "valid_until": credential.valid_until,
        }
    form = CredentialForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form,
            lambda: plan_services.credential_save(actor=request.user, data=form.service_data(), credential=credential),
        )
        if saved is not None:
            messages.success(request, f"执法证 {saved.number} 已保存。")
            return redirect("inspections:credential_list")
    return render(request, "inspections/expert_credential_form.html", {"form": form, "credential": credential})


# ---------------------------------------------------------------- conflicts


@login_required
def conflict_list(request):
    require_capability(request.user, "inspection.view")
    qs = plan_selectors.conflict_list(user=request.user, filters=request.GET)
    return render(
        request,
        "inspections/expert_conflicts.html",
        {
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "q": request.GET.get("q", ""),
            "can_manage": plan_services.can_manage_conflicts(request.user),
        },
    )


@login_required
def conflict_new(request):
    if not plan_services.can_manage_conflicts(request.user):
        raise Http404
    initial = {k: request.GET[k] for k in ("user", "expert") if k in request.GET}
    form = ConflictForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_service(form, lambda: plan_services.conflict_add(actor=request.user, data=form.service_data()))
        if saved is not None:
            messages.success(request, "回避已登记，抽取时将自动排除。")
            return redirect("inspections:conflict_list")
    return render(request, "inspections/expert_conflict_form.html", {"form": form})


@login_required
@require_POST
def conflict_remove(request, pk):
    conflict = plan_selectors.conflict_list(user=request.user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    run_service(
        request, lambda: plan_services.conflict_remove(actor=request.user, conflict=conflict), "已删除回避登记。"
    )
    return redirect("inspections:conflict_list")
