"""Open311 GeoReport v2 facade (`/open311/v2/`), so existing civic apps can submit and follow reports.

Endpoints (each ends in `.json` or `.xml`; both carry the same data, XML in the spec's element names):

- `GET services.json`: the active report categories (service_code = category code, group = 事项性质).
- `GET services/{code}.json`: the definition: our extra fields as attributes (`region` required).
- `POST requests.json` (form-encoded, CSRF-exempt): a report, with `api_key` (issued by the 安委办 on the
  routing page; only its hash is kept). Goes through `services.report_submit` like the web form: the same
  checks, routing, rate limits per address and device (`device_id`), and the key's region. No proof of
  work (the key stands in for it). The answer's `service_notice` carries the report's 查询密码 once, for the
  app to show the reporter; the platform keeps only its hash.
- `GET requests.json`, `GET requests/{id}.json`: reports, no key needed.
- `GET tokens/{token}.json`: a POST answers with the service_request_id at once, so there are no real
  tokens: a token is the report's code, and the endpoint answers `[{"service_request_id": code, "token":
  code}]` for any listed report.

Mapping: `attribute[region]` is the 12-digit 统计用区划代码 of the town or village (required: there is no
geocoder, so `lat`/`long` or `address_string` alone cannot place a report, and the answer says so);
`last_name` + `first_name` (Chinese order) and `phone` make a named report unless `attribute[anonymous]`
is true, in which case they are dropped. `email`, `account_id` and `media_url` are ignored and never
stored: fetching a URL given by a caller would make the server reach into arbitrary networks, so photos
come only through the web form or the reporter's follow-up. `jurisdiction_id` (a region code) narrows
a query to that subtree; on POST it must lie within the key's region and contain the report's region.

Privacy of the public reads (no key, anyone can call them):
- the reporter's text, the address, the coordinates and the enterprise named are not returned: they can
  identify the reporter or accuse an enterprise before anyone checked. `description` is the category and
  the place, `address` the town/village name, `lat`/`long` null, `media_url` null;
- `status_notes` is the status label and the last reply to the reporter (written for the reporter to read;
  staff are told not to write anything identifying in it). Internal notes and the reporter's additions
  are never returned;
- the reporter's name and phone are not even read: the queries load only the listed columns;
- reports marked 无效信息 (spam) are neither listed nor returned (404), as if they did not exist;
- every answer carries `Cache-Control: no-store`.

Statuses: `open` is 待受理/核查中, `closed` every outcome. `requested_datetime` is when the report came in,
`updated_datetime` its last change, `expected_datetime` the end of the verification deadline's day.
A list answers at most `LIST_LIMIT` requests (newest first); its date range defaults to the last 90 days
and may not span more than 90 days.

Errors are always the spec's array `[{"code": 400, "description": "..."}]` (Chinese), with 400 for bad
input, 403 for a missing or unknown api_key, 404 for an unknown service, request or endpoint, 405 for a
wrong method, 429 when a rate limit refuses a submission."""

import re
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from xml.etree import ElementTree

from django.core.exceptions import SuspiciousOperation
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zhiben.core.exceptions import ApplicationError
from zhiben.core.middleware import client_ip
from zhiben.core.scoping import in_subtree, normalize_code, subtree_q
from zhiben.regions.models import Region

from . import services
from .choices import OPEN, MessageKind, Source, Status
from .models import Category, Message, Report

LIST_LIMIT = 1000
MAX_IDS = 100
MAX_SPAN = timedelta(days=90)
SERVICE_CODE = re.compile(r"[-A-Za-z0-9_]{1,40}")
FORMATS = ("json", "xml")
# the columns a public read loads (never the reporter's identity, text, address or coordinates)
PUBLIC_COLUMNS = (
    "code",
    "status",
    "created_at",
    "updated_at",
    "deadline",
    "category__code",
    "category__name",
    "region__name",
    "region__level",
    "region__parent__name",
    "unit__name",
)
# our field names (services.report_submit's errors) as the Open311 parameter the caller sent
PARAMETERS = {
    "category": "service_code",
    "region": "attribute[region]",
    "description": "description",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "enterprise_name": "attribute[enterprise_name]",
    "name": "last_name/first_name",
    "phone": "phone",
}
YES_NO = [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]
ATTRIBUTES = [
    {
        "variable": False,
        "code": "privacy",
        "datatype": "string",
        "required": False,
        "datatype_description": "",
        "order": 0,
        "description": "举报人姓名和电话加密保存，只有指定的保密专员可以查看；被举报单位不会知道举报人。"
        "请不要在描述中写自己的姓名、电话等个人信息。",
    },
    {
        "variable": True,
        "code": "region",
        "datatype": "string",
        "required": True,
        "datatype_description": "12位统计用区划代码（镇街或村社区），如 500106105002",
        "order": 1,
        "description": "隐患所在镇街或村社区（本接口不能根据经纬度或地址确定区划）",
    },
    {
        "variable": True,
        "code": "enterprise_name",
        "datatype": "string",
        "required": False,
        "datatype_description": "单位全称，不超过200字",
        "order": 2,
        "description": "被举报单位名称（知道的话）",
    },
    {
        "variable": True,
        "code": "anonymous",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true 匿名举报（不保存姓名和电话）；false 实名举报（须填姓名和电话）。"
        "不填时，填了姓名或电话即为实名举报",
        "order": 3,
        "description": "是否匿名举报",
        "values": [{"key": "true", "name": "匿名举报"}, {"key": "false", "name": "实名举报"}],
    },
    {
        "variable": True,
        "code": "is_employee",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true 或 false",
        "order": 4,
        "description": "举报人是否为被举报单位的从业人员",
        "values": YES_NO,
    },
]


class Open311Error(Exception):
    def __init__(self, status, *descriptions):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = descriptions


# ---------------------------------------------------------------- rendering

XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_fill(element, value):
    if isinstance(value, dict):
        for name, item in value.items():
            _xml_fill(ElementTree.SubElement(element, name), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ElementTree.SubElement(element, XML_ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_INVALID.sub("", str(value))


def render(fmt, data, root, status=200):
    """JSON, or XML under `root` (services, service_definition, service_requests, errors)."""
    if fmt == "xml":
        element = ElementTree.Element(root)
        _xml_fill(element, data)
        body = ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
        response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    else:
        response = JsonResponse(
            data,
            status=status,
            safe=False,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def error_response(fmt, status, *descriptions):
    return render(fmt, [{"code": status, "description": d} for d in descriptions], "errors", status)


def endpoint(*methods):
    """A GeoReport endpoint: the format from the URL, the method, errors as the spec's error array. The
    view returns (data, XML root) or (data, XML root, status). CSRF-exempt: nothing here reads a session or
    a cookie (a POST is authorised by its api_key alone), and a refused POST must still answer JSON."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, fmt, **kwargs):
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error_response(
                    "json", 400, f"不支持的格式“.{fmt[:10]}”：请使用 .json 或 .xml。Only .json and .xml are supported."
                )
            if request.method not in methods:
                response = error_response(
                    fmt, 405, f"该地址不支持 {request.method[:10]} 请求（可用：{'、'.join(methods)}）。"
                )
                response.headers["Allow"] = ", ".join(methods)
                return response
            try:
                result = view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, *exc.descriptions)
            return render(fmt, *result)

        return wrapper

    return decorate


@csrf_exempt
def unknown(request, *args, **kwargs):
    return error_response(
        "json",
        404,
        "没有这个 Open311 接口：可用 services.json、services/{service_code}.json、requests.json、"
        "requests/{service_request_id}.json、tokens/{token}.json。No such GeoReport v2 endpoint.",
    )


# ---------------------------------------------------------------- reading parameters


def _params(request, post=False):
    """The query (or the form body), refused when it cannot be read or holds a NUL character."""
    try:
        if post:
            if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
                raise Open311Error(
                    400, "请按 GeoReport v2 以表单（application/x-www-form-urlencoded）提交，不接受 JSON 正文。"
                )
            params = request.POST
        else:
            params = request.GET
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
        raise Open311Error(400, "提交的参数无法解析（过多、过大或格式错误）。")
    if any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params):
        raise Open311Error(400, "参数中含有不允许的空字符（NUL）。")
    return params


def _text(params, key, limit=None):
    value = str(params.get(key) or "").strip()
    return value[:limit] if limit else value


def _list(params, key):
    """A parameter given as a comma list, or repeated: its non-empty items."""
    return [item.strip() for value in params.getlist(key) for item in value.split(",") if item.strip()]


def _jurisdiction(params):
    raw = _text(params, "jurisdiction_id")
    if not raw:
        return None
    code = normalize_code(raw)
    region = Region.objects.filter(code=code).first() if code.isascii() and code else None
    if region is None:
        raise Open311Error(400, f"jurisdiction_id“{raw[:20]}”不是已知的行政区划代码（如 500106）。")
    return region


def _flag(params, key):
    """An optional true/false attribute: None when absent."""
    raw = _text(params, key).lower()
    if not raw:
        return None
    if raw not in ("true", "false", "1", "0"):
        raise Open311Error(400, f"{key} 只能是 true 或 false。")
    return raw in ("true", "1")


def _when(params, key):
    """A W3C datetime (2026-01-01T00:00:00Z, with an offset, or local Beijing time without one), in UTC."""
    raw = _text(params, key)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(
            400, f"{key}“{raw[:40]}”不是有效的 W3C 日期时间，应形如 2026-01-01T00:00:00+08:00 或 2026-01-01T00:00:00Z。"
        )


def _date_range(params):
    start, end = _when(params, "start_date"), _when(params, "end_date")
    try:
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
    except OverflowError:
        raise Open311Error(400, "start_date/end_date 超出可查询的时间范围。")
    if end < start:
        raise Open311Error(400, "end_date 早于 start_date。")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date 与 end_date 的跨度不能超过90天（GeoReport v2 的约定）。")
    return start, end


def _category(code):
    if not SERVICE_CODE.fullmatch(code or ""):
        return None
    return Category.objects.filter(code=code, is_active=True).first()


# ---------------------------------------------------------------- services


def _keywords(category):
    words = [w.strip().removesuffix("等") for w in re.split(r"[、，,；;]", category.description)]
    return ",".join(w for w in words if w)


def _service(category):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": _keywords(category),
        "group": category.get_matter_display(),
    }


@endpoint("GET")
def service_list(request, fmt):
    _jurisdiction(_params(request))
    return [_service(c) for c in Category.objects.filter(is_active=True)], "services"


@endpoint("GET")
def service_definition(request, fmt, code):
    _jurisdiction(_params(request))
    category = _category(code)
    if category is None:
        raise Open311Error(404, f"没有代码为“{code[:40]}”的举报类别（service_code），可用的类别见 services.json。")
    return {"service_code": category.code, "attributes": ATTRIBUTES}, "service_definition"


# ---------------------------------------------------------------- requests: reading


def public_reports():
    """Reports as the public reads them: spam left out, only the public columns loaded."""
    last_reply = (
        Message.objects.filter(report=OuterRef("pk"), kind=MessageKind.REPLY).order_by("-at", "-id").values("text")[:1]
    )
    return (
        Report.objects.exclude(status=Status.SPAM)
        .select_related("category", "region", "region__parent", "unit")
        .only(*PUBLIC_COLUMNS)
        .annotate(last_reply=Subquery(last_reply))
        .order_by("-created_at", "-id")
    )


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds")


def _place(region):
    """The town, or the town and village, of a report."""
    if region.level >= 5 and region.parent_id:
        return f"{region.parent.name}{region.name}"
    return region.name


def _request(report):
    label = Status(report.status).label
    place = _place(report.region)
    return {
        "service_request_id": report.code,
        "status": "open" if report.status in OPEN else "closed",
        "status_notes": f"{label}：{report.last_reply}" if report.last_reply else label,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": f"{report.category.name}（{place}）",
        "agency_responsible": report.unit.name if report.unit_id else "",
        "service_notice": None,
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(timezone.make_aware(datetime.combine(report.deadline, time(23, 59, 59)))),
        "address": place,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _request_list(request, fmt):
    params = _params(request)
    reports = public_reports()
    jurisdiction = _jurisdiction(params)
    if jurisdiction is not None:
        reports = reports.filter(subtree_q(jurisdiction.code))
    ids = _list(params, "service_request_id")
    if ids:  # the spec: a list of ids overrides every other filter
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id 一次最多 {MAX_IDS} 个。")
        reports = reports.filter(code__in={services.normalise_code(i) for i in ids} - {""})
    else:
        codes = _list(params, "service_code")
        if codes:
            reports = reports.filter(category__code__in=[c for c in codes if SERVICE_CODE.fullmatch(c)])
        statuses = {s.lower() for s in _list(params, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open（待受理、核查中）或 closed（已办结），可用逗号分隔。")
        if statuses == {"open"}:
            reports = reports.filter(status__in=OPEN)
        elif statuses == {"closed"}:
            reports = reports.exclude(status__in=OPEN)
        start, end = _date_range(params)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
    return [_request(r) for r in reports[:LIST_LIMIT]], "service_requests"


def _one(request, request_id):
    params = _params(request)
    reports = public_reports()
    jurisdiction = _jurisdiction(params)
    if jurisdiction is not None:
        reports = reports.filter(subtree_q(jurisdiction.code))
    code = services.normalise_code(request_id)
    report = reports.filter(code=code).first() if code else None
    if report is None:
        raise Open311Error(404, f"没有编号为“{request_id[:40]}”的举报。")
    return report


@endpoint("GET")
def request_detail(request, fmt, request_id):
    return [_request(_one(request, request_id))], "service_requests"


@endpoint("GET")
def token(request, fmt, token):
    report = _one(request, token)
    return [{"service_request_id": report.code, "token": report.code}], "service_requests"


# ---------------------------------------------------------------- requests: submitting


def _submit(request, fmt):
    params = _params(request, post=True)
    key = services.open311_key_get(_text(params, "api_key", 200))
    if key is None:
        raise Open311Error(403, "缺少 api_key 或 api_key 无效：提交举报须使用安委办发放的应用密钥。")
    jurisdiction = _jurisdiction(params)
    if jurisdiction is not None and not in_subtree(jurisdiction.code, key.region_id):
        raise Open311Error(400, f"jurisdiction_id 不在该应用可提交的范围（{key.region.name}）内。")
    raw_region = _text(params, "attribute[region]")
    if not raw_region:
        located = _text(params, "lat") or _text(params, "long") or _text(params, "address_string")
        raise Open311Error(
            400,
            ("本接口不能根据经纬度或地址确定区划（没有地理编码服务）：" if located else "")
            + "请在 attribute[region] 中填写隐患所在镇街或村社区的12位区划代码（见 services/{service_code}.json）。",
        )
    region_code = normalize_code(raw_region)
    if not region_code or not region_code.isascii():
        raise Open311Error(400, f"attribute[region]“{raw_region[:20]}”不是12位区划代码（如 500106105002）。")
    if jurisdiction is not None and not in_subtree(region_code, jurisdiction.code):
        raise Open311Error(400, f"attribute[region] 不在 jurisdiction_id（{jurisdiction.name}）范围内。")
    data = {
        "category": _text(params, "service_code", 40),
        "region": region_code,
        "description": _text(params, "description"),
        "address": _text(params, "address_string", 300),
        "latitude": _text(params, "lat", 40),
        "longitude": _text(params, "long", 40),
        "enterprise_name": _text(params, "attribute[enterprise_name]", 200),
        "is_employee": bool(_flag(params, "attribute[is_employee]")),
        "name": (_text(params, "last_name", 25) + _text(params, "first_name", 25)).strip(),
        "phone": _text(params, "phone", 30),
    }
    anonymous = _flag(params, "attribute[anonymous]")
    if anonymous is not None:
        data["anonymous"] = anonymous
    client = services.Client.of(client_ip(request) or "", _text(params, "device_id", 200))
    try:
        report, secret = services.report_submit(
            data=data, files=(), client=client, source=Source.OPEN311, open311_key=key
        )
    except ApplicationError as exc:
        messages = [f"{PARAMETERS.get(e['field'], e['field'])}：{e['message']}" for e in exc.errors]
        raise Open311Error(429 if exc.code == "throttled" else 400, *(messages or [exc.message]))
    track = request.build_absolute_uri(reverse("report_public:track"))
    unit = report.unit.name if report.unit_id else "承办单位"
    notice = (
        f"举报已收到。举报编号 {report.code}，查询密码 {secret}（只显示这一次，请立即抄下或截图保存；"
        f"平台不保存密码原文，遗失后无法找回）。凭编号和查询密码可在 {track} 查看办理进度和答复、补充情况、"
        f"申领奖励。{unit}将于 {report.deadline:%Y-%m-%d} 前完成核查。"
    )
    return [{"service_request_id": report.code, "service_notice": notice, "account_id": None}], "service_requests"


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _submit(request, fmt)
    return _request_list(request, fmt)
