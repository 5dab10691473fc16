"""Pages of rankings: scorecards (list, detail, new/edit with items as rows), scoring a period, the ranking of a
run (rank, subject, score, tier, change, each value linking to its records) with its Excel export and the
bulletin, and one subject's history across periods."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import raise_for_refusal, run_service
from zhiben.core.periods import current_period
from zhiben.core.views import audit_export, download, require_capability

from . import selectors, services
from .documents import KEY as BULLETIN
from .documents import SUBJECT_MODEL, change_text
from .forms import (
    DIRECTIONS,
    ITEM_FIELDS,
    METHODS,
    TIER_FIELDS,
    ScorecardForm,
    ScoreForm,
    figure_choices,
    item_rows,
    rows_from,
    tier_rows,
)
from .services import MANAGE, VIEW, number_text


@login_required
def scorecard_list(request):
    require_capability(request.user, VIEW)
    cards = selectors.scorecard_list(user=request.user)
    return render(
        request,
        "rankings/scorecard_list.html",
        {"cards": cards, "can_manage": request.user.can(MANAGE)},
    )


def _form_page(request, scorecard=None):
    require_capability(request.user, MANAGE)
    posted = request.method == "POST"
    initial = {}
    if scorecard is not None:
        initial = {
            "name": scorecard.name,
            "period_kind": scorecard.period_kind,
            "tier_mode": scorecard.tier_mode,
            "active": scorecard.active,
            "note": scorecard.note,
        }
    form = ScorecardForm(
        request.POST if posted else None,
        initial=initial,
        user=request.user,
        fixed_region=scorecard.region if scorecard is not None else None,
    )
    items = rows_from(request.POST, "item", ITEM_FIELDS) if posted else None
    tiers = rows_from(request.POST, "tier", TIER_FIELDS) if posted else None
    errors = {"items": [], "tiers": [], "other": []}
    if posted and form.is_valid():
        data = {**form.cleaned_data, "items": items, "tiers": tiers}
        try:
            saved = services.scorecard_save(actor=request.user, data=data, scorecard=scorecard)
        except ApplicationError as exc:
            raise_for_refusal(exc)
            for error in exc.errors or [{"field": None, "message": exc.message}]:
                if error.get("field") in form.fields:
                    form.add_error(error["field"], error["message"])
                else:
                    errors.get(error.get("field"), errors["other"]).append(error["message"])
        else:
            messages.success(request, f"评分表“{saved.name}”已保存。")
            return redirect(saved.get_absolute_url())
    mode = request.POST.get("tier_mode") if posted else (scorecard.tier_mode if scorecard else "thresholds")
    return render(
        request,
        "rankings/scorecard_form.html",
        {
            "form": form,
            "scorecard": scorecard,
            "items": item_rows(scorecard, items),
            "tiers": tier_rows(scorecard, tiers, mode if mode in ("thresholds", "quantiles") else "thresholds"),
            "figure_groups": figure_choices(),
            "directions": DIRECTIONS,
            "methods": METHODS,
            "errors": errors,
            "title": f"修改评分表：{scorecard.name}" if scorecard else "新建评分表",
        },
    )


@login_required
def scorecard_new(request):
    return _form_page(request)


@login_required
def scorecard_edit(request, pk):
    require_capability(request.user, MANAGE)
    return _form_page(request, selectors.scorecard_get(user=request.user, pk=pk))


def _last_period(scorecard):
    return current_period(scorecard.period_kind, timezone.localdate()).previous()


@login_required
def scorecard_detail(request, pk):
    require_capability(request.user, VIEW)
    card = selectors.scorecard_get(user=request.user, pk=pk)
    last_text = current_period(card.period_kind, _last_period(card).start).text
    return render(
        request,
        "rankings/scorecard_detail.html",
        {
            "card": card,
            "items": card.items.all(),
            "runs": selectors.scorecard_runs(card),
            "form": ScoreForm(initial={"period": last_text}),
            "can_manage": request.user.can(MANAGE),
            "subjects": list(card.region.children.order_by("code")),
        },
    )


@login_required
@require_POST
def scorecard_score(request, pk):
    require_capability(request.user, MANAGE)
    card = selectors.scorecard_get(user=request.user, pk=pk)
    form = ScoreForm(request.POST)
    period = request.POST.get("period", "") if form.is_valid() else ""
    run = run_service(
        request,
        lambda: services.ranking_score(actor=request.user, scorecard=card, period=period),
        lambda run: f"已完成{run.period_label}评分（第 {run.version} 版）。",
    )
    return redirect(run.get_absolute_url() if run is not None else card.get_absolute_url())


@login_required
def run_detail(request, pk):
    require_capability(request.user, VIEW)
    run = selectors.run_get(user=request.user, pk=pk)
    reds, lowest = selectors.red_list(run)
    documents = []
    if request.user.can("document.view"):
        from zhiben.documents.selectors import subject_documents

        documents = list(subject_documents(user=request.user, subject=run)[:10])
    can_issue = request.user.can(MANAGE) and request.user.can("document.issue") and request.user.unit_id
    return render(
        request,
        "rankings/run_detail.html",
        {
            "run": run,
            "lines": selectors.run_table(run, request.user),
            "noun": selectors.subject_noun(run.region),
            "versions": selectors.run_versions(run),
            "red": reds,
            "red_is_tier": lowest,
            "documents": documents,
            "issue_url": reverse("documents:issue", args=[SUBJECT_MODEL, run.pk, BULLETIN])
            if can_issue and run.current
            else "",
            "can_manage": request.user.can(MANAGE),
        },
    )


@login_required
def run_export(request, pk):
    require_capability(request.user, VIEW)
    run = selectors.run_get(user=request.user, pk=pk)
    noun = selectors.subject_noun(run.region)
    headers = ["名次", "区划代码", noun]
    for item in run.items:
        unit = f"（{item['unit']}）" if item["unit"] else ""
        headers += [f"{item['label']}{unit}", f"{item['label']}得分（满分{number_text(item['weight'])}）"]
    headers += ["总分", "等次", "上期名次", "名次变化", "上期得分", "得分变化", "无数据的指标"]
    labels = {i["key"]: i["label"] for i in run.items}
    rows = []
    for line in selectors.run_table(run):
        e = line.entry
        row = [e.rank, e.region_id, e.name]
        for cell in line.cells:
            row += [cell.value, cell.points]
        row += [
            float(e.score),
            e.tier,
            e.previous_rank,
            change_text(e),
            float(e.previous_score) if e.previous_score is not None else None,
            float(e.score_change) if e.score_change is not None else None,
            "、".join(labels.get(k, k) for k in e.missing),
        ]
        rows.append(row)
    title = f"{run.period_label}排名"
    data = write_xlsx(headers, rows, sheet_title=title[:31], widths=[6, 14, 14] + [12] * (len(headers) - 3))
    audit_export(request, action="ranking.export", obj=run)
    return download(data, f"评分排名_{run.region.name}_{run.period_label}_第{run.version}版.xlsx")


@login_required
def subject_history(request, pk, code):
    require_capability(request.user, VIEW)
    card = selectors.scorecard_get(user=request.user, pk=pk)
    region, rows = selectors.subject_history(user=request.user, scorecard=card, code=code)
    return render(
        request,
        "rankings/history.html",
        {"card": card, "region": region, "rows": rows, "noun": selectors.subject_noun(card.region)},
    )
