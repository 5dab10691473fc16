"""Pages of “两单两卡一会”: posts (list, new, detail with the four items and their versions, 班前会),
a stable address per item that always shows its current version (the QR code on the printed card points
there), the A6 PDF of the 岗位应急处置卡, 班前会 records and the coverage per enterprise.
Every list filters, sorts, paginates and exports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhiben.core.excel import write_xlsx
from zhiben.core.forms import form_service
from zhiben.core.views import download, list_context, paginate, query_without, require_capability
from zhiben.enterprises.filters import industry_options, region_options

from . import selectors, services
from .choices import CardKind
from .documents import emergency_card_pdf
from .forms import BriefingForm, CardForm, PostForm

VIEW, MANAGE = selectors.VIEW, selectors.MANAGE

PostFilterForm = selectors.POST_FILTERS.form_class("PostFilterForm")
BriefingFilterForm = selectors.BRIEFING_FILTERS.form_class("BriefingFilterForm")


def _xlsx(headers, rows, title):
    text = [["" if v is None else (v.strftime("%Y-%m-%d") if isinstance(v, date) else str(v)) for v in r] for r in rows]
    return download(write_xlsx(headers, text, sheet_title=title), f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


def _kind(kind):
    if kind not in CardKind.values:
        raise Http404
    return kind


@login_required
def post_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.post_list(user=request.user, filters=request.GET)
    return render(
        request, "posts/post_list.html", list_context(request, qs, PostFilterForm, can_manage=request.user.can(MANAGE))
    )


@login_required
def post_export(request):
    require_capability(request.user, VIEW)
    qs = selectors.post_list(user=request.user, filters=request.GET)
    current = {}
    from .models import CardVersion

    for post_id, kind, version in CardVersion.objects.filter(post__in=qs, current=True).values_list(
        "post_id", "kind", "version"
    ):
        current[(post_id, kind)] = version
    rows = [
        [p.enterprise.name, p.name, p.team, "在用" if p.active else "停用"]
        + [f"第{current[(p.pk, k)]}版" if (p.pk, k) in current else "未建立" for k in CardKind.values]
        for p in qs
    ]
    return _xlsx(["企业", "岗位", "班组/车间", "状态", *CardKind.labels], rows, "岗位两单两卡")


@login_required
def post_new(request):
    require_capability(request.user, MANAGE)
    form = PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        post = form_service(form, lambda: services.post_save(actor=request.user, data=form.data_for_service()))
        if post is not None:
            messages.success(request, "岗位已建立，请编制两单两卡。")
            return redirect(post.get_absolute_url())
    return render(request, "form_page.html", {"form": form, "title": "新建岗位", "back": reverse("posts:posts")})


@login_required
def post_edit(request, pk):
    require_capability(request.user, MANAGE)
    post = selectors.post_get(request.user, pk)
    form = PostForm(request.POST or None, initial={"name": post.name, "team": post.team}, user=request.user, post=post)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service() | {"active": "1" if request.POST.get("active", "1") else ""}
        saved = form_service(form, lambda: services.post_save(actor=request.user, data=data, post=post))
        if saved is not None:
            messages.success(request, "岗位已保存。")
            return redirect(saved.get_absolute_url())
    return render(
        request, "form_page.html", {"form": form, "title": f"修改岗位：{post.name}", "back": post.get_absolute_url()}
    )


@login_required
def post_detail(request, pk):
    require_capability(request.user, VIEW)
    post = selectors.post_get(request.user, pk)
    briefings = selectors.briefing_list(user=request.user, filters={"post": str(post.pk)})[:10]
    return render(
        request,
        "posts/post_detail.html",
        {
            "post": post,
            "cards": selectors.post_cards(post),
            "briefings": briefings,
            "can_manage": request.user.can(MANAGE),
        },
    )


@login_required
def card_current(request, pk, kind):
    """The stable address of an item: always its current version (the printed card's QR code)."""
    require_capability(request.user, VIEW)
    post = selectors.post_get(request.user, pk)
    card = selectors.current_card(post, _kind(kind))
    if card is None:
        raise Http404
    return render(
        request, "posts/card.html", {"post": post, "card": card, "stable": True, "can_manage": request.user.can(MANAGE)}
    )


@login_required
def card_version(request, pk):
    require_capability(request.user, VIEW)
    card = selectors.card_version_get(request.user, pk)
    return render(
        request,
        "posts/card.html",
        {"post": card.post, "card": card, "stable": False, "can_manage": request.user.can(MANAGE)},
    )


@login_required
def card_edit(request, pk, kind):
    require_capability(request.user, MANAGE)
    post = selectors.post_get(request.user, pk)
    kind = _kind(kind)
    current = selectors.current_card(post, kind)
    initial = {"items": "\n".join(current.items)} if current else {}
    form = CardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        card = form_service(
            form, lambda: services.card_save(actor=request.user, post=post, kind=kind, data=form.cleaned_data)
        )
        if card is not None:
            messages.success(request, f"已保存{card.get_kind_display()}第{card.version}版。")
            return redirect(post.get_absolute_url())
    title = f"{CardKind(kind).label}：{post.name}" + (f"（现行第{current.version}版）" if current else "")
    return render(request, "form_page.html", {"form": form, "title": title, "back": post.get_absolute_url()})


@login_required
def card_pdf(request, pk, kind):
    """The current 岗位应急处置卡 on A6, with a QR code to its stable address."""
    require_capability(request.user, VIEW)
    post = selectors.post_get(request.user, pk)
    if _kind(kind) != CardKind.EMERGENCY:
        raise Http404
    card = selectors.current_card(post, kind)
    if card is None:
        raise Http404
    url = request.build_absolute_uri(reverse("posts:card", args=[post.pk, kind]))
    pdf = emergency_card_pdf(card, url)
    return download(pdf, f"岗位应急处置卡-{post.name}.pdf", "application/pdf", inline=True)


@login_required
def briefing_new(request, pk):
    require_capability(request.user, MANAGE)
    post = selectors.post_get(request.user, pk)
    form = BriefingForm(request.POST or None, initial={"held_on": timezone.localdate().isoformat(), "team": post.team})
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: services.briefing_save(actor=request.user, post=post, data=form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, "班前会记录已保存。")
            return redirect(post.get_absolute_url())
    return render(
        request, "form_page.html", {"form": form, "title": f"班前会记录：{post.name}", "back": post.get_absolute_url()}
    )


@login_required
def briefing_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.briefing_list(user=request.user, filters=request.GET)
    return render(request, "posts/briefing_list.html", list_context(request, qs, BriefingFilterForm))


@login_required
def briefing_export(request):
    require_capability(request.user, VIEW)
    qs = selectors.briefing_list(user=request.user, filters=request.GET)
    rows = [
        [b.held_on, b.enterprise.name, b.post.name, b.team, b.attendee_count, b.attendees, b.content, b.recorder]
        for b in qs
    ]
    return _xlsx(["日期", "企业", "岗位", "班组", "参会人数", "参会人员", "会议内容", "记录人"], rows, "班前会记录")


def _coverage(request):
    """The coverage of the region, industry and day (统计日, e.g. the end of a figure's period) asked, and its rows
    as listed: all or only those not fully covered (missing=1), in place order or by share (selectors.coverage_args,
    coverage_rows)."""
    args = selectors.coverage_args(
        request.user,
        region=request.GET.get("region", ""),
        industry=request.GET.get("industry", ""),
        day=request.GET.get("day", ""),
    )
    result = selectors.coverage(request.user, **args)
    rows = selectors.coverage_rows(result, missing=request.GET.get("missing") == "1", sort=request.GET.get("sort", ""))
    return result, rows


@login_required
def coverage(request):
    require_capability(request.user, VIEW)
    result, rows = _coverage(request)
    return render(
        request,
        "posts/coverage.html",
        {
            "result": result,
            "page": paginate(request, rows),
            "regions": region_options(request.user),
            "industries": industry_options(request.user),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
        },
    )


@login_required
def coverage_export(request):
    require_capability(request.user, VIEW)
    _, rows = _coverage(request)
    data = [
        [
            r.enterprise.name,
            r.enterprise.region_name,
            r.posts,
            r.complete,
            r.briefed,
            f"{r.share}%",
            "是" if r.covered else "否",
            "；".join(r.missing),
        ]
        for r in rows
    ]
    headers = ["企业", "所属区划", "岗位数", "两单两卡齐全", "近期班前会", "覆盖率", "全覆盖", "缺项"]
    return _xlsx(headers, data, "两单两卡一会覆盖")
