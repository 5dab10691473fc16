"""The public pages, no login: the report form (pre-filled from a poster's QR code), the code and secret
shown once, the follow-up (status, replies, additions, the reward claim), the region picker's data, QR codes
and posters.

A reporter who proved the code and secret gets the report's id in their session for an hour; nothing in a
URL carries the secret. Every page here sends a strict Content-Security-Policy (scripts only from our own
static files), so text someone typed can never run as a script, and `Cache-Control: no-store`."""

import io
import secrets
from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.exceptions import ApplicationError
from zhiben.core.middleware import client_ip
from zhiben.core.views import evidence_response
from zhiben.regions.models import Region

from . import selectors, services
from .forms import AddForm, ClaimForm, ReportForm, TrackForm
from .models import Category, Photo, Report

DEVICE_COOKIE = "zb_device"
SESSION_KEY = "reports_tracked"
TRACK_SECONDS = 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def public(view):
    """Headers every public page carries; a device cookie (a random id, for the rate limits only)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.COOKIES.get(DEVICE_COOKIE):
            response.set_cookie(
                DEVICE_COOKIE,
                secrets.token_urlsafe(16),
                max_age=365 * 86400,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    return wrapper


def client_of(request):
    return services.Client.of(client_ip(request) or "", request.COOKIES.get(DEVICE_COOKIE, ""))


def _region_levels(code):
    """The pickers from the top of the deployment's tree down to `code`: [(options, selected code)], plus
    the children of `code` when it has any."""
    root = selectors.public_root()
    if root is None:
        return []
    chain = [root]
    region = Region.objects.filter(code=code).first() if code else None
    if region is not None and region.code != root.code and region.code.startswith(root.short_code):
        chain = [r for r in region.ancestors() if r.level >= root.level] + [region]
    levels = []
    for parent, chosen in zip(chain, chain[1:] + [None]):
        options = list(Region.objects.filter(parent=parent).order_by("code").values_list("code", "name"))
        if options:
            levels.append((options, chosen.code if chosen else ""))
    return levels


@public
def report_form(request):
    categories = [(c.code, c.name) for c in Category.objects.filter(is_active=True)]
    enterprise = services.enterprise_from_token(request.GET.get("e")) if request.GET.get("e") else None
    initial = {
        "category": request.GET.get("category", ""),
        "region": (enterprise.region_id if enterprise else request.GET.get("region", "")),
        "enterprise_name": enterprise.name if enterprise else "",
        "enterprise_token": request.GET.get("e", "") if enterprise else "",
        "challenge": services.challenge_new(),
    }
    form = ReportForm(request.POST or None, request.FILES or None, categories=categories, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "anonymous": form.cleaned_data["anonymous"]}
        try:
            services.challenge_check(data.get("challenge"), data.get("counter"))
            report, secret = services.report_submit(
                data=data, files=form.cleaned_data["photos"], client=client_of(request)
            )
        except ApplicationError as exc:
            from zhiben.core.forms import apply_service_errors

            apply_service_errors(form, exc)
        else:
            request.session["report_new"] = {"code": report.code, "secret": secret}
            _grant(request, report)
            return redirect("report_public:done")
        # a fresh challenge for the next try: the solved one was used, or has expired
        form.data = form.data.copy()
        form.data["challenge"], form.data["counter"] = services.challenge_new(), ""
    region_code = form.data.get("region") if form.is_bound else initial["region"]
    return render(
        request,
        "reports/public_form.html",
        {
            "form": form,
            "levels": _region_levels(str(region_code or "").ljust(12, "0")[:12] if region_code else ""),
            "enterprise": enterprise,
            "categories": Category.objects.filter(is_active=True),
        },
    )


@public
def report_done(request):
    """The code and secret, once: reloading the page shows the follow-up instead."""
    new = request.session.pop("report_new", None)
    if not new:
        return redirect("report_public:track")
    return render(request, "reports/public_done.html", new)


def _grant(request, report):
    tracked = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v > timezone.now().timestamp()}
    tracked[str(report.pk)] = timezone.now().timestamp() + TRACK_SECONDS
    request.session[SESSION_KEY] = tracked
    request.session["report_current"] = report.pk


def _tracked(request):
    """The report this session proved the code and secret of, or None."""
    pk = request.session.get("report_current")
    until = request.session.get(SESSION_KEY, {}).get(str(pk))
    if not pk or not until or until < timezone.now().timestamp():
        return None
    return Report.objects.select_related("category", "region", "unit").filter(pk=pk).first()


@public
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_find(
                form.cleaned_data["code"], form.cleaned_data["secret"], client=client_of(request)
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            _grant(request, report)
            return redirect("report_public:status")
    return render(request, "reports/public_track.html", {"form": form})


@public
def status(request):
    report = _tracked(request)
    if report is None:
        return redirect("report_public:track")
    context = selectors.public_view(report)
    context |= {"add_form": AddForm(), "claim_form": ClaimForm(), "flash": request.session.pop("report_flash", "")}
    return render(request, "reports/public_status.html", context)


@public
@require_POST
def add(request):
    report = _tracked(request)
    if report is None:
        return redirect("report_public:track")
    form = AddForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            services.reporter_add(report=report, text=form.cleaned_data["text"], files=form.cleaned_data["photos"])
        except ApplicationError as exc:
            error = exc.message
    else:
        error = "；".join(e for errors in form.errors.values() for e in errors)
    if not error:
        request.session["report_flash"] = "补充内容已提交，承办单位会看到。"
        return redirect("report_public:status")
    context = selectors.public_view(report) | {"add_form": form, "claim_form": ClaimForm(), "add_error": error}
    return render(request, "reports/public_status.html", context, status=400)


@public
@require_POST
def claim(request):
    report = _tracked(request)
    if report is None:
        return redirect("report_public:track")
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            services.reward_claim(report=report, data=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            request.session["report_flash"] = "奖励申领已提交：承办单位核对后发放，收款信息仅保密专员可见。"
            return redirect("report_public:status")
    context = selectors.public_view(report) | {"add_form": AddForm(), "claim_form": form}
    return render(request, "reports/public_status.html", context, status=400)


@public
@require_POST
def leave(request):
    request.session.pop(SESSION_KEY, None)
    request.session.pop("report_current", None)
    return redirect("report_public:track")


@public
def photo(request, pk, thumb=False):
    report = _tracked(request)
    attachment = Photo.objects.filter(pk=pk, report=report).first() if report else None
    if attachment is None:
        raise Http404
    return evidence_response(attachment, thumb=thumb)


def regions(request):
    """The children of a region for the picker (names and codes of the official division tree only)."""
    parent = str(request.GET.get("parent", ""))[:12]
    root = selectors.public_root()
    if root is None or not parent.isdigit() or not parent.startswith(root.short_code):
        return JsonResponse({"regions": []})
    rows = Region.objects.filter(parent_id=parent.ljust(12, "0")).order_by("code").values_list("code", "name")
    return JsonResponse({"regions": [{"code": c, "name": n} for c, n in rows]})


# ---------------------------------------------------------------- QR codes and posters


def form_url(request, *, region=None, enterprise=None):
    query = f"?e={services.enterprise_token(enterprise)}" if enterprise else f"?region={region.code}"
    return request.build_absolute_uri(reverse("report_public:form") + query)


def qr_response(url, fmt):
    import segno

    code = segno.make(url, error="m")
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=8, border=2, title="安全生产举报")
        return HttpResponse(out.getvalue(), content_type="image/svg+xml")
    code.save(out, kind="png", scale=10, border=2)
    return HttpResponse(out.getvalue(), content_type="image/png")


def region_qr(request, code, fmt):
    region = selectors.public_region(code)
    return qr_response(form_url(request, region=region), fmt)


@public
def poster(request, code):
    region = selectors.public_region(code)
    return render(
        request,
        "reports/poster.html",
        {
            "place": region.name,
            "url": form_url(request, region=region),
            "png": reverse("report_public:region_qr", args=[region.code, "png"]),
            "svg": reverse("report_public:region_qr", args=[region.code, "svg"]),
        },
    )


@public
def posters(request):
    root = selectors.public_root()
    towns = Region.objects.subtree(root.code).filter(level=4).order_by("code") if root else Region.objects.none()
    return render(request, "reports/posters.html", {"towns": towns, "root": root})
