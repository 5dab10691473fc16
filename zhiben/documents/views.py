"""Document pages: the list, a document with its downloads, issuing about a subject, the template editor.

Every kind comes from the registry (a module registers it); these pages import no business module."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from zhiben.core.exceptions import ApplicationError
from zhiben.core.tables import Column, Table, detail_link, esc, link_to, minute
from zhiben.core.views import export_xlsx, paginate, query_without, require_capability

from . import kinds, placeholders, selectors, services
from .forms import DocumentFilterForm, IssueForm, TemplateForm
from .render import fit_one_page, render_html, render_pdf

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _subject(d, _):
    if not d.subject_type:
        return "—"
    shown = d.subject_repr or (str(d.subject) if d.subject is not None else "")
    url = d.subject_url
    named = f'<a href="{esc(url)}">{esc(shown)}</a>' if url else esc(d.subject_repr or "—")
    return f'<span class="muted small">{esc(d.subject_label)}</span> {named}'


def _files(d, context):
    return f'<a href="{context["pdf"](d.pk)}">PDF</a> · <a href="{context["docx"](d.pk)}">Word</a>'


REGISTER = Table(
    columns=(
        Column("发文字号", (), lambda d, c: detail_link(d, c, d.number), sort="number"),
        Column("标题", (), lambda d, _: esc(d.title)),
        Column("主送", (), lambda d, _: esc(d.addressee or "—")),
        Column("发文单位", (), lambda d, _: esc(d.issuing_unit.name), sort="unit"),
        Column("对象", (), _subject),
        Column("签发时间", (), lambda d, _: esc(minute(d.issued_at)), sort="issued"),
        Column("下载", (), _files),
    ),
    empty="没有符合条件的公文。",
)


@login_required
def document_list(request):
    require_capability(request.user, "document.view")
    units, years = selectors.filter_choices(user=request.user)
    form = DocumentFilterForm(request.GET or None, units=units, years=years)
    qs = selectors.document_list(user=request.user, filters=request.GET)
    page = paginate(request, qs)
    page.object_list = selectors.attach_subjects(page.object_list)
    context = {
        "form": form,
        "page": page,
        "query": query_without(request, "page"),
        "head": REGISTER.head_html(
            query=query_without(request, "page", "sort"), current=selectors.DOCUMENT_SORT.shown(request.GET.get("sort"))
        ),
        "rows": REGISTER.rows_html(
            page,
            detail=link_to("documents:detail"),
            pdf=link_to("documents:file", "pdf"),
            docx=link_to("documents:file", "docx"),
        ),
    }
    return render(request, "documents/document_list.html", context)


REGISTER_HEADERS = ["发文字号", "公文种类", "标题", "发文单位", "主送", "对象", "签发人", "签发时间"]


@login_required
def document_export(request):
    """发文登记: the documents the list shows (same filters) as a register, oldest first."""
    require_capability(request.user, "document.view")
    qs = (
        selectors.document_list(user=request.user, filters=request.GET)
        .select_related("issuing_unit")
        .order_by("issued_at", "id")
    )
    rows = (
        [
            d.number,
            d.get_kind_display(),
            d.title,
            d.issuing_unit.name,
            d.addressee,
            d.subject_repr,
            d.issued_by_name,
            minute(d.issued_at),
        ]
        for d in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request, action="document.export", object_type="documents.document", title="发文登记",
        headers=REGISTER_HEADERS, rows=rows, widths=[24, 16, 40, 20, 24, 30, 10, 17],
    )  # fmt: skip


@login_required
def document_detail(request, pk):
    require_capability(request.user, "document.view")
    document = selectors.document_get(user=request.user, pk=pk)
    fields = document.context.get("fields", {})
    return render(request, "documents/document_detail.html", {"document": document, "fields": sorted(fields.items())})


@login_required
def document_file(request, pk, fmt):
    """The DOCX or PDF, only to users who may see the document (404 otherwise); never a public URL."""
    require_capability(request.user, "document.view")
    document = selectors.document_get(user=request.user, pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    field = document.pdf if fmt == "pdf" else document.docx
    response = FileResponse(field.open("rb"), content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "pdf" and request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(document.file_name(fmt))}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _kind_or_404(key):
    kind = kinds.find(key)
    if kind is None:
        raise Http404
    return kind


@login_required
def document_issue(request, subject_type, pk, kind):
    """Issue a document of `kind` about the subject `subject_type`#`pk`: GET shows the form, POST issues it."""
    require_capability(request.user, "document.issue")
    kind = _kind_or_404(kind)
    if kind.subject_model.lower() != subject_type.lower():
        raise Http404
    subject = kind.get_subject(pk, request.user)
    if subject is None:
        raise Http404
    initial = {"联系人": request.user.display_name, "联系电话": request.user.phone}
    form = IssueForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_issue(actor=request.user, kind=kind.key, subject=subject, extra=form.extra())
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已签发 {document.number}《{document.title}》。")
            return redirect("documents:detail", pk=document.pk)
    return render(
        request,
        "documents/document_issue.html",
        {
            "subject": subject,
            "subject_label": kinds.subject_label(subject_type),
            "subject_url": kinds.subject_url(subject),
            "addressee": kind.addressee(subject),
            "kind": kind,
            "form": form,
            "reason": kind.available(subject),
            "unit": request.user.unit,
        },
    )


# ---------------------------------------------------------------- templates


@login_required
def template_list(request):
    require_capability(request.user, "document.template")
    region_code = request.user.region_id or ""
    rows = []
    for kind in kinds.all_kinds():
        template = services.template_for(kind, region_code)
        rows.append(
            {
                "kind": kind,
                "subject_label": kinds.subject_label(kind.subject_model.lower()),
                "title": template["title"],
                "own": template["id"] is not None and template["region_code"] == region_code,
                "source": template["region_code"],
            }
        )
    return render(request, "documents/template_list.html", {"rows": rows})


@login_required
def template_edit(request, kind):
    require_capability(request.user, "document.template")
    kind = _kind_or_404(kind)
    region_code = request.user.region_id or ""
    current = services.template_for(kind, region_code)
    own = current["id"] is not None and current["region_code"] == region_code
    form = TemplateForm(request.POST or None, kind=kind, initial=current)
    preview = None
    if request.method == "POST":
        if request.POST.get("reset"):
            services.template_reset(actor=request.user, kind=kind)
            messages.success(request, f"“{kind.label}”已恢复为上级（或默认）模板。")
            return redirect("documents:template_edit", kind=kind.key)
        if form.is_valid():
            data = form.cleaned_data
            issuer = request.user.unit.name if request.user.unit_id else None
            if request.POST.get("pdf"):
                layout = services.preview_layout(
                    kind, title=data["title"], body=data["body"], table=data.get("table", ""), issuer=issuer
                )
                layout = fit_one_page(layout) if kind.letter else layout
                response = HttpResponse(render_pdf(layout), content_type="application/pdf")
                response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote('预览_' + kind.label + '.pdf')}"
                return response
            if request.POST.get("save"):
                try:
                    services.template_save(
                        actor=request.user,
                        kind=kind,
                        title=data["title"],
                        body=data["body"],
                        table=data.get("table", ""),
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"“{kind.label}”模板已保存，此后签发的公文使用新模板。")
                    return redirect("documents:template_edit", kind=kind.key)
            else:
                layout = services.preview_layout(
                    kind, title=data["title"], body=data["body"], table=data.get("table", ""), issuer=issuer
                )
                preview = render_html(layout)
    elif request.method == "GET":
        layout = services.preview_layout(
            kind,
            title=current["title"],
            body=current["body"],
            table=current["table"],
            issuer=request.user.unit.name if request.user.unit_id else None,
        )
        preview = render_html(layout)
    return render(
        request,
        "documents/template_edit.html",
        {
            "kind": kind,
            "form": form,
            "own": own,
            "source": current["region_code"],
            "preview": preview,
            "is_form": kind.form,
            "placeholders": list(placeholders.allowed(kind).items()),
        },
    )
