"""Writes: issuing a document (number, render, store, audit) and editing the templates.

Every kind comes from the registry (`zhiben.core.registry`, store "document_kinds"): this module
imports no business module; a kind's module says what its subject gives and when it may be issued."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.scoping import region_chain
from zhiben.core.services import next_number

from . import kinds, placeholders
from .builders import cn_date
from .models import Document, DocumentTemplate
from .render import Layout, fit_one_page, render_docx, render_pdf

# ---------------------------------------------------------------- templates


def template_for(kind, region_code):
    """The template that applies to `region_code`: the nearest region's row, else the national one,
    else the kind's built-in default. Returns {"id", "region_code", "title", "body", "table"}."""
    kind = kinds.get_kind(kind)
    chain = region_chain(region_code, national=True)
    rows = {t.region_code: t for t in DocumentTemplate.objects.filter(kind=kind.key, region_code__in=chain)}
    for code in chain:
        if code in rows:
            row = rows[code]
            return {"id": row.pk, "region_code": code, "title": row.title, "body": row.body, "table": row.table}
    default = {name: kind.template.get(name, "") for name in ("title", "body", "table")}
    return {"id": None, "region_code": "", **default}


def _template_region(actor):
    """Which jurisdiction's templates `actor` edits: their own region ('' = national, superusers only)."""
    if not actor.can("document.template"):
        raise ApplicationError("您的角色无权修改公文模板。", code="forbidden")
    if actor.region_id:
        return actor.region_id
    if actor.is_superuser:
        return ""
    raise ApplicationError("您未设置管辖区划，不能修改公文模板。", code="forbidden")


@transaction.atomic
def template_save(*, actor, kind, title, body, table=""):
    """Save the actor's jurisdiction's template of `kind` after checking every placeholder."""
    kind = kinds.get_kind(kind)
    region_code = _template_region(actor)
    title, body, table = (title or "").strip(), (body or "").strip(), (table or "").strip()
    if not kind.form and table:
        raise ApplicationError(
            f"“{kind.label}”不使用表格，请清空表格内容。",
            errors=[{"field": "table", "message": "此种公文不使用表格。"}],
        )
    placeholders.check(kind, title=title, body=body, table=table)
    before = DocumentTemplate.objects.filter(kind=kind.key, region_code=region_code).first()
    template, _ = DocumentTemplate.objects.update_or_create(
        kind=kind.key,
        region_code=region_code,
        defaults={"title": title, "body": body, "table": table, "updated_by": actor},
    )
    audit_record(
        actor=actor,
        action="document.template_save",
        obj=template,
        region_code=region_code,
        data={
            "kind": kind.key,
            "title": title,
            "body": body,
            "table": table,
            "before": {"title": before.title, "body": before.body, "table": before.table} if before else None,
        },
    )
    return template


@transaction.atomic
def template_reset(*, actor, kind):
    """Drop the actor's jurisdiction's own template of `kind`: the parent's (or default) applies again."""
    kind = kinds.get_kind(kind)
    region_code = _template_region(actor)
    deleted, _ = DocumentTemplate.objects.filter(kind=kind.key, region_code=region_code).delete()
    audit_record(
        actor=actor,
        action="document.template_reset",
        object_type="documents.documenttemplate",
        object_id=f"{kind.key}@{region_code}",
        object_repr=f"恢复上级公文模板（{kind.label}）",
        region_code=region_code,
        data={"deleted": deleted},
    )
    return deleted


# ---------------------------------------------------------------- filling in


def layout_from_context(context):
    """The page a frozen `Document.context` describes (the same words every time).

    The placeholders are checked against the kind while a module registers it; a document of a kind
    no module registers any more still renders from what its context froze."""
    kind = kinds.find(context["kind"])
    values, template = context["fields"], context["template"]
    if kind is not None:
        placeholders.check(kind, title=template["title"], body=template["body"], table=template.get("table", ""))
    form = bool(context.get("form", kind.form if kind is not None else template.get("table")))
    rows = placeholders.table_rows(placeholders.fill(template.get("table", ""), values))
    return Layout(
        issuer=values["发文机关"],
        number=values["发文字号"],
        date=values["成文日期"],
        title=placeholders.fill(template["title"], values),
        addressee="" if form else context.get("addressee", ""),
        paragraphs=[line.strip() for line in placeholders.fill(template["body"], values).splitlines() if line.strip()],
        table=rows,
        form=form,
    )


# The values of the three placeholders the service sets, for previews.
SAMPLE = {"发文机关": "示例区安全生产委员会办公室", "发文字号": "示安办〔2026〕8号", "成文日期": "2026年3月2日"}


def preview_layout(kind, *, title, body, table="", issuer=None):
    """A page filled with the kind's sample values, for the template editor (raises on a bad placeholder).

    The sample's "主送", when given, is the preview's addressee line."""
    kind = kinds.get_kind(kind)
    values = {**SAMPLE, **kind.sample}
    if issuer:
        values["发文机关"] = issuer
    context = {
        "kind": kind.key,
        "form": kind.form,
        "fields": values,
        "addressee": values.get("主送", ""),
        "template": {"title": title, "body": body, "table": table},
    }
    return layout_from_context(context)


def doc_number(unit, year, sequence):
    """发文字号: 机关代字〔年份〕序号号 — no leading zeros, no 第. A unit without a 代字 uses its short name."""
    prefix = unit.doc_prefix or unit.short_name or unit.name
    return f"{prefix}〔{year}〕{sequence}号"


# ---------------------------------------------------------------- issuing


def _store(field, filename, data):
    """Save `data` under its content address; identical bytes already stored are reused, not copied."""
    name = field.field.generate_filename(field.instance, filename)
    if field.storage.exists(name):
        field.name = name
    else:
        field.save(filename, ContentFile(data), save=False)


def _issuing_unit(actor, unit):
    if actor is None:
        if unit is None:
            raise ApplicationError("系统自动签发公文须指定发文单位。", code="incomplete")
        return unit
    if not actor.can("document.issue"):
        raise ApplicationError("您的角色无权签发公文。", code="forbidden")
    unit = unit or actor.unit
    if unit is None:
        raise ApplicationError("您未隶属任何单位，不能签发公文。", code="forbidden")
    if not actor.is_superuser and unit.pk != actor.unit_id:
        raise ApplicationError("只能以本单位名义签发公文。", code="forbidden")
    return unit


@transaction.atomic
def document_issue(*, actor, kind, subject, unit=None, extra=None, issued_at=None):
    """Number, render (DOCX and PDF), store and audit one document of `kind` about `subject`; all or nothing.

    `kind` is a registered kind's key (unknown: a Chinese ApplicationError); `subject` is the object
    (or its pk) the document is about, of the kind's subject model. actor None is the system (the
    escalation ladder's automatic steps): then `unit` is required and no permission applies.
    Otherwise the actor needs document.issue, must see the subject (`kind.get_subject(pk, actor)`,
    ScopeError otherwise), and issues in the name of their own unit. The kind's `available(subject)`
    must allow it. `extra` gives placeholder values the record does not hold (约谈时间, 联系人, 逾期天数 …);
    a name the kind does not have is refused. The number is taken last, just before rendering, so
    the counter's row lock is held only while the two files are drawn (about half a second); a
    failure anywhere rolls the counter back with everything else, so no number is lost.
    """
    kind = kinds.get_kind(kind)
    subject_type = kind.subject_model.lower()
    unit = _issuing_unit(actor, unit)
    if not unit.is_active:
        raise ApplicationError(f"{unit.name}已停用，不能签发公文。", code="bad_state")
    if subject is None:
        raise ApplicationError(f"“{kind.label}”须关联一条{kinds.subject_label(subject_type)}。", code="incomplete")
    if hasattr(subject, "_meta") and kinds.model_label(subject) != subject_type:
        raise ApplicationError(
            f"“{kind.label}”不能针对{kinds.subject_label(kinds.model_label(subject))}签发。", code="bad_subject"
        )
    subject = kind.get_subject(getattr(subject, "pk", subject), actor)
    if subject is None:
        raise ScopeError()
    reason = kind.available(subject)
    if reason:
        raise ApplicationError(reason, code="bad_state")
    extra = {str(k): "" if v is None else str(v).strip() for k, v in (extra or {}).items()}
    placeholders.check_values(kind, extra)

    issued_at = issued_at or timezone.now()
    year = timezone.localtime(issued_at).year
    template = template_for(kind, unit.region_id)
    placeholders.check(kind, title=template["title"], body=template["body"], table=template["table"])
    fields = {**kind.build(subject, unit), **{k: v for k, v in extra.items() if v}}

    sequence = next_number(f"document:{unit.pk}:{year}")
    number = doc_number(unit, year, sequence)
    fields.update({"发文机关": unit.name, "发文字号": number, "成文日期": cn_date(issued_at)})
    addressee = kind.addressee(subject) or ""
    context = {
        "kind": kind.key,
        "form": kind.form,
        "subject_type": subject_type,
        "addressee": addressee,
        "fields": fields,
        "template": template,
    }
    layout = layout_from_context(context)
    if kind.letter:  # a short letter on one page when it can
        layout = fit_one_page(layout)
    docx_bytes, pdf_bytes = render_docx(layout, created=issued_at), render_pdf(layout)

    document = Document(
        kind=kind.key,
        number=number,
        year=year,
        sequence=sequence,
        issuing_unit=unit,
        addressee=addressee[:200],
        enterprise=kind.enterprise(subject),
        title=layout.title.replace("\n", ""),
        body="\n".join(layout.paragraphs),
        subject_type=subject_type,
        subject_id=subject.pk,
        subject_repr=str(subject)[:200],
        region_id=kind.region_code(subject),
        industry_id=kind.industry(subject),
        template_id=template["id"],
        issued_by=actor,
        issued_by_name=actor.display_name if actor is not None else "系统",
        issued_at=issued_at,
        docx_sha256=hashlib.sha256(docx_bytes).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        context=context,
    )
    _store(document.docx, "document.docx", docx_bytes)
    _store(document.pdf, "document.pdf", pdf_bytes)
    document.save()
    document.__dict__["subject"] = subject  # the cached `Document.subject`
    audit_record(
        actor=actor,
        action="document.issue",
        obj=document,
        data={
            "kind": kind.key,
            "number": number,
            "unit": unit.pk,
            "subject_type": subject_type,
            "subject_id": subject.pk,
            "subject": document.subject_repr,
            "docx_sha256": document.docx_sha256,
            "pdf_sha256": document.pdf_sha256,
        },
    )
    return document
