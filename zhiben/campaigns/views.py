"""Campaign pages: the list, create/edit from a preset, the detail with progress and the region
breakdown, targets (checked / unchecked), checks, the phone check form, check detail, ledger export
and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.filters import flag
from zhiben.core.forms import apply_service_errors, raise_for_refusal
from zhiben.core.offline import offline_form, saved
from zhiben.core.tables import day
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    PAGE_SIZES,
    audit_export,
    download,
    evidence_response,
    export_xlsx,
    paginate,
    query_without,
    require_capability,
    tell_sheets,
)

from . import selectors, services
from .choices import Status
from .exports import import_template, ledger_xlsx
from .forms import (
    CampaignFilterForm,
    CampaignForm,
    CheckFilterForm,
    CheckForm,
    ImportForm,
    column_rows,
    columns_from_post,
)
from .models import CampaignPhoto
from .presets import PRESETS, preset
from .workflow import EDITABLE_STATUSES, TRANSITIONS, allowed_actions, may_manage

TARGET_SELECT_LIMIT = 500


def _campaign(request, pk):
    require_capability(request.user, "campaign.view")
    return selectors.campaign_get(user=request.user, pk=pk)


@login_required
def campaign_list(request):
    require_capability(request.user, "campaign.view")
    qs = selectors.campaign_list(user=request.user, filters=request.GET)
    page = paginate(request, qs)
    rows = [(c, selectors.campaign_progress(c, request.user, by_region=False)) for c in page]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "form": CampaignFilterForm(initial=request.GET.dict(), user=request.user),
            "page": page,
            "rows": rows,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "export_query": query_without(request, "page"),
            "can_manage": request.user.can("campaign.manage"),
            "presets": PRESETS,
        },
    )


CAMPAIGN_HEADERS = ["名称", "牵头区划", "开始日期", "结束日期", "状态", "排查对象", "已检查", "未检查", "检查率（%）"]
CAMPAIGN_HEADERS += ["检查次数", "发现隐患", "已销号"]


def _campaign_row(campaign, user):
    p = selectors.campaign_progress(campaign, user, by_region=False)
    return [
        campaign.name, campaign.region.name, day(campaign.start_date), day(campaign.end_date),
        campaign.get_status_display(), p["targets"], p["checked"], p["unchecked"], p["percent"], p["checks"],
        p["hazards"], p["closed"],
    ]  # fmt: skip


@login_required
def campaign_list_export(request):
    """专项整治清单: the campaigns the list shows (same filters, same order), each with its progress in the user's
    scope as the list shows it."""
    require_capability(request.user, "campaign.view")
    qs = selectors.campaign_list(user=request.user, filters=request.GET)
    return export_xlsx(
        request, action="campaign.export", object_type="campaigns.campaign", title="专项整治",
        headers=CAMPAIGN_HEADERS, rows=(_campaign_row(c, request.user) for c in qs.iterator(chunk_size=500)),
        widths=[36, 14, 12, 12, 8, 10, 10, 10, 10, 10, 10, 10],
    )  # fmt: skip


def _campaign_form(request, campaign=None):
    user = request.user
    if campaign is None:
        chosen = preset(request.GET.get("preset", "")) or {}
        today = timezone.localdate()
        initial = {
            "name": chosen.get("name", ""),
            "description": chosen.get("description", ""),
            "start_date": today,
            "end_date": today.replace(month=12, day=31),
            "industries": list(chosen.get("industries", [])),
            "place_kinds": chosen.get("place_kinds", []),
            "place_industry": chosen.get("place_industry") or None,
            "preset": chosen.get("key", ""),
        }
        from zhiben.regions.models import Industry

        codes = {i.code: i.pk for i in Industry.objects.all()}
        initial["industries"] = [codes[c] for c in initial["industries"] if c in codes]
        initial["place_industry"] = codes.get(initial["place_industry"] or "")
        columns = chosen.get("columns", [])
    else:
        initial = {
            "name": campaign.name,
            "description": campaign.description,
            "start_date": campaign.start_date,
            "end_date": campaign.end_date,
            "industries": list(campaign.industries.values_list("pk", flat=True)),
            "place_kinds": campaign.place_kinds,
            "place_industry": campaign.place_industry_id,
            "checklist": campaign.checklist_id,
            "preset": campaign.preset,
        }
        columns = campaign.columns
    form = CampaignForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST":
        columns = columns_from_post(request.POST)
        if form.is_valid():
            try:
                if campaign is None:
                    saved = services.campaign_create(actor=user, data=form.service_data(columns))
                else:
                    saved = services.campaign_update(actor=user, campaign=campaign, data=form.service_data(columns))
            except ApplicationError as exc:
                raise_for_refusal(exc)
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"专项整治“{saved.name}”已保存。")
                return redirect("campaigns:detail", pk=saved.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "campaign": campaign,
            "column_rows": column_rows(columns),
            "column_types": [("text", "文本"), ("number", "数字"), ("bool", "是/否"), ("choice", "选项")],
            "presets": PRESETS,
            "chosen": request.GET.get("preset", ""),
        },
    )


@login_required
def campaign_create(request):
    require_capability(request.user, "campaign.manage")
    return _campaign_form(request)


@login_required
def campaign_edit(request, pk):
    require_capability(request.user, "campaign.manage")
    campaign = _campaign(request, pk)
    if not may_manage(request.user, campaign):
        raise PermissionDenied("该专项整治由上级牵头，您不能修改。")
    if campaign.status not in EDITABLE_STATUSES:
        messages.error(request, "专项整治已结束，不能再修改。")
        return redirect("campaigns:detail", pk=campaign.pk)
    return _campaign_form(request, campaign)


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    user = request.user
    progress = selectors.campaign_progress(campaign, user)
    checks = selectors.check_list(user=user, campaign=campaign)[:10]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "checks": checks,
            "actions": allowed_actions(campaign, user),
            "can_edit": may_manage(user, campaign) and campaign.status in EDITABLE_STATUSES,
            "can_check": user.can("campaign.check") and campaign.status == Status.ACTIVE,
            "industries": campaign.industries.all(),
            "kind_labels": _kind_labels(campaign),
            "events": subject_events(campaign),
            "checklist_items": services.checklist_items(campaign),
        },
    )


def _kind_labels(campaign):
    from zhiben.hazards.choices import PlaceKind

    labels = dict(PlaceKind.choices)
    return [labels.get(k, k) for k in campaign.place_kinds]


@login_required
@require_POST
def campaign_transition(request, pk, action):
    campaign = _campaign(request, pk)
    try:
        services.campaign_transition(
            actor=request.user, campaign=campaign, action=action, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        raise_for_refusal(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"专项整治已{TRANSITIONS[action].label}。")
    return redirect("campaigns:detail", pk=campaign.pk)


def _target_rows(request, campaign):
    """The targets the list shows for the query (checked or not, a region's subtree, a name), each with its region's
    name."""
    rows = selectors.target_rows(
        campaign,
        request.user,
        checked=flag(request.GET.get("checked", "")),
        region=request.GET.get("region", ""),
        q=request.GET.get("q", "").strip(),
    )
    names = selectors.region_names(r["region_id"] for r in rows)
    for row in rows:
        row["region_name"] = names.get(row["region_id"], "")
    return rows


@login_required
def campaign_targets(request, pk):
    campaign = _campaign(request, pk)
    rows = _target_rows(request, campaign)
    try:
        size = int(request.GET.get("per_page", 50))
    except ValueError:
        size = 50
    page = Paginator(rows, size if size in PAGE_SIZES else 50).get_page(request.GET.get("page"))
    from zhiben.hazards.filters import region_options

    return render(
        request,
        "campaigns/target_list.html",
        {
            "campaign": campaign,
            "page": page,
            "checked": request.GET.get("checked", ""),
            "regions": region_options(request.user),
            "region": request.GET.get("region", ""),
            "q": request.GET.get("q", ""),
            "query": query_without(request, "page"),
            "can_check": request.user.can("campaign.check") and campaign.status == Status.ACTIVE,
        },
    )


@login_required
def campaign_targets_export(request, pk):
    """排查对象: the targets the list shows (same filters), each with its checks, for the towns to work through."""
    campaign = _campaign(request, pk)
    rows = (
        [
            r["name"], r["what"], r["region_name"], r["checks"], r["last_date"].isoformat() if r["last_date"] else "",
            "已检查" if r["checks"] else "未检查",
        ]
        for r in _target_rows(request, campaign)
    )  # fmt: skip
    data = write_xlsx(
        ["对象名称", "类别", "所在区划", "检查次数", "最近检查", "检查情况"], rows, sheet_title="排查对象",
        widths=[36, 16, 16, 10, 12, 10],
    )  # fmt: skip
    audit_export(request, action="campaign.export", obj=campaign, data={"what": "排查对象"})
    return download(data, f"{campaign.name}_排查对象_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def campaign_checks(request, pk):
    campaign = _campaign(request, pk)
    qs = selectors.check_list(user=request.user, campaign=campaign, filters=request.GET)
    return render(
        request,
        "campaigns/check_list.html",
        {
            "campaign": campaign,
            "form": CheckFilterForm(initial=request.GET.dict(), user=request.user),
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "can_import": request.user.can("campaign.check") and campaign.status == Status.ACTIVE,
        },
    )


@login_required
def campaign_export(request, pk):
    campaign = _campaign(request, pk)
    data = ledger_xlsx(campaign, request.user, filters=request.GET)
    audit_export(request, action="campaign.export", obj=campaign)
    return download(data, f"{campaign.name}_台账_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@offline_form
def check_create(request, pk):
    campaign = _campaign(request, pk)
    require_capability(request.user, "campaign.check")
    if campaign.status != Status.ACTIVE:
        messages.error(
            request,
            f"专项整治“{campaign.name}”{'尚未启动' if campaign.status == Status.DRAFT else '已结束'}，不能登记检查。",
        )
        return redirect("campaigns:detail", pk=campaign.pk)
    user = request.user
    items = services.checklist_items(campaign)
    wanted = request.GET.get("target") or request.POST.get("target") or ""
    fixed = None
    targets = []
    if request.GET.get("target"):
        obj, problem = selectors.find_target(campaign, user, wanted)
        if obj is None:
            messages.error(request, problem)
            return redirect("campaigns:targets", pk=campaign.pk)
        fixed = (wanted, obj.name)
    else:
        rows = selectors.target_rows(campaign, user)
        rows.sort(key=lambda r: (r["checks"] > 0, r["region_id"], r["name"]))
        targets = [(r["key"], r["name"] + ("（已查）" if r["checks"] else "")) for r in rows[:TARGET_SELECT_LIMIT]]
    initial = {
        "date": timezone.localdate(),
        "checker": user.display_name,
        "unit_name": services.default_unit_name(user),
        "report_hazards": True,
    }
    form = CheckForm(
        request.POST or None,
        request.FILES or None,
        campaign=campaign,
        items=items,
        targets=targets,
        fixed_target=fixed,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.check_record(
                actor=user, campaign=campaign, data=form.service_data(), files=form.cleaned_data.get("photos") or []
            )
        except ApplicationError as exc:
            raise_for_refusal(exc)
            apply_service_errors(form, exc)
        else:
            found = check.hazards.count()
            messages.success(
                request, "检查已登记。" + (f"发现问题已登记为 {found} 条隐患。" if found else "未发现问题。")
            )
            return saved(redirect("campaigns:check_detail", pk=check.pk))
    return render(
        request,
        "campaigns/check_form.html",
        {"campaign": campaign, "form": form, "fixed": fixed, "too_many": len(targets) >= TARGET_SELECT_LIMIT},
    )


@login_required
def check_detail(request, pk):
    require_capability(request.user, "campaign.view")
    check = selectors.check_get(user=request.user, pk=pk)
    campaign = check.campaign
    from zhiben.hazards.models import Hazard

    from . import columns as cols

    return render(
        request,
        "campaigns/check_detail.html",
        {
            "check": check,
            "campaign": campaign,
            "values": [(c["label"], cols.display(c, check.values.get(c["key"]))) for c in campaign.columns],
            "items": check.items.select_related("hazard"),
            "photos": check.photos.all(),
            "hazards": Hazard.objects.for_user(request.user).filter(campaign_checks=check).order_by("id"),
            "hidden_hazards": check.hazards.count()
            - Hazard.objects.for_user(request.user).filter(campaign_checks=check).count(),
            "others": selectors.check_list(
                user=request.user, campaign=campaign, filters={"target": check.target_key}
            ).exclude(pk=check.pk),
        },
    )


@login_required
def check_photo(request, pk, photo_pk, thumb=False):
    require_capability(request.user, "campaign.view")
    check = selectors.check_get(user=request.user, pk=pk)
    photo = get_object_or_404(CampaignPhoto, pk=photo_pk, campaign_check=check)
    return evidence_response(photo, thumb=thumb)


@login_required
def check_import(request, pk):
    campaign = _campaign(request, pk)
    require_capability(request.user, "campaign.check")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            checks = services.check_import(
                actor=request.user, campaign=campaign, source=upload, filename=upload.name, sheets=sheets
            )
        except ApplicationError as exc:
            raise_for_refusal(exc)
            errors = exc.errors
            if not errors:
                form.add_error(None, exc.message)
            else:
                form.add_error(None, f"导入未完成：{len(errors)} 行有错误，未写入任何数据。请改正后重新导入。")
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"已导入 {len(checks)} 条检查记录。")
            tell_sheets(request, sheets)
            return redirect("campaigns:checks", pk=campaign.pk)
    return render(request, "campaigns/check_import.html", {"campaign": campaign, "form": form, "errors": errors})


@login_required
def import_template_download(request, pk):
    campaign = _campaign(request, pk)
    return download(import_template(campaign), f"{campaign.name}_检查记录导入模板.xlsx")
