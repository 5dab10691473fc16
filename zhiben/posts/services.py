"""Writes of “两单两卡一会”: posts, new versions of their four items, 班前会 records. Every write checks rights
and jurisdiction, refuses bad input with Chinese messages naming the field, audits in the same transaction
and writes nothing when anything is wrong."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.cntext import ascii_digits
from zhiben.core.db import row_by_id, whole_number
from zhiben.core.exceptions import ScopeError
from zhiben.core.services import data_date, data_text, ensure_capability, fail
from zhiben.enterprises.models import Enterprise

from .choices import CardKind
from .models import Briefing, CardVersion, Post
from .selectors import MANAGE

MAX_ITEMS = 100
MAX_COUNT = 2**31 - 1  # the largest a PositiveIntegerField holds


def _enterprise(actor, value):
    if actor is not None and actor.enterprise_id:
        value = actor.enterprise_id
    pk = getattr(value, "pk", value)
    if pk in (None, ""):
        return None
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.for_user(actor)
    found = row_by_id(qs, pk)
    if found is None:
        raise ScopeError("企业不存在或不在您的管辖范围内。")
    return found


def _post(actor, post, *, lock=False):
    qs = Post.objects.all() if actor is None else Post.objects.for_user(actor)
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=getattr(post, "pk", post)).first()
    if found is None:
        raise ScopeError()
    return found


def _place(obj, enterprise):
    obj.enterprise, obj.region_id, obj.industry_id = enterprise, enterprise.region_id, enterprise.industry_id


@transaction.atomic
def post_save(*, actor, data, post=None):
    """Create a post of an enterprise, or rename/change it."""
    ensure_capability(actor, MANAGE)
    errors = []
    if post is not None:
        post = _post(actor, post, lock=True)
        enterprise = post.enterprise
    else:
        enterprise = _enterprise(actor, data.get("enterprise"))
        if enterprise is None:
            errors.append(("enterprise", "请选择企业。"))
    name = data_text(data, "name", 100)
    if not name:
        errors.append(("name", "请填写岗位名称。"))
    elif (
        enterprise is not None
        and Post.objects.filter(enterprise=enterprise, name=name).exclude(pk=getattr(post, "pk", None)).exists()
    ):
        errors.append(("name", f"岗位名称“{name}”在该企业已存在。"))
    if errors:
        fail(errors)
    created = post is None
    if created:
        post = Post(created_by=actor)
        _place(post, enterprise)
    post.name, post.team = name, data_text(data, "team", 100)
    if "active" in data or not created:
        post.active = data.get("active") in (True, "1", "on", "true", "True")
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError:
        fail([("name", f"岗位名称“{name}”在该企业已存在。")])
    audit_record(
        actor=actor,
        action="post.create" if created else "post.change",
        obj=post,
        region_code=post.region_id,
        data={"name": name, "team": post.team},
    )
    return post


def parse_items(text):
    """The structured text as a list of items: one item per non-empty line, list markers removed."""
    if isinstance(text, (list, tuple)):
        lines = [str(x) for x in text]
    else:
        lines = str(text or "").splitlines()
    items = []
    for line in lines:
        line = line.strip().lstrip("-•*·").strip()
        if line:
            items.append(line[:500])
    return items


@transaction.atomic
def card_save(*, actor, post, kind, data):
    """Save a new version of item `kind` of `post`: the previous current version is superseded (kept,
    viewable) and the new one becomes current. The post's row lock orders concurrent saves."""
    ensure_capability(actor, MANAGE)
    post = _post(actor, post, lock=True)
    errors = []
    if kind not in CardKind.values:
        errors.append(("kind", f"类别“{kind}”无效。"))
    items = parse_items(data.get("items"))
    label = CardKind(kind).label if kind in CardKind.values else "内容"
    if not items:
        errors.append(("items", f"请填写{label}的内容（每行一条）。"))
    elif len(items) > MAX_ITEMS:
        errors.append(("items", f"{label}最多 {MAX_ITEMS} 条，现有 {len(items)} 条。"))
    if errors:
        fail(errors)
    previous = CardVersion.objects.filter(post=post, kind=kind).order_by("-version").first()
    now = timezone.now()
    if previous is not None:
        CardVersion.objects.filter(post=post, kind=kind, current=True).update(current=False, superseded_at=now)
    card = CardVersion(
        post=post,
        kind=kind,
        version=(previous.version + 1) if previous else 1,
        items=items,
        note=data_text(data, "note", 200),
        created_by=actor,
        current=True,
    )
    _place(card, post.enterprise)
    card.save()
    audit_record(
        actor=actor,
        action="post.card_save",
        obj=card,
        region_code=card.region_id,
        data={"post": post.pk, "kind": kind, "version": card.version, "items": len(items)},
    )
    return card


@transaction.atomic
def briefing_save(*, actor, post, data):
    """Record a 班前会 of `post`."""
    ensure_capability(actor, MANAGE)
    post = _post(actor, post)
    errors = []
    held_on = data_date(data.get("held_on"), "日期", errors, "held_on")
    if held_on is None and not any(f == "held_on" for f, _ in errors):
        errors.append(("held_on", "请填写班前会日期。"))
    elif held_on is not None and held_on > timezone.localdate():
        errors.append(("held_on", f"日期“{held_on}”晚于今天。"))
    attendees = data_text(data, "attendees", 2000)
    if not attendees:
        errors.append(("attendees", "请填写参会人员。"))
    raw = data_text(data, "attendee_count")
    count = None
    number = whole_number(ascii_digits(raw))
    if not raw:
        count = len([n for n in attendees.replace("，", ",").replace("、", ",").split(",") if n.strip()]) or None
        if count is None:
            errors.append(("attendee_count", "请填写参会人数。"))
    elif number is None or not 1 <= number <= MAX_COUNT:  # past the column's range too
        errors.append(("attendee_count", f"参会人数“{raw}”应为正整数。"))
    else:
        count = number
    content = data_text(data, "content", 5000)
    if not content:
        errors.append(("content", "请填写会议内容。"))
    recorder = data_text(data, "recorder", 50)
    if not recorder:
        errors.append(("recorder", "请填写记录人。"))
    if errors:
        fail(errors)
    briefing = Briefing(
        post=post,
        held_on=held_on,
        team=data_text(data, "team", 100) or post.team,
        attendees=attendees,
        attendee_count=count,
        content=content,
        recorder=recorder,
        created_by=actor,
    )
    _place(briefing, post.enterprise)
    briefing.save()
    audit_record(
        actor=actor,
        action="post.briefing",
        obj=briefing,
        region_code=briefing.region_id,
        data={"post": post.pk, "held_on": held_on, "attendees": count},
    )
    return briefing
