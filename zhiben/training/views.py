"""Pages: sessions (list, new, detail with attendance added one by one or imported from a sheet), people
(list, new, detail = the person's 培训档案 with certificates), certificates, workers without a valid
certificate, an enterprise's 培训档案, coverage figures with who is missing, and the training bodies.
Every list filters, sorts, paginates and exports; identity numbers are shown masked."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.db import whole_number
from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import form_service, raise_for_refusal, run_service
from zhiben.core.tables import Column, Table, badge, day, detail_link, esc, labels, link_to, truncated
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    audit_export,
    download,
    export_report,
    list_context,
    paginate,
    query_without,
    require_capability,
    tell_sheets,
)
from zhiben.enterprises.filters import region_options
from zhiben.regions.models import Industry
from zhiben.regions.selectors import place_name

from . import selectors, services, workflow
from .choices import CertificateKind, PersonKind, ReviewResult, SessionKind, SpecialCategory
from .forms import AttendanceForm, BodyForm, CertificateForm, PersonForm, RevokeForm, SessionForm, UploadForm

VIEW, MANAGE = "training.view", "training.manage"

SessionFilterForm = selectors.SESSION_FILTERS.form_class("SessionFilterForm")
PersonFilterForm = selectors.PERSON_FILTERS.form_class("PersonFilterForm")
CertificateFilterForm = selectors.CERTIFICATE_FILTERS.form_class("CertificateFilterForm")
BodyFilterForm = selectors.BODY_FILTERS.form_class("BodyFilterForm")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _xlsx(request, headers, rows, title, filename):
    """An export as an Excel download, recorded in the audit log with its filters (training.export), as every export
    of records is."""
    data = write_xlsx(headers, [[_text(v) for v in row] for row in rows], sheet_title=title)
    audit_export(request, action="training.export", object_type="training", label=f"{filename}导出")
    return download(data, f"{filename}-{timezone.localdate():%Y%m%d}.xlsx")


# ---------------------------------------------------------------- sessions


SESSION_KINDS = labels(SessionKind)


def _session_title(s, context):
    topics = f'<br><small class="muted">{truncated(s.topics, 60)}</small>' if s.topics else ""
    return detail_link(s, context, s.title) + topics


def _organiser(s, _):
    body = f'<br><small class="muted">{esc(s.body.name)}</small>' if s.body_id else ""
    return esc(s.organiser) + body


# The session list's table (sort keys: selectors.SESSION_SORT)
SESSIONS = Table(
    columns=(
        Column("培训", ("title", "topics"), _session_title),
        Column("类型", ("kind",), lambda s, _: esc(SESSION_KINDS.get(s.kind, s.kind))),
        Column("日期", ("held_on",), lambda s, _: day(s.held_on), sort="held"),
        Column("学时", ("hours",), lambda s, _: esc(str(s.hours))),
        Column("组织单位 / 机构", ("organiser", "body__name"), _organiser, label="组织单位"),
    ),
    empty="没有符合条件的培训。",
)


@login_required
def session_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.session_list(user=request.user, filters=request.GET, related=SESSIONS.related)
    context = list_context(request, qs.only(*SESSIONS.fields), SessionFilterForm, can_manage=request.user.can(MANAGE))
    context["head"] = SESSIONS.head_html(
        query=context["sort_query"], current=selectors.SESSION_SORT.shown(request.GET.get("sort"))
    )
    context["rows"] = SESSIONS.rows_html(context["page"], detail=link_to("training:session"))
    return render(request, "training/session_list.html", context)


@login_required
def session_export(request):
    require_capability(request.user, VIEW)
    qs = selectors.session_list(user=request.user, filters=request.GET).annotate(attendants=Count("attendances"))
    rows = [
        [
            s.held_on,
            s.title,
            s.get_kind_display(),
            s.organiser,
            s.body.name if s.body else "",
            s.hours,
            s.topics,
            s.attendants,
        ]
        for s in qs
    ]
    headers = ["培训日期", "培训名称", "培训类型", "组织单位", "培训机构", "学时", "培训内容", "参训人数"]
    return _xlsx(request, headers, rows, "培训", "培训")


@login_required
def session_new(request):
    require_capability(request.user, MANAGE)
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = form_service(form, lambda: services.session_save(actor=request.user, data=form.data_for_service()))
        if session is not None:
            messages.success(request, "已登记培训，请录入或导入参训人员。")
            return redirect(session.get_absolute_url())
    return render(request, "form_page.html", {"form": form, "title": "登记培训", "back": reverse("training:sessions")})


@login_required
def session_edit(request, pk):
    require_capability(request.user, MANAGE)
    session = selectors.session_get(request.user, pk)
    fields = ("title", "kind", "organiser", "held_on", "hours", "topics", "has_exam")
    initial = {f: getattr(session, f) for f in fields} | {
        "body": session.body_id,
        "region": session.region_id,
        "enterprise": session.enterprise_id,
    }
    form = SessionForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: services.session_save(actor=request.user, data=form.data_for_service(), session=session)
        )
        if saved is not None:
            messages.success(request, "已保存培训。")
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "form_page.html",
        {"form": form, "title": f"修改 · {session.title}", "back": session.get_absolute_url()},
    )


@login_required
def session_detail(request, pk):
    require_capability(request.user, VIEW)
    session = selectors.session_get(request.user, pk)
    rows = session.attendances.select_related("person", "person__enterprise", "person__unit").order_by("id")
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "can_manage": request.user.can(MANAGE),
            "attendance_form": AttendanceForm(),
            "upload_form": UploadForm(),
        },
    )


@login_required
@require_POST
def attendance_add(request, pk):
    require_capability(request.user, MANAGE)
    session = selectors.session_get(request.user, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写身份证号。")
        return redirect(session.get_absolute_url())
    data = form.cleaned_data
    person = selectors.person_by_identity(request.user, data["id_number"])
    if person is None:
        messages.error(request, "该身份证号的人员未登记（或不在您的管辖范围内），请先登记人员。")
        return redirect(session.get_absolute_url())
    try:
        services.attendance_add(
            actor=request.user,
            session=session,
            person=person,
            attended=data["attended"] == "是",
            score=data["score"],
            result={"合格": "passed", "不合格": "failed"}.get(data["result"], ""),
        )
    except ApplicationError as exc:
        raise_for_refusal(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记 {person.name} 参训。")
    return redirect(session.get_absolute_url())


@login_required
def attendance_import(request, pk):
    require_capability(request.user, MANAGE)
    session = selectors.session_get(request.user, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            count = services.attendance_import(
                actor=request.user, session=session, upload=upload, filename=upload.name, sheets=sheets
            )
        except ApplicationError as exc:
            raise_for_refusal(exc)
            form.add_error(None, exc.message)
            for error in exc.errors:
                form.add_error(None, error["message"])
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"已导入 {count} 条参训记录。")
            tell_sheets(request, sheets)
            return redirect(session.get_absolute_url())
    return render(request, "training/attendance_import.html", {"form": form, "session": session})


@login_required
def attendance_template(request):
    require_capability(request.user, VIEW)
    data = write_xlsx(
        ["姓名", "身份证号", "到课", "成绩", "考试结果"], [["张三", "", "是", "90", "合格"]], sheet_title="签到表"
    )
    return download(data, "培训签到表模板.xlsx")


# ---------------------------------------------------------------- people


PERSON_KINDS, SPECIAL_CATEGORIES = labels(PersonKind), labels(SpecialCategory)


def _person_name(p, context):
    away = " " + badge("离岗") if not p.active else ""
    return f'<a href="{context["person"](p.pk)}">{esc(p.name)}</a>{away}'


def _employer(p, _):
    employer = p.employer
    return f'{esc(employer.name if employer else "—")}<br><small class="muted">{esc(p.region.name)}</small>'


def _post(p, _):
    special = ""
    if p.special_post:
        special = " " + badge(f"特种作业 · {SPECIAL_CATEGORIES.get(p.special_category, p.special_category)}", "orange")
    return esc(p.post or "—") + special


# The people list's table (sort keys: selectors.PERSON_SORT)
PEOPLE = Table(
    columns=(
        Column("姓名", ("name", "active"), _person_name, sort="name"),
        Column("类别", ("kind",), lambda p, _: esc(PERSON_KINDS.get(p.kind, p.kind))),
        Column("企业/单位", ("enterprise__name", "unit__name", "region__name"), _employer),
        Column("岗位", ("post", "special_post", "special_category"), _post),
        Column("身份证号", ("id_number",), lambda p, _: esc(p.id_masked)),
    ),
    empty="没有符合条件的人员。",
)


@login_required
def person_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.person_list(user=request.user, filters=request.GET)
    context = list_context(request, qs.only(*PEOPLE.fields), PersonFilterForm, can_manage=request.user.can(MANAGE))
    context["head"] = PEOPLE.head_html(
        query=context["sort_query"], current=selectors.PERSON_SORT.shown(request.GET.get("sort"))
    )
    context["rows"] = PEOPLE.rows_html(context["page"], person=link_to("training:person"))
    return render(request, "training/person_list.html", context)


@login_required
def person_export(request):
    require_capability(request.user, VIEW)
    qs = selectors.person_list(user=request.user, filters=request.GET)
    rows = [
        [
            p.name,
            p.get_kind_display(),
            p.employer.name if p.employer else "",
            p.region.name,
            p.post,
            "是" if p.special_post else "否",
            p.get_special_category_display() if p.special_category else "",
            p.id_masked,
            "在岗" if p.active else "离岗",
        ]
        for p in qs
    ]
    headers = ["姓名", "人员类别", "企业/单位", "所属区划", "岗位/职务", "特种作业岗位", "作业类别", "身份证号", "状态"]
    return _xlsx(request, headers, rows, "人员", "培训人员")


@login_required
def person_new(request):
    require_capability(request.user, MANAGE)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        person = form_service(form, lambda: services.person_save(actor=request.user, data=form.data_for_service()))
        if person is not None:
            messages.success(request, f"已登记 {person.name}。")
            return redirect(person.get_absolute_url())
    return render(request, "form_page.html", {"form": form, "title": "登记人员", "back": reverse("training:people")})


@login_required
def person_edit(request, pk):
    require_capability(request.user, MANAGE)
    person = selectors.person_get(request.user, pk)
    initial = {
        "name": person.name,
        "kind": person.kind,
        "enterprise": person.enterprise_id,
        "unit": person.unit_id,
        "post": person.post,
        "special_post": person.special_post,
        "special_category": person.special_category,
        "active": person.active,
    }
    form = PersonForm(request.POST or None, initial=initial, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: services.person_save(actor=request.user, data=form.data_for_service(), person=person)
        )
        if saved is not None:
            messages.success(request, f"已保存 {saved.name}。")
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "form_page.html",
        {"form": form, "title": f"修改 · {person.name}", "back": person.get_absolute_url()},
    )


def may_report_hazard(user, person, uncertified):
    """Offer 转为重大隐患: a worker of an enterprise flagged uncertified, no such hazard of theirs open, a
    user who may report hazards (the service checks all of it again)."""
    return (
        uncertified
        and person.enterprise_id is not None
        and user.can("hazard.report")
        and services.hazard_open(person) is None
    )


@login_required
def person_detail(request, pk, certificate_form=None):
    require_capability(request.user, VIEW)
    person = selectors.person_get(request.user, pk)
    today = timezone.localdate()
    uncertified = person.special_post and selectors.uncertified_workers(None, day=today).filter(pk=person.pk).exists()
    file = selectors.person_file(person, request.user)
    for certificate in file["certificates"]:
        certificate.actions = workflow.allowed_actions(certificate, request.user)
    return render(
        request,
        "training/person_detail.html",
        {
            "person": person,
            "file": file,
            "today": today,
            "uncertified": uncertified,
            "open_hazard": services.hazard_open(person),
            "may_report_hazard": may_report_hazard(request.user, person, uncertified),
            "events": subject_events(person),
            "can_manage": request.user.can(MANAGE),
            "certificate_form": certificate_form or CertificateForm(),
        },
    )


@login_required
@require_POST
def person_hazard(request, pk):
    """转为重大隐患: the worker's missing certificate reported as a 重大隐患 of their enterprise."""
    person = selectors.person_get(request.user, pk)
    hazard = run_service(
        request,
        lambda: services.person_to_hazard(actor=request.user, person=person),
        lambda h: f"已将{person.name}特种作业未持证转为重大隐患 {h.number}，请按隐患流程核实整改。",
    )
    if hazard is not None:
        return redirect(hazard.get_absolute_url())
    return redirect("training:uncertified" if request.POST.get("back") == "list" else person.get_absolute_url())


@login_required
def person_file_export(request, pk):
    require_capability(request.user, VIEW)
    person = selectors.person_get(request.user, pk)
    file = selectors.person_file(person)
    rows = [
        [
            a.session.held_on,
            a.session.title,
            a.session.get_kind_display(),
            a.session.organiser,
            a.session.hours,
            "是" if a.attended else "否",
            a.score,
            a.get_result_display(),
        ]
        for a in file["rows"]
    ]
    headers = ["培训日期", "培训名称", "培训类型", "组织单位", "学时", "到课", "成绩", "考试结果"]
    return _xlsx(request, headers, rows, "培训档案", f"培训档案-{person.name}")


@login_required
@require_POST
def certificate_new(request, pk):
    require_capability(request.user, MANAGE)
    person = selectors.person_get(request.user, pk)
    form = CertificateForm(request.POST)
    if form.is_valid():
        done = form_service(
            form, lambda: services.certificate_save(actor=request.user, person=person, data=form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "已登记证书。")
            return redirect(person.get_absolute_url())
    return person_detail(request, pk, certificate_form=form)


@login_required
def certificate_revoke(request, pk):
    require_capability(request.user, MANAGE)
    certificate = selectors.certificate_get(request.user, pk)
    form = RevokeForm(request.POST or None, initial={"revoked_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form,
            lambda: services.certificate_revoke(actor=request.user, certificate=certificate, data=form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"已注销证书 {done.number}。")
            return redirect(certificate.get_absolute_url())
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"注销证书 · {certificate.person.name} {certificate.get_kind_display()} {certificate.number}",
            "back": certificate.get_absolute_url(),
        },
    )


# ---------------------------------------------------------------- certificates and the flag


CERTIFICATE_KINDS = labels(CertificateKind)


def _certificate(c, _):
    category = f" · {SPECIAL_CATEGORIES.get(c.category, c.category)}" if c.category else ""
    return esc(CERTIFICATE_KINDS.get(c.kind, c.kind) + category)


def _expires(c, context):
    return day(c.expires_on) + (" " + badge("已过期", "red") if c.expires_on < context["today"] else "")


# The certificate list's table (sort keys: selectors.CERTIFICATE_SORT)
CERTIFICATES = Table(
    columns=(
        Column(
            "持证人",
            ("person__name",),
            lambda c, context: f'<a href="{context["person"](c.person_id)}">{esc(c.person.name)}</a>',
        ),
        Column("证书", ("kind", "category"), _certificate),
        Column("编号", ("number",), lambda c, _: esc(c.number)),
        Column("有效期至", ("expires_on",), _expires, sort="expires"),
    ),
    empty="没有符合条件的证书。",
)


@login_required
def certificate_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.certificate_list(user=request.user, filters=request.GET, related=CERTIFICATES.related)
    context = list_context(
        request, qs.only(*CERTIFICATES.fields), CertificateFilterForm, can_manage=request.user.can(MANAGE)
    )
    context["head"] = CERTIFICATES.head_html(
        query=context["sort_query"], current=selectors.CERTIFICATE_SORT.shown(request.GET.get("sort"))
    )
    context["rows"] = CERTIFICATES.rows_html(
        context["page"], today=timezone.localdate(), person=link_to("training:person")
    )
    return render(request, "training/certificate_list.html", context)


@login_required
def certificate_import(request):
    require_capability(request.user, MANAGE)
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = "证书清单文件（.xlsx / .xls / .csv）"
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            count = services.certificate_import(actor=request.user, upload=upload, filename=upload.name, sheets=sheets)
        except ApplicationError as exc:
            raise_for_refusal(exc)
            form.add_error(None, exc.message)
            for error in exc.errors:
                form.add_error(None, error["message"])
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"已导入 {count} 本证书。")
            tell_sheets(request, sheets)
            return redirect("training:certificates")
    return render(request, "training/certificate_import.html", {"form": form})


@login_required
def certificate_template(request):
    require_capability(request.user, VIEW)
    headers = [label for label, _ in services.CERTIFICATE_COLUMNS.values()]
    example = [
        "张三",
        "",
        "特种作业操作证",
        "电工作业",
        "T500106198001010011",
        "重庆市应急管理局",
        "2024-05-01",
        "2030-04-30",
    ]
    return download(write_xlsx(headers, [example], sheet_title="证书清单"), "证书导入模板.xlsx")


@login_required
def certificate_export(request):
    require_capability(request.user, VIEW)
    qs = selectors.certificate_list(user=request.user, filters=request.GET)
    rows = [
        [
            c.person.name,
            c.get_kind_display(),
            c.get_category_display() if c.category else "",
            c.number,
            c.issuer,
            c.issued_on,
            c.expires_on,
        ]
        for c in qs
    ]
    return _xlsx(
        request,
        ["持证人", "证书类型", "作业类别", "证书编号", "发证机关", "发证日期", "有效期至"],
        rows,
        "证书",
        "证书",
    )


@login_required
def uncertified(request):
    require_capability(request.user, VIEW)
    qs = selectors.uncertified_workers(request.user)
    if request.GET.get("export"):
        rows = [
            [
                p.name,
                p.enterprise.name if p.enterprise_id else "",
                p.region.name,
                p.post,
                p.get_special_category_display(),
            ]
            for p in qs
        ]
        return _xlsx(request, ["姓名", "企业", "所属区划", "岗位", "作业类别"], rows, "未持证", "特种作业人员未持证")
    page = paginate(request, qs)
    for person in page:
        person.open_hazard = services.hazard_open(person)
        person.may_report_hazard = may_report_hazard(request.user, person, True)
    return render(request, "training/uncertified.html", {"page": page, "criteria": selectors.criteria_text()})


# ---------------------------------------------------------------- enterprise training file


def _year(request):
    year = whole_number(request.GET.get("year"))
    return year if year is not None and 2000 <= year <= 2100 else None


@login_required
def enterprise_file(request, pk):
    require_capability(request.user, VIEW)
    enterprise = selectors.enterprise_get(request.user, pk)
    year = _year(request)
    return render(
        request,
        "training/enterprise_file.html",
        {"enterprise": enterprise, "rows": selectors.enterprise_file(request.user, enterprise, year), "year": year},
    )


@login_required
def enterprise_file_export(request, pk):
    require_capability(request.user, VIEW)
    enterprise = selectors.enterprise_get(request.user, pk)
    rows = []
    for row in selectors.enterprise_file(request.user, enterprise, _year(request)):
        p = row["person"]
        trainings = "；".join(
            f"{a.session.held_on:%Y-%m-%d} {a.session.title}（{a.session.hours}学时）" for a in row["sessions"]
        )
        rows.append(
            [
                p.name,
                p.get_kind_display(),
                p.post,
                p.id_masked,
                "是" if p.special_post else "否",
                "是" if row["certified"] else "否",
                row["hours"],
                trainings,
            ]
        )
    headers = ["姓名", "人员类别", "岗位", "身份证号", "特种作业岗位", "持有效证书", "累计学时", "参训记录"]
    return _xlsx(request, headers, rows, "培训档案", f"培训档案-{enterprise.name}")


# ---------------------------------------------------------------- coverage


def _coverage_args(request):
    """Region, industry and period of the coverage pages, from the query (selectors.coverage_args)."""
    return selectors.coverage_args(
        request.user,
        region=request.GET.get("region", ""),
        industry=request.GET.get("industry", ""),
        year=_year(request),
        start=_day(request, "start"),
        end=_day(request, "end"),
    )


def _day(request, name):
    """An ISO date of the query (a figure's period from analytics), else None."""
    try:
        return date.fromisoformat(request.GET.get(name, "").strip())
    except ValueError:
        return None


@login_required
def coverage(request):
    require_capability(request.user, VIEW)
    args = _coverage_args(request)
    figures = selectors.all_coverage(request.user, **args)
    if request.GET.get("export"):
        return _coverage_report(request, args, figures)
    return render(
        request,
        "training/coverage.html",
        {
            "figures": figures,
            "args": args,
            "regions": region_options(request.user),
            "industries": Industry.objects.order_by("sort"),
            "query": query_without(request, "export"),
        },
    )


def _coverage_report(request, args, figures):
    """培训覆盖率 as Excel: each figure with its counts, for the region, industry and period of the page."""
    parts = [place_name(args["region_code"], request.user)]
    if args["industry"]:
        parts.append(Industry.objects.filter(code=args["industry"]).values_list("name", flat=True).first() or "")
    parts.append(f"{args['start']:%Y-%m-%d}至{args['end']:%Y-%m-%d}" if args["start"] else f"{args['year']}年")
    rows = [
        [f.label, "" if f.value is None else f"{f.value}%", f.numerator, f.denominator, len(f.missing), f.missing_label]
        for f in figures
    ]
    return export_report(
        request,
        action="training.export",
        object_type="training",
        title="培训覆盖率",
        sections=[("覆盖率", ["指标", "数值", "已覆盖", "应覆盖", "未覆盖", "未覆盖的是"], rows)],
        subtitle="，".join(p for p in parts if p),
        widths=[34, 10, 10, 10, 10, 36],
    )


@login_required
def coverage_detail(request, key):
    require_capability(request.user, VIEW)
    if key not in selectors.COVERAGES:
        raise Http404
    figure = selectors.coverage(key, request.user, **_coverage_args(request))
    return render(
        request,
        "training/coverage_detail.html",
        {"figure": figure, "page": paginate(request, figure.missing), "query": request.GET.urlencode()},
    )


@login_required
def coverage_export(request, key):
    require_capability(request.user, VIEW)
    if key not in selectors.COVERAGES:
        raise Http404
    figure = selectors.coverage(key, request.user, **_coverage_args(request))
    return _xlsx(
        request,
        ["名称", "所属", "说明"],
        [selectors.missing_row(item) for item in figure.missing],
        "未覆盖",
        figure.label,
    )


# ---------------------------------------------------------------- training bodies


REVIEW_LABELS = labels(ReviewResult)
REVIEW_COLOURS = {ReviewResult.MEETS: "green", ReviewResult.RECTIFY: "red", ReviewResult.FAILS: "red"}


def _body_name(b, context):
    name = esc(b.name)
    if context["can_manage"]:
        name = f'<a href="{context["edit"](b.pk)}">{name}</a>'
    return f'{name}<br><small class="muted">{esc(b.region.name)}</small>'


def _body_review(b, _):
    note = f'<br><small class="muted">{truncated(b.review_note, 60)}</small>' if b.review_note else ""
    return badge(REVIEW_LABELS.get(b.review_result, ""), REVIEW_COLOURS.get(b.review_result, "")) + note


BODIES = Table(
    columns=(
        Column("机构", (), _body_name, sort="name"),
        Column("培训范围", (), lambda b, _: esc(b.scope or "—")),
        Column("评估结果", (), _body_review),
        Column("评估日期", (), lambda b, _: day(b.reviewed_on) or "—", sort="reviewed"),
    ),
    empty="没有符合条件的培训机构。",
)


@login_required
def body_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.body_list(user=request.user, filters=request.GET)
    if request.GET.get("export"):
        rows = [
            [b.name, b.region.name, b.scope, b.get_review_result_display(), b.reviewed_on, b.review_note] for b in qs
        ]
        return _xlsx(
            request,
            ["机构名称", "所属区划", "培训范围", "评估结果", "评估日期", "评估意见"],
            rows,
            "培训机构",
            "培训机构",
        )
    can_manage = request.user.can(MANAGE) and not request.user.enterprise_id
    context = list_context(request, qs, BodyFilterForm, can_manage=can_manage)
    context["head"] = BODIES.head_html(
        query=context["sort_query"], current=selectors.BODY_SORT.shown(request.GET.get("sort"))
    )
    context["rows"] = BODIES.rows_html(context["page"], can_manage=can_manage, edit=link_to("training:body_edit"))
    return render(request, "training/body_list.html", context)


def _body_form(request, body=None):
    require_capability(request.user, MANAGE)
    if request.user.enterprise_id:
        raise PermissionDenied("企业用户不能登记培训机构。")
    initial = None
    if body is not None:
        initial = {
            f: getattr(body, f)
            for f in (
                "name",
                "credit_code",
                "address",
                "contact",
                "scope",
                "review_result",
                "reviewed_on",
                "review_note",
            )
        } | {"region": body.region_id}
    form = BodyForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form_service(
            form, lambda: services.body_save(actor=request.user, data=form.data_for_service(), body=body)
        )
        if saved is not None:
            messages.success(request, f"已保存 {saved.name}。")
            return redirect("training:bodies")
    title = f"培训机构评估 · {body.name}" if body else "登记培训机构"
    return render(request, "form_page.html", {"form": form, "title": title, "back": reverse("training:bodies")})


@login_required
def body_new(request):
    return _body_form(request)


@login_required
def body_edit(request, pk):
    require_capability(request.user, VIEW)
    return _body_form(request, selectors.body_get(request.user, pk))
