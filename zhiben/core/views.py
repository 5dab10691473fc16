"""Home page per role, health check, and the shared helpers every list view uses."""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .db import as_id, page_count
from .exceptions import ApplicationError

PAGE_SIZES = (20, 50, 100)


def require_capability(user, capability):
    if not user.can(capability):
        raise PermissionDenied("您的角色无权进行此操作。")


def tell_sheets(request, sheets):
    """Tell the user of an import which sheets of the workbook were read (when more than one) and warn of each sheet
    left out although it looks like the same table (`core.excel.read_table`'s `sheets`)."""
    from .excel import sheets_read

    if read := sheets_read(sheets):
        messages.info(request, read)
    for sheet in sheets:
        if sheet.left_out:
            messages.warning(request, sheet.left_out)


def back_to(request, default):
    """Redirect to the page the form came from (its `next` field, when it is a path of this site), else `default`."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(default)


def batch_ids(request):
    """The ids of the rows ticked for a batch step (the boxes named "ids"); a value no row's id can be is left out."""
    return [pk for pk in map(as_id, request.POST.getlist("ids")) if pk is not None]


def batch_view(capability, step, *, batch, name, back):
    """The view behind a list's 批量处理 bar (includes/batch_bar.html), POST only: `step(actor=, ids=, action=, note=)`
    (a module's service over `batch`, its core.workflow.Batch) on the ticked rows, what it did told as messages
    (`name`(obj) names a row), then back to the list (`back` when the form names none). `capability` opens it, as it
    opens the list."""

    @login_required
    @require_POST
    def view(request):
        require_capability(request.user, capability)
        action = request.POST.get("action", "")
        try:
            note = request.POST.get("note", "")
            outcome = step(actor=request.user, ids=batch_ids(request), action=action, note=note)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            tell_batch(request, outcome, batch.label(action), name, noun=batch.noun)
        return back_to(request, back)

    return view


def tell_batch(request, outcome, label, name, *, noun, shown=10):
    """What a batch step (core.workflow.transition_many) did, as the page's messages: the `noun`s ("隐患") done, by
    `name`(obj), then each one left with its reason (the first `shown`; the count of the rest)."""
    done, failed = outcome
    if done:
        names = [name(obj) for obj in done]
        listed = "、".join(names[:shown]) + (f" 等 {len(names)} 条" if len(names) > shown else "")
        messages.success(request, f"已对 {len(done)} 条{noun}执行“{label}”：{listed}。")
    for obj, key, message in failed[:shown]:
        messages.error(request, f"{name(obj) if obj is not None else f'编号 {key} 的{noun}'}未处理：{message}")
    if len(failed) > shown:
        messages.error(request, f"另有 {len(failed) - shown} 条未处理，请筛选后逐条查看。")


def paginate(request, queryset, default=20):
    try:
        size = int(request.GET.get("per_page", default))
    except ValueError:
        size = default
    size = size if size in PAGE_SIZES else default
    return EstimatingPaginator(queryset, size, exact=request.GET.get("count") == "exact").get_page(
        request.GET.get("page")
    )


class EstimatingPaginator(Paginator):
    """A paginator whose count of a long query list is the planner's estimate (`estimated` then True), exact
    on request (`?count=exact`) or below the threshold (core.db.page_count)."""

    def __init__(self, object_list, per_page, *, exact=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.exact, self.estimated = exact, False

    @cached_property
    def count(self):
        if not hasattr(self.object_list, "query"):
            return super().count
        count, self.estimated = page_count(countable(self.object_list), exact=self.exact)
        return count

    @property
    def count_text(self):
        """The count as the pager says it: an estimate rounded to two significant digits (18,000)."""
        count = self.count
        if self.estimated and count >= 100:
            step = 10 ** (len(str(count)) - 2)
            count = round(count / step) * step
        return f"{count:,}"


def countable(queryset):
    """`queryset` as its rows are counted or estimated: without the joins and prefetches that only load
    related objects of the page's rows (the planner plans a six-table join in ~3 ms, one table in ~0.1 ms)."""
    return queryset.select_related(None).prefetch_related(None)


def query_without(request, *keys):
    """The current query string minus `keys` (for sort links and pagination)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def sort_links(request, sorts):
    """The context of includes/sort_links.html ("排序：" links, the one in force in bold): `sorts` maps each sort key
    ("" the default) to (label, …)."""
    return {
        "sort_query": query_without(request, "page", "sort"),
        "sorts": [(key, value[0]) for key, value in sorts.items()],
        "sort": request.GET.get("sort", ""),
    }


def list_context(request, qs, form_class, **extra):
    """What every filtered list page gets: its filter form filled from the query, the page of rows, and the
    query strings for pagination, sort links and the export link."""
    return {
        "form": form_class(initial=request.GET.dict(), user=request.user),
        "page": paginate(request, qs),
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
        "export_query": query_without(request, "page"),
        **extra,
    }


@login_required
def home(request):
    from .selectors import home_summary

    summary = home_summary(user=request.user, fresh=bool(request.GET.get("fresh")))
    return render(request, "core/home.html", {"summary": summary})


def favicon(request):
    """Browsers ask /favicon.ico whatever the page names: the project's icon."""
    return redirect(static("zhiben/favicon.svg"), permanent=True)


# what the service worker keeps from the start: the pages' own scripts and styles, and the offline page
OFFLINE_ASSETS = (
    "zhiben/app.css",
    "zhiben/uploads.js",
    "zhiben/picker.js",
    "zhiben/drafts.js",
    "zhiben/offline.js",
    "zhiben/nav.js",
    "zhiben/favicon.svg",
)


def service_worker(request):
    """The service worker (templates/core/sw.js), served from the site's root so that it may answer for every page;
    its version follows the assets' names (hashed in production), so a release replaces what phones keep."""
    response = HttpResponse(_service_worker_text(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@cache
def _service_worker_text():
    """The worker's text, the same for every user and request: rendered once per process, without the request's
    context (the browser asks for it on navigations; the menu and the rest of a page's context are not wanted)."""
    offline = reverse("core:offline")
    keep = [static(name) for name in OFFLINE_ASSETS] + [offline]
    context = {
        "keep": json.dumps(keep),
        "version": hashlib.sha256("\n".join(keep).encode()).hexdigest()[:12],
        "offline": json.dumps(offline),
        "static_prefix": json.dumps(settings.STATIC_URL),
    }
    return render_to_string("core/sw.js", context)


def offline_page(request):
    """What a phone shows for a page it cannot reach offline: the submissions waiting in this browser and the forms it
    keeps, both read by offline.js from the browser's own storage. The page holds nothing of the server's, nor of the
    user (the service worker keeps one copy for whoever signs in next), hence no sign-in and no menu."""
    return render(request, "core/offline.html", {"user": AnonymousUser()})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def rules_edit(request):
    """The rules page: every registered editable rule, grouped, with a typed editor; an 安委办 sets the
    values of its jurisdiction (`?region=` a region below it; a superuser's `?region=` empty: national)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from zhiben.regions.models import Region

    from .exceptions import ApplicationError
    from .rules import DAYS, MONTHS, check_rule_access, rule_groups
    from .rulevalues import read_form
    from .services import rule_save

    require_capability(request.user, "rule.manage")
    region_code = request.GET.get("region", request.user.region_id or "")
    try:
        check_rule_access(request.user, region_code)
    except ApplicationError as exc:
        raise PermissionDenied(exc.message) from exc
    failed = None
    if request.method == "POST":
        key, reset = request.POST.get("key", ""), bool(request.POST.get("reset"))
        if reset:
            text = None
        elif request.POST.get("kind") == "monthday":
            text = {name: request.POST.get(name, "") for name in ("mode", "month", "day", "days")}
        elif request.POST.get("kind") == "industries":  # the ticked industries' codes
            text = request.POST.getlist("value")
        elif request.POST.get("kind") == "form":  # a structured value's form (rulevalues.form_grid)
            text = read_form(key, request.POST)
        else:
            text = request.POST.get("value", "")
        try:
            rule_save(actor=request.user, key=key, region_code=region_code, text=text)
        except ApplicationError as exc:
            # shown again with what was typed kept in the rule's editor and the refusal beside it
            messages.error(request, exc.message)
            structured = request.POST.get("kind") in ("json", "industries", "form") and exc.errors
            failed = (key, text, exc.errors[0]["message"] if structured else exc.message)
        else:
            messages.success(request, "已恢复为上级或全国默认值。" if reset else "规则已保存，自即日起生效。")
            return redirect(request.get_full_path())
    return render(
        request,
        "core/rules.html",
        {
            "groups": rule_groups(region_code, failed),
            "region": Region.objects.filter(code=region_code).first(),
            "region_code": region_code,
            "months": MONTHS,
            "days": DAYS,
        },
    )


def evidence_response(attachment, *, thumb=False):
    """Serve an EvidenceFile (or its thumbnail) to a user the caller has already checked may see it;
    images show inline, other files download under their original name."""
    from urllib.parse import quote

    from django.http import FileResponse

    use_thumb = thumb and bool(attachment.thumbnail)
    field = attachment.thumbnail if use_thumb else attachment.file
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if use_thumb else attachment.content_type)
    if not attachment.is_image:
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.original_name)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export_xlsx(request, *, action, object_type, title, headers, rows, widths=None):
    """A list's rows as an Excel download named after `title` and today, the export recorded in the audit log with
    the filters it was made with (every export of records is audited)."""
    from django.utils import timezone

    from .excel import write_xlsx

    data = write_xlsx(headers, rows, sheet_title=title[:31], widths=widths)
    audit_export(request, action=action, object_type=object_type, label=f"{title}导出")
    return download(data, f"{title}_{timezone.localdate():%Y%m%d}.xlsx")


def export_report(request, *, action, object_type, title, sections, subtitle="", widths=None):
    """A statistics page as an Excel download (core.excel.write_report) named after `title` and `subtitle`, the
    export recorded in the audit log with the filters it was made with."""
    from .excel import write_report

    data = write_report(title, sections, subtitle=subtitle, widths=widths)
    audit_export(request, action=action, object_type=object_type, label=f"{title}导出")
    return download(data, f"{title}_{subtitle.replace('，', '_')}.xlsx" if subtitle else f"{title}.xlsx")


def audit_export(request, *, action, label="", object_type="", obj=None, data=None):
    """Record an export of records in the audit log: who, what (`label`, or the object `obj` exported), the
    user's region and the filters it was made with (plus `data`)."""
    from zhiben.audit.services import audit_record

    audit_record(
        actor=request.user,
        action=action,
        obj=obj,
        object_type=object_type or None,
        object_repr=None if obj is not None else label,
        region_code=None if obj is not None else request.user.region_id or "",
        data={"filters": dict(request.GET.items()), **(data or {})},
    )


def download(data, filename, content_type=XLSX, *, inline=False):
    """A generated file (export, report) as a download under its Chinese file name."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    return HttpResponse(
        data,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(not inline, filename)},
    )
