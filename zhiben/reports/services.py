"""Every write of the reports module: the public side (submit, follow up, add information, claim a reward)
and the official side (accept, transfer, the four outcomes, spam, replies, rewards, identity reveals,
identity keepers, routing rules, Open311 keys). Atomic, scoped, evented and audited.

The reporter is nobody's user: they prove who they are with the report's code and secret. The secret is
kept only as a keyed hash; name, phone and payment details are encrypted, never written to the audit
log, the timeline, a notification body or a hazard, and shown only through `identity_reveal`."""

import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.crypto import blind_index, blind_indexes
from zhiben.core.db import as_id, whole_number
from zhiben.core.evidence import open_image, read_upload, store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import rule
from zhiben.core.scoping import region_chain, scope_allows
from zhiben.core.services import actor_covers, ensure_capability
from zhiben.core.services import data_text as _text
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise
from zhiben.escalation.services import committee_admins, committee_unit
from zhiben.hazards.models import Hazard
from zhiben.hazards.services import hazard_report, supervising_unit_for
from zhiben.notifications.services import notify
from zhiben.regions.models import Region, Unit

from .choices import OPEN, AccidentGrade, Matter, MessageKind, RewardStatus, Source, Status
from .models import Attempt, Category, Keeper, Message, Open311Key, Photo, Report, Reward, RoutingRule
from .workflow import BATCH, TRANSITIONS

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from paper
MAX_DEATHS = 32767  # the largest a PositiveSmallIntegerField holds
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
LINK = re.compile(r"https?://|www\.", re.I)
MARKUP = re.compile(r"<\s*/?\s*(script|iframe|object|embed|img|a|svg|style)\b", re.I)
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _group(text):
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _random(n):
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def normalise_code(text):
    """What a reporter types ("jb k7m2q9xd", "JB-K7M2-Q9XD") as stored: JB-K7M2-Q9XD."""
    raw = re.sub(r"[^0-9A-Za-z]", "", str(text or "")).upper()
    if raw.startswith("JB"):
        raw = raw[2:]
    return f"JB-{_group(raw)}" if raw else ""


def normalise_secret(text):
    raw = re.sub(r"[^0-9A-Za-z]", "", str(text or "")).upper()
    return _group(raw)


def _secret_hash(code, secret, key_id=None):
    return blind_index(f"report-secret:{code}:{normalise_secret(secret)}", key_id)


def secret_matches(report, secret):
    text = f"report-secret:{report.code}:{normalise_secret(secret)}"
    return any(hmac.compare_digest(report.secret_hash, digest) for digest in blind_indexes(text))


# ---------------------------------------------------------------- who is asking (public pages)


@dataclass(frozen=True)
class Client:
    """Where a public request comes from, as keyed hashes (no raw address or device id is stored)."""

    address: str = ""
    device: str = ""

    @classmethod
    def of(cls, address, device):
        return cls(
            address=blind_index(f"report-address:{address}") if address else "",
            device=blind_index(f"report-device:{device}") if device else "",
        )


def _count(kind, key, since):
    return Attempt.objects.filter(kind=kind, key=key, at__gte=since).count() if key else 0


def _limit(kind, key, rule_key, window, message):
    limit = int(rule(rule_key))
    if key and _count(kind, key, timezone.now() - window) >= limit:
        raise ApplicationError(message, code="throttled")


def _too_many(what):
    return f"{what}提交过于频繁，请稍后再试。如情况紧急，请直接拨打 12350 安全生产举报电话。"


def check_submit_limits(client):
    """Refuse a submission when the address or the device has sent too many recently."""
    hour = timedelta(hours=1)
    _limit("submit", client.address, "reports.limit_address_hour", hour, _too_many("同一网络"))
    _limit("submit", client.device, "reports.limit_device_hour", hour, _too_many("同一设备"))
    _limit("submit", client.device, "reports.limit_device_day", timedelta(days=1), _too_many("同一设备今天"))


def prune_attempts(*, now=None):
    """Drop attempts older than two days (the longest window is a day)."""
    now = now or timezone.now()
    return Attempt.objects.filter(at__lt=now - timedelta(days=2)).delete()[0]


# ---------------------------------------------------------------- the challenge (light proof of work)

POW_SALT = "zhiben.reports.pow"


def challenge_new(bits=None):
    """A signed challenge: the browser finds a counter such that SHA-256(challenge + ":" + counter) starts
    with `bits` zero bits (rule "reports.pow_bits"). Costs a phone about a second, a flood much more."""
    bits = int(rule("reports.pow_bits") if bits is None else bits)
    return signing.dumps({"n": secrets.token_hex(8), "b": bits}, salt=POW_SALT, compress=False)


def _zero_bits(digest):
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_check(challenge, counter):
    """Accept a solved challenge once; raise ApplicationError otherwise."""
    import hashlib

    try:
        data = signing.loads(challenge or "", salt=POW_SALT, max_age=int(rule("reports.pow_max_age_minutes")) * 60)
    except signing.SignatureExpired:
        raise ApplicationError("页面停留时间过长，请刷新页面后重新提交（已填写的内容请先复制保存）。", code="challenge")
    except signing.BadSignature:
        raise ApplicationError("页面校验信息无效，请刷新页面后重新提交。", code="challenge")
    digest = hashlib.sha256(f"{challenge}:{counter}".encode()).digest()
    if whole_number(counter) is None or _zero_bits(digest) < int(data.get("b", 0)):
        raise ApplicationError(
            "浏览器校验未完成：请等待页面提示“校验完成”后再提交（需启用 JavaScript）。", code="challenge"
        )
    key = hashlib.sha256(challenge.encode()).hexdigest()
    if Attempt.objects.filter(kind="pow", key=key).exists():
        raise ApplicationError("该表单已经提交过，请勿重复提交；如需再次举报，请刷新页面。", code="challenge")
    Attempt.objects.create(kind="pow", key=key)


# ---------------------------------------------------------------- routing


def route(region_code, category, industry):
    """The unit that handles a report, and why: a routing rule of the nearest region (one naming the
    category first), else the department supervising the industry (三管三必须: 管行业必须管安全), else
    the 安委办 of the town or county (属地)."""
    chain = region_chain(region_code)
    rules = list(
        RoutingRule.objects.filter(region_id__in=chain, unit__is_active=True)
        .filter(Q(category=category) | Q(category__isnull=True))
        .select_related("unit")
    )
    if rules:
        best = min(rules, key=lambda r: (chain.index(r.region_id), r.category_id is None))
        scope = f"“{best.category}”类" if best.category_id else "全部类别"
        return best.unit, f"分办规则：{best.region.name}{scope}举报由{best.unit.name}承办"
    if industry is not None:
        unit = supervising_unit_for(region_code, industry)
        if unit is not None:
            return unit, f"管行业必须管安全：{industry.name}由{unit.name}监管"
    unit = committee_unit(region_code)
    if unit is not None:
        return unit, f"属地管理：由{unit.region.name}{unit.name}统筹"
    return None, "未找到承办单位：请为该地区设置举报分办规则或安委办"


def _deadline(region_code, today):
    return today + timedelta(days=int(rule("reports.verify_days", region_code)))


def _notify_unit(report, subject, body, *, users=None):
    if users is None:
        users = list(report.unit.users.filter(is_active=True)) if report.unit_id else []
        users += committee_admins(report.region_id) if not users else []
    if users:
        notify(
            subject=subject,
            body=body,
            url=report.get_absolute_url(),
            users=users,
            obj=report,
            region_code=report.region_id,
        )


def _notify_reporter(report, text):
    """An SMS to a named reporter who gave a phone: that there is news, never the news itself."""
    if report.anonymous or not report.reporter_phone:
        return
    notify(
        subject=f"您的安全生产举报（{report.code}）有新答复",
        body=f"您的举报（编号 {report.code}）{text}，请凭举报编号和查询密码查看。",
        contacts=[("举报人", report.reporter_phone)],
        obj=report,
        region_code=report.region_id,
    )


# ---------------------------------------------------------------- the public side


ENTERPRISE_SALT = "zhiben.reports.enterprise"


def enterprise_token(enterprise):
    """What a poster's QR code carries to pre-fill the form with an enterprise (not its id: a guessable
    number would let anyone list every enterprise through the form). The same token every time: a poster
    printed today and one printed next year carry the same code."""
    return signing.Signer(salt=ENTERPRISE_SALT).sign_object(enterprise.pk)


def enterprise_from_token(token):
    token = token or ""
    try:
        if token.count(":") == 2:  # a poster printed while the token still carried its moment
            pk = signing.loads(token, salt=ENTERPRISE_SALT)
        else:
            pk = signing.Signer(salt=ENTERPRISE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return Enterprise.objects.select_related("industry", "region").filter(pk=pk).first()


def _bool(value):
    return str(value).strip().lower() in ("1", "true", "on", "yes", "是")


def _coordinate(value, label, bound, errors, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors.append((field, f"{label}“{value}”不是数字。"))
        return None
    if not -bound <= number <= bound:
        errors.append((field, f"{label}“{value}”超出范围。"))
        return None
    return number


def _suspect(text):
    reasons = []
    if len(LINK.findall(text)) >= int(rule("reports.suspect_links")):
        reasons.append("含多个网址链接")
    if MARKUP.search(text):
        reasons.append("含网页脚本或标签")
    return "、".join(reasons)


def clean_photo(upload, region_code=""):
    """A public photo: an image by its content (not its name), within the size rule, re-encoded so that
    its EXIF data (the phone's GPS position, model and owner name) is not kept."""
    fields = read_upload(upload, max_mb=rule("reports.photo_max_mb", region_code))
    if not fields["content_type"].startswith("image/"):
        raise ApplicationError(f"文件“{fields['original_name']}”不是照片：举报只接受 JPG/PNG/WebP/GIF 图片。")
    from PIL import ImageOps

    data = fields["content"].read()
    with open_image(data) as image:
        kind = image.format
        frame = ImageOps.exif_transpose(image) if kind in ("JPEG", "WEBP") else image.copy()
        if kind == "JPEG" and frame.mode not in ("RGB", "L"):
            frame = frame.convert("RGB")
        out = io.BytesIO()
        frame.save(out, kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    name = f"{fields['original_name'].rsplit('.', 1)[0][:80] or 'photo'}.{IMAGE_FORMATS.get(kind, 'jpg')}"
    return SimpleUploadedFile(name, out.getvalue(), content_type=fields["content_type"])


def _photos(files, region_code, errors, already=0):
    limit = int(rule("reports.max_photos", region_code))
    files = [f for f in files if f]
    if len(files) + already > limit:
        errors.append(("photos", f"每件举报最多 {limit} 张照片（已有 {already} 张，本次 {len(files)} 张）。"))
        return []
    cleaned = []
    for upload in files:
        try:
            cleaned.append(clean_photo(upload, region_code))
        except ApplicationError as exc:
            errors.append(("photos", exc.message))
    return cleaned


def _store_photos(report, photos, message=None):
    for upload in photos:
        store_upload(
            Photo(report=report, message=message),
            upload,
            size_rule="reports.photo_max_mb",
            region_code=report.region_id,
        )


def _clean_submission(data, errors):
    category = Category.objects.filter(code=_text(data, "category"), is_active=True).select_related("industry").first()
    if category is None:
        errors.append(("category", "请选择举报类别。"))
    enterprise = enterprise_from_token(data.get("enterprise_token")) if data.get("enterprise_token") else None
    region = (
        Region.objects.filter(code=_text(data, "region").ljust(12, "0")[:12]).first() if _text(data, "region") else None
    )
    if enterprise is not None:
        region = enterprise.region
    elif region is None:
        errors.append(("region", "请选择隐患所在的镇街（知道的话选到村社区）。"))
    elif region.level < 4:
        errors.append(("region", f"“{region.name}”范围太大，请选到镇街（知道的话选到村社区）。"))
    description = _text(data, "description")
    if len(description) < 10:
        errors.append(("description", "请具体描述发现的问题（至少10个字）：什么地方、什么问题、什么时候看到的。"))
    elif len(description) > 2000:
        errors.append(("description", f"举报内容过长（{len(description)} 字），请控制在2000字以内，可分次补充。"))
    values = {
        "category": category,
        "region": region,
        "description": description,
        "address": _text(data, "address", 300),
        "latitude": _coordinate(data.get("latitude"), "纬度", 90, errors, "latitude"),
        "longitude": _coordinate(data.get("longitude"), "经度", 180, errors, "longitude"),
        "enterprise": enterprise,
        "enterprise_name": enterprise.name if enterprise else _text(data, "enterprise_name", 200),
        "anonymous": not _text(data, "name") and not _text(data, "phone")
        if "anonymous" not in data
        else _bool(data["anonymous"]),
        "is_employee": _bool(data.get("is_employee")),
    }
    name, phone = _text(data, "name", 50), re.sub(r"[\s]", "", _text(data, "phone", 30))
    if values["anonymous"]:
        name = phone = ""
    else:
        if len(name) < 2:
            errors.append(("name", "实名举报请填写姓名（至少2个字）；不愿留名请选择匿名举报。"))
        if not PHONE.match(phone):
            errors.append(("phone", "实名举报请填写正确的手机号码（11位）或固定电话（如 023-12345678）。"))
    values["reporter_name"], values["reporter_phone"] = name, phone
    return values


def _match_enterprise(values):
    """The registered enterprise the reporter named, when the name is exact within the report's county."""
    if values["enterprise"] is not None or not values["enterprise_name"] or values["region"] is None:
        return values["enterprise"]
    county = values["region"].code[:6]
    return (
        Enterprise.objects.filter(name=values["enterprise_name"], region__code__startswith=county)
        .select_related("industry")
        .order_by("id")
        .first()
    )


def _new_code():
    while True:
        code = f"JB-{_group(_random(8))}"
        if not Report.objects.filter(code=code).exists():
            return code


@transaction.atomic
def report_submit(*, data, files=(), client=Client(), source=Source.WEB, open311_key=None, today=None):
    """Take a report from the public. Returns (report, secret); the secret is shown once and kept only as
    a hash. Nothing is written unless everything is valid."""
    today = today or timezone.localdate()
    check_submit_limits(client)
    errors = []
    values = _clean_submission(data, errors)
    photos = _photos(files, values["region"].code if values["region"] else "", errors)
    if open311_key is not None and values["region"] is not None:
        from zhiben.core.scoping import in_subtree

        if not in_subtree(values["region"].code, open311_key.region_id):
            errors.append(("region", f"该应用只能提交{open311_key.region.name}范围内的举报。"))
    if errors:
        _fail(errors)
    enterprise = _match_enterprise(values)
    category = values["category"]
    industry = enterprise.industry if enterprise is not None else category.industry
    region_code = values["region"].code
    unit, why = route(region_code, category, industry)
    secret = _group(_random(12))
    code = _new_code()
    report = Report.objects.create(
        code=code,
        secret_hash=_secret_hash(code, secret),
        source=source,
        category=category,
        description=values["description"],
        region=values["region"],
        address=values["address"],
        latitude=values["latitude"],
        longitude=values["longitude"],
        enterprise_name=values["enterprise_name"],
        enterprise=enterprise,
        industry=industry,
        anonymous=values["anonymous"],
        reporter_name=values["reporter_name"],
        reporter_phone=values["reporter_phone"],
        is_employee=values["is_employee"],
        unit=unit,
        routed_by=why,
        deadline=_deadline(region_code, today),
        suspect=_suspect(values["description"] + values["address"] + values["enterprise_name"]),
        address_hash=client.address,
        device_hash=client.device,
        open311_client=open311_key,
    )
    _store_photos(report, photos)
    Attempt.objects.bulk_create([Attempt(kind="submit", key=k) for k in (client.address, client.device) if k])
    record_event(report, "submit", note=f"{Source(source).label}；{why}")
    audit_record(
        actor=None,
        action="report.submit",
        obj=report,
        data={
            "category": category.code,
            "source": source,
            "anonymous": report.anonymous,
            "unit": unit.pk if unit else None,
        },
    )
    where = values["region"].name
    _notify_unit(
        report,
        f"新的群众举报：{report.code}",
        f"{where}有一件“{category.name}”举报待受理，核查期限 {report.deadline}。",
    )
    return report, secret


def report_find(code, secret, *, client=Client()):
    """The report behind a code and secret, or ApplicationError. Wrong secrets are counted per address and
    per code; after too many the code cannot be tried for an hour (the message never says whether the
    code exists)."""
    code = normalise_code(code)
    hour = timezone.now() - timedelta(hours=1)
    limit = int(rule("reports.limit_lookup_fail_hour"))
    code_key = blind_index(f"report-code:{code}")
    if _count("lookup", client.address, hour) >= limit or _count("lookup", code_key, hour) >= limit:
        raise ApplicationError("查询失败次数过多，请一小时后再试。", code="throttled")
    report = Report.objects.filter(code=code).select_related("category", "region", "unit").first() if code else None
    if report is None or not secret_matches(report, secret):
        with transaction.atomic():
            Attempt.objects.bulk_create([Attempt(kind="lookup", key=k) for k in (client.address, code_key) if k])
        raise ApplicationError("举报编号或查询密码不正确，请核对后重试（编号形如 JB-XXXX-XXXX）。", code="not_found")
    return report


@transaction.atomic
def reporter_add(*, report, text, files=()):
    """The reporter adds information or photos to an open report (or to a closed one within 30 days, to
    dispute it: the unit is told)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    text = str(text or "").strip()
    errors = []
    if not report.is_open and report.closed_at and report.closed_at < timezone.now() - timedelta(days=30):
        errors.append(("text", "该举报已办结超过30天，不能再补充；如有新情况请重新举报。"))
    if len(text) < 2 and not [f for f in files if f]:
        errors.append(("text", "请填写补充内容或上传照片。"))
    if len(text) > 2000:
        errors.append(("text", "补充内容请控制在2000字以内。"))
    photos = _photos(files, report.region_id, errors, already=report.photos.count()) if not errors else []
    if errors:
        _fail(errors)
    message = Message.objects.create(
        report=report, kind=MessageKind.INFO, text=text or "（补充照片）", status=report.status
    )
    _store_photos(report, photos, message)
    suspect = _suspect(text)
    if suspect and not report.suspect:
        Report.objects.filter(pk=report.pk).update(suspect=f"补充内容{suspect}")
    record_event(report, "info", note="举报人补充了情况" + (f"和 {len(photos)} 张照片" if photos else ""))
    audit_record(actor=None, action="report.info", obj=report, data={"photos": len(photos)})
    if report.unit_id:
        users = [report.assignee] if report.assignee_id else None
        _notify_unit(report, f"举报人补充了情况：{report.code}", "举报人补充了情况，请查看。", users=users)
    return message


# ---------------------------------------------------------------- the official side


def may_handle(actor, report):
    """The report's unit, or the 安委办 over its region, handles it."""
    if not actor.can("report.handle") or not scope_allows(actor, report):
        return False
    if report.unit_id and actor.unit_id == report.unit_id:
        return True
    return actor.role == "anweiban_admin" and actor_covers(actor, report.region_id)


def _lock(actor, report, action):
    current = (
        Report.objects.select_for_update(of=("self",)).select_related("category", "unit", "region").get(pk=report.pk)
    )
    if not scope_allows(actor, current):
        raise ScopeError()
    transition = TRANSITIONS[action]
    if not may_handle(actor, current):
        raise ApplicationError(
            f"该举报由{current.unit or '未定单位'}承办，您无权执行“{transition.label}”。", code="forbidden"
        )
    if current.status not in transition.sources:
        raise ApplicationError(
            f"举报当前为“{current.get_status_display()}”，不能执行“{transition.label}”。", code="bad_state"
        )
    return current, transition


def _reply(actor, report, text, status):
    text = str(text or "").strip()
    return Message.objects.create(
        report=report,
        kind=MessageKind.REPLY,
        text=text,
        status=status,
        author=actor,
        unit_name=actor.unit.name if actor.unit_id else "",
    )


def _need_reply(reply, errors, what="答复意见"):
    if len(str(reply or "").strip()) < 4:
        errors.append(("reply", f"请填写给举报人的{what}（至少4个字，举报人凭编号可见；不要写出举报人身份）。"))


def _move(actor, report, action, *, reply="", note="", data=None, **fields):
    """Apply a transition from the table with its reply, event, audit and the reporter's SMS."""
    transition = TRANSITIONS[action]
    before = report.status
    report.status = transition.target
    if transition.target not in OPEN:
        report.closed_at = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    report.save()
    if reply:
        _reply(actor, report, reply, report.status)
        _notify_reporter(report, f"已{transition.label}" if transition.target in OPEN else "已办结")
    record_event(
        report,
        action,
        actor=actor,
        note=note or transition.label,
        data={"from": before, "to": report.status, **(data or {})},
    )
    audit_record(
        actor=actor, action=f"report.{action}", obj=report, data={"from": before, "to": report.status, **(data or {})}
    )
    return report


def _assignee(actor, report, value, errors):
    from zhiben.accounts.models import User

    if value in (None, ""):
        return actor
    user = User.objects.filter(pk=as_id(value), is_active=True).first() if as_id(value) is not None else None
    if user is None or (report.unit_id and user.unit_id != report.unit_id and user.pk != actor.pk):
        errors.append(("assignee", "核查人须是承办单位的在岗人员。"))
        return None
    return user


@transaction.atomic
def report_accept(*, actor, report, assignee=None, reply="", today=None):
    """受理: the unit takes the report, names who verifies it, and tells the reporter."""
    report, _ = _lock(actor, report, "accept")
    errors = []
    person = _assignee(actor, report, assignee, errors)
    if errors:
        _fail(errors)
    reply = reply or f"您的举报已由{report.unit.name}受理，将于 {report.deadline} 前完成核查。"
    _move(
        actor,
        report,
        "accept",
        reply=reply,
        note=f"受理，核查人 {person.display_name}",
        assignee=person,
        data={"assignee": person.pk},
    )
    return report


@transaction.atomic
def report_transfer(*, actor, report, unit, reply="", today=None):
    """转办: to another unit in the system (wrongly routed); the verification clock starts again."""
    report, _ = _lock(actor, report, "transfer")
    today = today or timezone.localdate()
    target = Unit.objects.filter(pk=as_id(unit), is_active=True).first() if as_id(unit) is not None else None
    if (
        target is None
        or not actor_covers(actor, target.region_id)
        and target.region_id not in region_chain(report.region_id)
    ):
        _fail([("unit", "请选择接收的承办单位（本辖区或举报所在地的上级单位）。")])
    if target.pk == report.unit_id:
        _fail([("unit", "接收单位与当前承办单位相同。")])
    old = report.unit
    reply = reply or f"您的举报已转交{target.name}办理。"
    _move(
        actor,
        report,
        "transfer",
        reply=reply,
        note=f"由{old or '未定单位'}转交{target.name}",
        unit=target,
        assignee=None,
        deadline=_deadline(report.region_id, today),
        routed_by=f"转办：{actor.display_name}转交",
        data={"from_unit": old.pk if old else None, "to_unit": target.pk},
    )
    _notify_unit(
        report,
        f"转办的群众举报：{report.code}",
        f"{old or '上级'}转来一件“{report.category}”举报，核查期限 {report.deadline}。",
    )
    return report


def _hazard_data(report, data):
    values = {
        "channel": "public",
        "level": data.get("level") or "general",
        "category": data.get("hazard_category") or "",
        "description": _text(data, "hazard_description") or report.description,
        "location": report.address[:300],
        "found_date": report.created_at.date() if report.created_at else None,
        "found_by": "群众举报",
        "deadline": data.get("deadline") or None,
        "criteria_item": data.get("criteria_item") or None,
        "criteria_other": _text(data, "criteria_other"),
        "source_ref": report.code,
        "industry": data.get("industry") or (report.industry_id or ""),
    }
    enterprise = data.get("enterprise") or report.enterprise_id
    if enterprise:
        values["enterprise"] = enterprise
    else:
        values |= {
            "place_name": _text(data, "place_name") or report.address or report.region.name,
            "region": report.region_id,
            "address": report.address,
        }
    return values


@transaction.atomic
def report_verify(*, actor, report, data, reply, today=None):
    """属实: the report becomes a hazard (channel 群众举报, linked both ways), or — for a violation or a
    concealed accident that is not a hazard — is closed as verified with `data["no_hazard"]`."""
    report, _ = _lock(actor, report, "verify")
    errors = []
    _need_reply(reply, errors, "核查结果")
    no_hazard = _bool(data.get("no_hazard"))
    if no_hazard and report.category.matter == Matter.HAZARD:
        errors.append(("no_hazard", "事故隐患类举报核查属实须形成隐患；“不形成隐患”仅限非法违法行为、瞒报事故类举报。"))
    if errors:
        _fail(errors)
    hazard = None
    if not no_hazard:
        hazard = hazard_report(actor=actor, data=_hazard_data(report, data), today=today)
    _move(
        actor,
        report,
        "verify",
        reply=reply,
        hazard=hazard,
        note=f"核查属实{'，形成隐患 ' + hazard.number if hazard else ''}",
        data={"hazard": hazard.number if hazard else None},
    )
    return report


@transaction.atomic
def report_unfounded(*, actor, report, reply):
    report, _ = _lock(actor, report, "unfound")
    errors = []
    _need_reply(reply, errors, "核查情况说明")
    if errors:
        _fail(errors)
    return _move(actor, report, "unfound", reply=reply)


@transaction.atomic
def report_duplicate(*, actor, report, of, reply=""):
    """重复: of an earlier report (its code) or of a hazard already on record (its number), in scope."""
    report, _ = _lock(actor, report, "duplicate")
    target = str(of or "").strip()
    other = hazard = None
    if target.upper().startswith("JB"):
        other = Report.objects.for_user(actor).filter(code=normalise_code(target)).exclude(pk=report.pk).first()
        if other is not None and other.created_at > report.created_at:
            _fail([("of", f"举报 {other.code} 晚于本举报，应将那件标为重复。")])
    else:
        hazard = Hazard.objects.for_user(actor).filter(number=target.upper()).first()
    if other is None and hazard is None:
        _fail([("of", "请填写重复的举报编号（JB-…）或隐患编号（YH…），须在您的管辖范围内。")])
    what = f"举报 {other.code}" if other else f"隐患 {hazard.number}"
    reply = reply or (
        "您反映的问题此前已有人举报，正在（或已经）依法处理。"
        if other
        else "您反映的问题已在监管部门的隐患台账中，正在依法督促整改。"
    )
    return _move(
        actor,
        report,
        "duplicate",
        reply=reply,
        duplicate_of=other,
        duplicate_hazard=hazard,
        note=f"与{what}重复",
        data={"of": what},
    )


@transaction.atomic
def report_refer(*, actor, report, body, reply=""):
    """移交: outside this system's remit (公安、市场监管 …): closed here, with the body named."""
    report, _ = _lock(actor, report, "refer")
    body = str(body or "").strip()[:100]
    errors = []
    if len(body) < 2:
        errors.append(("body", "请填写接收移交的机关（如 县公安局）。"))
    _need_reply(reply or "x" * 4, errors)
    if errors:
        _fail(errors)
    reply = reply or f"您反映的问题不属于安全生产监管职责范围，已依法移交{body}处理。"
    return _move(actor, report, "refer", reply=reply, referred_to=body, note=f"移交{body}", data={"body": body})


@transaction.atomic
def report_spam(*, actor, report, reason):
    """无效信息 (advertising, abuse, nonsense): closed, no reply sent, kept out of statistics."""
    report, _ = _lock(actor, report, "spam")
    reason = str(reason or "").strip()[:200]
    if len(reason) < 2:
        _fail([("reason", "请写明判为无效信息的理由。")])
    return _move(actor, report, "spam", note=f"无效信息：{reason}", data={"reason": reason})


def report_transition_many(*, actor, ids, action, note=""):
    """受理 or 无效信息 on many reports at once from the list, each by its own service (core.workflow.transition_many:
    what cannot be moved is reported with the reason, the rest done). A note given to 受理 is the reply every
    reporter gets instead of the default one; 无效信息 must give the reason."""
    steps = {
        "accept": lambda report: report_accept(actor=actor, report=report, reply=note),
        "spam": lambda report: report_spam(actor=actor, report=report, reason=note),
    }
    return BATCH.run(Report.objects.for_user(actor), ids, action, note, steps.get(action))


@transaction.atomic
def report_reopen(*, actor, report, reason, today=None):
    """A report marked spam by mistake goes back to 待受理 with a new verification deadline."""
    report, _ = _lock(actor, report, "reopen")
    reason = str(reason or "").strip()[:200]
    if len(reason) < 2:
        _fail([("reason", "请写明恢复的理由。")])
    return _move(
        actor,
        report,
        "reopen",
        note=f"恢复受理：{reason}",
        closed_at=None,
        deadline=_deadline(report.region_id, today or timezone.localdate()),
    )


@transaction.atomic
def report_message(*, actor, report, text, internal=False):
    """A reply to the reporter during verification, or an internal note."""
    report = Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    if not may_handle(actor, report):
        raise ApplicationError("您不是该举报的承办人员，不能答复。", code="forbidden")
    text = str(text or "").strip()
    if len(text) < 2 or len(text) > 2000:
        _fail([("text", "请填写内容（2至2000字）。")])
    if internal:
        message = Message.objects.create(
            report=report,
            kind=MessageKind.NOTE,
            text=text,
            author=actor,
            unit_name=actor.unit.name if actor.unit_id else "",
        )
    else:
        message = _reply(actor, report, text, report.status)
        _notify_reporter(report, "有新的答复")
    record_event(report, "note" if internal else "reply", actor=actor, note="内部备注" if internal else "答复举报人")
    audit_record(actor=actor, action="report.note" if internal else "report.reply", obj=report)
    return message


# ---------------------------------------------------------------- rewards


def _money(value, label, errors, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("元", "").strip())
    except (InvalidOperation, ValueError):
        errors.append((field, f"{label}“{value}”不是金额。"))
        return None
    if number < 0 or number > Decimal("1e11"):
        errors.append((field, f"{label}“{value}”超出范围。"))
        return None
    return number.quantize(Decimal("0.01"))


def reward_amount(schedule, *, kind, fine=None, deaths=None, grade="", employee=False):
    """(amount, basis) by the reward schedule (rule "reports.reward_schedule"). `kind`: major_hazard,
    general_hazard, violation or concealment. Raises ApplicationError when the kind earns no reward."""
    entry = schedule.get(kind)
    if not entry:
        raise ApplicationError("按现行奖励标准，该类举报不予奖励（一般事故隐患不在奖励范围内）。", code="not_eligible")
    cap = Decimal(str(entry["max"]))
    if kind == "concealment":
        per = entry["per_death"].get(grade)
        if per is None or not deaths:
            raise ApplicationError("瞒报谎报事故的奖励须填写核实的瞒报死亡人数和事故等级。")
        raw = Decimal(str(per)) * deaths
        basis = f"瞒报{grade}事故，核实瞒报死亡 {deaths} 人 × {per:,} 元"
    else:
        rate, floor = Decimal(str(entry["rate"])), Decimal(str(entry["min"]))
        raw = max((fine or Decimal(0)) * rate, floor)
        basis = f"罚款 {fine or 0:,.2f} 元 × {rate:.0%}，最低 {floor:,.0f} 元"
    bonus = Decimal(str(schedule.get("employee_bonus") or 0))
    if employee and bonus:
        raw *= 1 + bonus
        basis += f"；本单位从业人员举报上浮 {bonus:.0%}"
    amount = min(raw, cap).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if raw > cap:
        basis += f"；封顶 {cap:,.0f} 元"
    return amount, basis


def _reward_kind(report):
    if report.category.matter == Matter.CONCEALMENT:
        return "concealment"
    if report.category.matter == Matter.VIOLATION:
        return "violation"
    return "major_hazard" if report.hazard_id and report.hazard.level == "major" else "general_hazard"


def _reward_capability(actor):
    ensure_capability(actor, "report.reward", "您的角色无权办理举报奖励。")


@transaction.atomic
def reward_propose(*, actor, report, data):
    """Propose a reward for a verified report: first valid reporter only (a duplicate, or a hazard whose
    reward went to an earlier report, earns none); one reward per report."""
    _reward_capability(actor)
    report = Report.objects.select_for_update(of=("self",)).select_related("category", "hazard").get(pk=report.pk)
    if not may_handle(actor, report):
        raise ApplicationError("您不是该举报的承办人员，不能提出奖励。", code="forbidden")
    if report.status != Status.VERIFIED:
        raise ApplicationError("只有核查属实的举报才能给予奖励（重复举报只奖励首位有效举报人）。", code="bad_state")
    if Reward.objects.filter(report=report).exists():
        raise ApplicationError("该举报已提出过奖励，不能重复提出。", code="duplicate")
    if report.hazard_id and Reward.objects.filter(hazard_id=report.hazard_id).exists():
        raise ApplicationError("该隐患已奖励过首位举报人，不能重复奖励。", code="duplicate")
    errors = []
    fine = _money(data.get("fine"), "罚款金额", errors, "fine")
    deaths = whole_number(data.get("deaths"))
    if data.get("deaths") not in (None, "") and (deaths is None or deaths > MAX_DEATHS):  # the column's range too
        errors.append(("deaths", "瞒报死亡人数须为整数。"))
    grade = _text(data, "accident_grade")
    if grade and grade not in AccidentGrade.values:
        errors.append(("accident_grade", f"事故等级“{grade}”无效。"))
    if errors:
        _fail(errors)
    kind = _reward_kind(report)
    amount, basis = reward_amount(
        rule("reports.reward_schedule", report.region_id),
        kind=kind,
        fine=fine,
        deaths=deaths,
        grade=grade,
        employee=report.is_employee,
    )
    reward = Reward.objects.create(
        report=report,
        hazard=report.hazard,
        fine=fine,
        deaths=deaths,
        accident_grade=grade,
        amount=amount,
        basis=basis,
        created_by=actor,
    )
    record_event(report, "reward_propose", actor=actor, note=f"提出奖励 {amount:,.2f} 元（{basis}）")
    audit_record(
        actor=actor,
        action="report.reward_propose",
        obj=reward,
        data={"amount": amount, "basis": basis},
        region_code=report.region_id,
    )
    return reward


def _lock_reward(actor, reward):
    reward = Reward.objects.select_for_update(of=("self",)).select_related("report", "report__unit").get(pk=reward.pk)
    if not scope_allows(actor, reward.report):
        raise ScopeError()
    return reward


def _reward_state(reward, allowed, label):
    if reward.status not in allowed:
        raise ApplicationError(f"奖励当前为“{reward.get_status_display()}”，不能{label}。", code="bad_state")


@transaction.atomic
def reward_decide(*, actor, reward, approve, reason=""):
    """Approval by a second person: who proposed a reward cannot approve it (双人审批)."""
    ensure_capability(actor, "report.reward_approve", "您的角色无权审批举报奖励。")
    reward = _lock_reward(actor, reward)
    _reward_state(reward, (RewardStatus.PROPOSED,), "审批")
    if reward.created_by_id == actor.pk:
        raise ApplicationError("奖励须由提出人以外的另一人审批。", code="forbidden")
    reason = str(reason or "").strip()[:300]
    if not approve and len(reason) < 2:
        _fail([("reason", "不予奖励须写明理由（举报人可见）。")])
    reward.status = RewardStatus.APPROVED if approve else RewardStatus.REFUSED
    reward.approved_by, reward.approved_at, reward.refused_reason = actor, timezone.now(), reason
    reward.save()
    report = reward.report
    if approve:
        _reply(
            actor,
            report,
            f"经审批，对您的举报给予奖励 {reward.amount:,.2f} 元。请凭举报编号和查询密码申领并填写收款信息。",
            report.status,
        )
        _notify_reporter(report, "的奖励已批准")
    else:
        _reply(actor, report, f"经审批，不予奖励：{reason}", report.status)
    action = "reward_approve" if approve else "reward_refuse"
    record_event(report, action, actor=actor, note=("批准奖励" if approve else f"不予奖励：{reason}"))
    audit_record(
        actor=actor, action=f"report.{action}", obj=reward, region_code=report.region_id, data={"amount": reward.amount}
    )
    return reward


@transaction.atomic
def reward_claim(*, report, data):
    """The reporter claims an approved reward with code and secret (already checked by the caller) and
    gives payment details only now; a second claim is refused."""
    reward = Reward.objects.select_for_update().filter(report=report).first()
    if reward is None:
        raise ApplicationError("该举报目前没有可申领的奖励。", code="bad_state")
    if reward.status in (RewardStatus.CLAIMED, RewardStatus.PAID):
        raise ApplicationError("该奖励已经申领，不能重复申领。", code="duplicate")
    if reward.status != RewardStatus.APPROVED:
        raise ApplicationError(f"奖励当前为“{reward.get_status_display()}”，尚不能申领。", code="bad_state")
    errors = []
    name, account = _text(data, "payee_name", 50), _text(data, "payee_account", 60)
    phone = re.sub(r"\s", "", _text(data, "payee_phone", 30))
    if len(name) < 2:
        errors.append(("payee_name", "请填写领奖人姓名（仅保密专员可见）。"))
    if len(re.sub(r"\D", "", account)) < 8 and "@" not in account:
        errors.append(("payee_account", "请填写银行卡号或其他收款账户。"))
    if not PHONE.match(phone):
        errors.append(("payee_phone", "请填写正确的联系电话，以便核对领奖。"))
    if errors:
        _fail(errors)
    reward.payee_name, reward.payee_account, reward.payee_phone = name, account, phone
    reward.status, reward.claimed_at = RewardStatus.CLAIMED, timezone.now()
    reward.save()
    record_event(report, "reward_claim", note="举报人申领奖励")
    audit_record(actor=None, action="report.reward_claim", obj=reward, region_code=report.region_id)
    _notify_unit(
        report,
        f"举报奖励已申领：{report.code}",
        f"举报人已申领奖励 {reward.amount:,.2f} 元，请联系保密专员核对收款信息后发放。",
    )
    return reward


@transaction.atomic
def reward_pay(*, actor, reward, voucher):
    """Record the payment (who paid, when, the voucher number)."""
    _reward_capability(actor)
    reward = _lock_reward(actor, reward)
    _reward_state(reward, (RewardStatus.CLAIMED,), "登记发放")
    voucher = str(voucher or "").strip()[:60]
    if len(voucher) < 2:
        _fail([("voucher", "请填写发放凭证号（转账流水号或收据号）。")])
    reward.status, reward.paid_at, reward.paid_by, reward.voucher = RewardStatus.PAID, timezone.now(), actor, voucher
    reward.save()
    _reply(actor, reward.report, f"奖励 {reward.amount:,.2f} 元已发放，请注意查收。", reward.report.status)
    _notify_reporter(reward.report, "的奖励已发放")
    record_event(reward.report, "reward_pay", actor=actor, note=f"奖励已发放，凭证号 {voucher}")
    audit_record(
        actor=actor,
        action="report.reward_pay",
        obj=reward,
        region_code=reward.report.region_id,
        data={"voucher": voucher, "amount": reward.amount},
    )
    return reward


# ---------------------------------------------------------------- confidentiality


def is_keeper(user):
    return bool(user and user.is_authenticated and user.is_active and Keeper.objects.filter(user=user).exists())


@transaction.atomic
def identity_reveal(*, actor, report, reason):
    """A keeper in whose scope the report lies reads the reporter's identity (and payment details); each
    reveal asks for a reason and is audited (the reason, never the identity)."""
    if not is_keeper(actor):
        raise ApplicationError("只有指定的举报保密专员才能查看举报人身份。", code="forbidden")
    if not scope_allows(actor, report):
        raise ScopeError()
    reason = str(reason or "").strip()[:200]
    if len(reason) < 4:
        _fail([("reason", "请写明查看举报人身份的事由（至少4个字），将记入审计日志。")])
    audit_record(actor=actor, action="report.reveal", obj=report, data={"reason": reason})
    identity = {"匿名": "是" if report.anonymous else "否", "姓名": report.reporter_name, "电话": report.reporter_phone}
    reward = Reward.objects.filter(report=report).first()
    if reward is not None and reward.payee_name:
        identity |= {"领奖人": reward.payee_name, "收款账户": reward.payee_account, "领奖人电话": reward.payee_phone}
    return identity


@transaction.atomic
def keeper_designate(*, actor, user):
    ensure_capability(actor, "security.manage", "只有安全管理员可以指定举报保密专员。")
    if user.role not in ("anweiban_admin", "regulator") or not user.is_active:
        _fail([("user", "保密专员须是在岗的安委办或行业监管人员账号。")])
    keeper, created = Keeper.objects.get_or_create(user=user, defaults={"designated_by": actor})
    if not created:
        _fail([("user", f"{user.display_name}已是保密专员。")])
    audit_record(actor=actor, action="report.keeper_add", obj=user, data={"user": user.pk})
    return keeper


@transaction.atomic
def keeper_remove(*, actor, user):
    ensure_capability(actor, "security.manage", "只有安全管理员可以撤销举报保密专员。")
    deleted = Keeper.objects.filter(user=user).delete()[0]
    if not deleted:
        _fail([("user", f"{user.display_name}不是保密专员。")])
    audit_record(actor=actor, action="report.keeper_remove", obj=user, data={"user": user.pk})


# ---------------------------------------------------------------- routing rules and Open311 keys


@transaction.atomic
def routing_rule_save(*, actor, data):
    ensure_capability(actor, "report.route", "只有安委办管理员可以设置举报分办规则。")
    errors = []
    region = Region.objects.for_user(actor).filter(code=_text(data, "region")).first()
    if region is None:
        errors.append(("region", "请选择您辖区内的区划。"))
    category = Category.objects.filter(pk=data.get("category")).first() if data.get("category") else None
    unit = (
        Unit.objects.for_user(actor).filter(pk=as_id(data.get("unit")), is_active=True).first()
        if as_id(data.get("unit")) is not None
        else None
    )
    if unit is None:
        errors.append(("unit", "请选择您辖区内在用的承办单位。"))
    if errors:
        _fail(errors)
    rule_row, created = RoutingRule.objects.update_or_create(
        region=region, category=category, defaults={"unit": unit, "note": _text(data, "note", 200), "created_by": actor}
    )
    audit_record(
        actor=actor,
        action="report.route_save",
        obj=rule_row,
        data={"region": region.code, "category": category.code if category else None, "unit": unit.pk},
    )
    return rule_row


@transaction.atomic
def routing_rule_delete(*, actor, rule_row):
    ensure_capability(actor, "report.route", "只有安委办管理员可以设置举报分办规则。")
    if not scope_allows(actor, rule_row):
        raise ScopeError()
    audit_record(actor=actor, action="report.route_delete", obj=rule_row, data={"region": rule_row.region_id})
    rule_row.delete()


def open311_key_hash(key):
    import hashlib

    return hashlib.sha256(f"zhiben-open311:{key}".encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, actor, name, region_code):
    """A new key for a civic app; the key itself is returned once and only its hash is stored."""
    ensure_capability(actor, "report.route", "只有安委办管理员可以发放 Open311 密钥。")
    name = str(name or "").strip()[:100]
    region = Region.objects.for_user(actor).filter(code=str(region_code or "")).first()
    errors = []
    if len(name) < 2:
        errors.append(("name", "请填写应用名称。"))
    if region is None:
        errors.append(("region", "请选择您辖区内的区划。"))
    if errors:
        _fail(errors)
    key = secrets.token_urlsafe(24)
    row = Open311Key.objects.create(name=name, key_hash=open311_key_hash(key), region=region, created_by=actor)
    audit_record(actor=actor, action="report.open311_key", obj=row, data={"region": region.code})
    return row, key


def open311_key_get(key):
    if not key:
        return None
    return Open311Key.objects.filter(key_hash=open311_key_hash(key), is_active=True).select_related("region").first()
