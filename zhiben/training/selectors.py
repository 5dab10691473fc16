"""Reads: scoped lists of people, certificates, sessions and training bodies; training files (培训档案)
per person and per enterprise; certificates expiring soon; workers on a special-operation post without a
valid certificate; and the coverage figures (with the list of who is missing) for any region, industry
and year."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import as_id, joined
from zhiben.core.filters import Filter, FilterSet, Sort, id_q, region_param
from zhiben.core.periods import filter_range
from zhiben.core.rules import rule
from zhiben.core.scoping import child_code, child_prefix_length, normalize_code, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.selectors import operating_census, operating_enterprises
from zhiben.regions.models import Industry
from zhiben.regions.selectors import child_codes

from .choices import CertificateKind, ExamResult, PersonKind, ReviewResult, SessionKind
from .models import Attendance, Certificate, Person, Session, TrainingBody

VIEW = "training.view"


def _visible(model, user):
    return model.objects.all() if user is None else model.objects.for_user(user)


def _get(model, user, pk, related=()):
    if user is not None and not user.can(VIEW):
        raise Http404
    pk = as_id(pk)
    if pk is None:
        raise Http404
    found = joined(_visible(model, user), related).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def person_get(user, pk):
    return _get(Person, user, pk, ("enterprise", "unit", "region"))


def certificate_get(user, pk):
    return _get(Certificate, user, pk, ("person",))


def session_get(user, pk):
    return _get(Session, user, pk, ("enterprise", "body", "region"))


def body_get(user, pk):
    return _get(TrainingBody, user, pk, ("region",))


def enterprise_get(user, pk):
    return _get(Enterprise, user, pk, ("region", "industry"))


# ---------------------------------------------------------------- lists


def _identity_q(value, ctx):
    from zhiben.core.crypto import blind_indexes

    return Q(id_index__in=blind_indexes(value)) if value else Q()


# The people, session and certificate lists' orders (their column headers switch each way)
PERSON_SORT = Sort.both_ways({"name": ("name", "id")}, default=("region_id", "name", "id"))
SESSION_SORT = Sort.both_ways({"held": ("held_on", "id")}, default=("-held_on", "-id"))
CERTIFICATE_SORT = Sort.both_ways({"expires": ("expires_on", "id")}, default=("expires_on", "id"))

PERSON_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("kind", "人员类别", "choice", choices=PersonKind.choices, lookup="kind"),
    Filter(
        "special",
        "特种作业岗位",
        "choice",
        choices=[("1", "是"), ("0", "否")],
        q=lambda v, ctx: Q(special_post=v == "1"),
    ),
    Filter("id_number", "身份证号", "search", q=_identity_q),
    Filter("q", "关键词", "search", search=("name", "post", "enterprise__name", "unit__name")),
    PERSON_SORT,
)

SESSION_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("kind", "培训类型", "choice", choices=SessionKind.choices, lookup="kind"),
    Filter("from", "培训日期从", "date", lookup="held_on__gte"),
    Filter("to", "培训日期至", "date", lookup="held_on__lte"),
    Filter("q", "关键词", "search", search=("title", "organiser", "topics")),
    SESSION_SORT,
)


def _expiring(qs, value, ctx):
    today = ctx.today
    if value == "1":
        days = int(rule("training.certificate_reminder_days", getattr(ctx.user, "region_id", "") or ""))
        return qs.filter(
            revoked=False, expires_on__gte=today, expires_on__lte=date.fromordinal(today.toordinal() + days)
        )
    if value == "0":
        return qs.filter(expires_on__lt=today)
    return qs


CERTIFICATE_FILTERS = FilterSet(
    Filter("expiring", "有效期", "choice", choices=[("1", "即将到期"), ("0", "已过期")], apply=_expiring),
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("kind", "证书类型", "choice", choices=CertificateKind.choices, lookup="kind"),
    Filter("expires_before", "有效期至早于", "date", lookup="expires_on__lte"),
    Filter("q", "关键词", "search", search=("number", "person__name", "issuer")),
    CERTIFICATE_SORT,
)

# The training body list's orders (its column headers switch each way); bodies never reviewed come last either way
BODY_SORT = Sort.both_ways(
    {"name": ("name", "id"), "reviewed": (F("reviewed_on").asc(nulls_last=True), "id")},
    default=("region_id", "name", "id"),
)

BODY_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("review_result", "评估结果", "choice", choices=ReviewResult.choices[1:], lookup="review_result"),
    Filter("q", "关键词", "search", search=("name", "scope", "address")),
    BODY_SORT,
)


def _listed(model, filterset, user, filters):
    if user is not None and not user.can(VIEW):
        return model.objects.none()
    return filterset.filter(_visible(model, user), filters or {}, user=user)


def person_list(*, user, filters=None):
    return _listed(Person, PERSON_FILTERS, user, filters).select_related("enterprise", "unit", "region")


def session_list(*, user, filters=None, related=("body", "region", "enterprise")):
    """The sessions `user` may see, narrowed and ordered by `filters`, each read with its `related` rows (the list
    page: only those its table shows)."""
    return joined(_listed(Session, SESSION_FILTERS, user, filters), related)


def certificate_list(*, user, filters=None, related=("person", "region")):
    """The certificates `user` may see, narrowed and ordered by `filters`, each read with its `related` rows (the
    list page: only those its table shows)."""
    return joined(_listed(Certificate, CERTIFICATE_FILTERS, user, filters), related)


def body_list(*, user, filters=None):
    return _listed(TrainingBody, BODY_FILTERS, user, filters).select_related("region")


# ---------------------------------------------------------------- certificates and the flag


def valid_certificate_q(day, prefix=""):
    """A 特种作业操作证 valid on `day`: issued, not expired, not revoked by then (Certificate.valid_on)."""
    in_force = Q(**{f"{prefix}revoked": False}) | Q(**{f"{prefix}revoked_on__gt": day})
    return in_force & Q(
        **{f"{prefix}kind": CertificateKind.SPECIAL, f"{prefix}issued_on__lte": day, f"{prefix}expires_on__gte": day}
    )


def _certified(day):
    """Exists: the person (OuterRef) holds a valid 特种作业操作证 of their post's category on `day`."""
    return Exists(
        Certificate.objects.filter(valid_certificate_q(day), person=OuterRef("pk")).filter(
            Q(category=OuterRef("special_category")) | Q(category="")
        )
    )


def uncertified_workers(user, *, day=None, region_code=None, enterprise=None):
    """Active people on a special-operation post without a valid certificate of their category on `day`:
    under the 工贸行业重大事故隐患判定标准 this is a 重大事故隐患 (特种作业人员未持证上岗)."""
    day = day or timezone.localdate()
    qs = _visible(Person, user).filter(active=True, special_post=True)
    if region_code:
        qs = qs.filter(_region_q(region_code))
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs.exclude(_certified(day)).select_related("enterprise", "region", "hazard").order_by("region_id", "name")


def expiring_certificates(user, *, today=None, days=None):
    today = today or timezone.localdate()
    days = (
        int(rule("training.certificate_reminder_days", getattr(user, "region_id", "") or "")) if days is None else days
    )
    end = date.fromordinal(today.toordinal() + days)
    return (
        _visible(Certificate, user)
        .filter(revoked=False, expires_on__gte=today, expires_on__lte=end)
        .select_related("person", "enterprise")
        .order_by("expires_on", "id")
    )


# ---------------------------------------------------------------- training files (培训档案)


def person_file(person, user=None):
    """A person's training file: every session attended (newest first), with hours and results. With `user`, each
    row says whether that user may open its session (`session_visible`: a session another jurisdiction or department
    held is listed, not linked)."""
    rows = list(
        Attendance.objects.filter(person=person)
        .select_related("session", "session__body")
        .order_by("-session__held_on")
    )
    if user is not None:
        visible = set(_visible(Session, user).filter(pk__in={a.session_id for a in rows}).values_list("pk", flat=True))
        for a in rows:
            a.session_visible = a.session_id in visible
    return {
        "rows": rows,
        "hours": sum((a.session.hours for a in rows if a.attended), Decimal(0)),
        "certificates": list(person.certificates.order_by("-expires_on")),
    }


def enterprise_file(user, enterprise, year=None):
    """An enterprise's training file: its people with their sessions and hours (this year, or `year`)."""
    people = list(_visible(Person, user).filter(enterprise=enterprise).order_by("kind", "name"))
    attendance = Attendance.objects.filter(person__in=people).select_related("session")
    if year:
        attendance = attendance.filter(session__held_on__year=int(year))
    by_person = {}
    for a in attendance.order_by("session__held_on"):
        by_person.setdefault(a.person_id, []).append(a)
    today = timezone.localdate()
    certified = set(
        Certificate.objects.filter(valid_certificate_q(today), person__in=people).values_list("person_id", flat=True)
    )
    rows = []
    for p in people:
        sessions = by_person.get(p.pk, [])
        rows.append(
            {
                "person": p,
                "sessions": sessions,
                "hours": sum((a.session.hours for a in sessions if a.attended), Decimal(0)),
                "certified": p.pk in certified,
            }
        )
    return rows


# ---------------------------------------------------------------- coverage


@dataclass
class Coverage:
    key: str
    label: str
    numerator: int = 0
    denominator: int = 0
    missing: list = field(default_factory=list)
    missing_label: str = "未覆盖"

    @property
    def value(self):
        """The share in percent with one decimal, or None when nobody is counted."""
        if not self.denominator:
            return None
        share = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _span(year=None, start=None, end=None):
    """(first, last) day counted: `start`–`end` (dates or ISO text, both inclusive) when both read, else the
    whole `year`, else this year (core.periods.filter_range)."""
    return filter_range({"year": str(year or ""), "start": str(start or ""), "end": str(end or "")})


def _industry_q(industry, field_name="industry"):
    if industry in (None, ""):
        return Q()
    value = getattr(industry, "pk", industry)
    by_id = id_q(f"{field_name}_id")(str(value), None)  # an id (one no column holds: no row), else a code
    return by_id if by_id is not None else Q(**{f"{field_name}__code": value})


def _region_q(region_code, field_name="region_id"):
    """Rows in the subtree of `region_code` (any code form); nothing for a text that is not a code."""
    if not region_code:
        return Q()
    return subtree_q(region_code, field_name) or Q(pk__in=[])


def _trained(kind, year):
    """Exists: the person (OuterRef) attended a session of `kind` in `year` and did not fail its exam."""
    return Exists(
        Attendance.objects.filter(
            person=OuterRef("pk"), attended=True, session__kind=kind, session__held_on__year=year
        ).exclude(result=ExamResult.FAILED)
    )


def key_industry_codes(region_code):
    value = rule("training.key_industries", normalize_code(region_code) or "")
    return [str(v) for v in value] if isinstance(value, list) else []


# Each figure counts rows — (item, counted as covered) — read in one or two queries; `place(item)` says
# where a row lies, (region code, industry code), for the breakdown by child region or industry.


def _principal_rows(user, region_code, industry, first, last, industries):
    """Operating enterprises of `industries` whose 主要负责人 attended a 主要负责人履职 training in the
    year of `first` (a yearly duty: a shorter period counts its whole year) and did not fail its exam."""
    trained_people = Person.objects.filter(kind=PersonKind.PRINCIPAL, enterprise=OuterRef("pk")).filter(
        _trained(SessionKind.PRINCIPAL, first.year)
    )
    rows = (
        _visible(Enterprise, user)
        .filter(_region_q(region_code), _industry_q(industry), status="operating", industry__code__in=industries)
        .annotate(trained=Exists(trained_people))
        .select_related("region", "industry")
        .order_by("region_id", "name")
    )
    return [(e, e.trained) for e in rows]


def _principal_counts(user, region_code, industry, first, industries):
    """[(region_id, industry code, enterprises, trained)] of `_principal_rows`, counted by the database: the
    enterprises from the registry's census (shared with the other coverage figures of a dashboard) and
    the trained ones from the year's attendances of 主要负责人 (a query over training records, not a
    probe for each enterprise)."""
    code = getattr(industry, "pk", industry) or ""
    wanted = set(industries)
    counts = {}
    for region_id, industry_code, _, n in operating_census(user, region_code or "", code):
        if industry_code in wanted:
            counts.setdefault((region_id, industry_code), [0, 0])[0] += n
    attended = Attendance.objects.filter(
        attended=True,
        session__kind=SessionKind.PRINCIPAL,
        session__held_on__year=first.year,
        person__kind=PersonKind.PRINCIPAL,
        person__enterprise__in=operating_enterprises(user, region_code or "", code),
        person__enterprise__industry__code__in=wanted,
    ).exclude(result=ExamResult.FAILED)
    trained = (
        attended.values("person__enterprise__region_id", "person__enterprise__industry__code")
        .annotate(n=Count("person__enterprise_id", distinct=True))
        .order_by()
        .values_list("person__enterprise__region_id", "person__enterprise__industry__code", "n")
    )
    for region_id, industry_code, n in trained:
        if (region_id, industry_code) in counts:
            counts[(region_id, industry_code)][1] += n
    return [(region_id, industry_code, n, done) for (region_id, industry_code), (n, done) in counts.items()]


def _share(numerator, denominator):
    return Coverage("", "", numerator, denominator).value


def _certified_rows(user, region_code, industry, first, last):
    """People on a special-operation post holding a valid certificate of their category on the period's
    last day (today while it runs)."""
    day = min(last, timezone.localdate())
    people = _visible(Person, user).filter(
        _region_q(region_code), _industry_q(industry), active=True, special_post=True
    )
    rows = people.annotate(certified=_certified(day)).select_related("enterprise", "industry")
    return [(p, p.certified) for p in rows.order_by("region_id", "name")]


def _pass_rows(user, region_code, industry, first, last):
    """Exam results in the period of the people of the region (wherever the session was held, e.g. a county
    training attended by a town's workers)."""
    people = _visible(Person, user).filter(_region_q(region_code), _industry_q(industry))
    rows = (
        Attendance.objects.filter(
            person__in=people,
            session__held_on__gte=first,
            session__held_on__lte=last,
            attended=True,
            result__in=[ExamResult.PASSED, ExamResult.FAILED],
        )
        .select_related("person", "person__industry", "session")
        .order_by("session__held_on", "id")
    )
    return [(a, a.result == ExamResult.PASSED) for a in rows]


def _officials_rows(kind, session_kind):
    def rows(user, region_code, industry, first, last):
        """Officials of `kind` trained in the year of `first` (a yearly duty); they belong to no industry."""
        people = _visible(Person, user).filter(_region_q(region_code), kind=kind, active=True)
        people = people.annotate(trained=_trained(session_kind, first.year)).select_related("unit")
        return [(p, p.trained) for p in people.order_by("region_id", "name")]

    return rows


def _person_place(person):
    return person.region_id, person.industry.code if person.industry_id else ""


@dataclass(frozen=True)
class CoverageDef:
    key: str
    label: str
    missing_label: str
    rows: object  # (user, region_code, industry, first, last) → [(item, covered)]
    place: object  # item → (region code, industry code)
    by_industry: bool = True  # False: rows of no industry (officials), not broken down by industry


COVERAGE_DEFS = [
    CoverageDef(
        "training.principal_coverage",
        "重点行业企业主要负责人培训覆盖率",
        "主要负责人本年度未培训的企业",
        None,  # key industries are a rule per region: see _principal_rows
        lambda e: (e.region_id, e.industry.code),
    ),
    CoverageDef(
        "training.certified_share",
        "特种作业人员持证率",
        "未持有效特种作业操作证的人员",
        _certified_rows,
        _person_place,
    ),
    CoverageDef("training.pass_rate", "培训考核合格率", "考核不合格", _pass_rows, lambda a: _person_place(a.person)),
    CoverageDef(
        "training.officials_trained",
        "党政领导干部安全生产培训覆盖率",
        "本年度未培训",
        _officials_rows(PersonKind.OFFICIAL, SessionKind.OFFICIAL),
        _person_place,
        by_industry=False,
    ),
    CoverageDef(
        "training.enforcement_trained",
        "执法人员培训覆盖率",
        "本年度未培训",
        _officials_rows(PersonKind.ENFORCEMENT, SessionKind.ENFORCEMENT),
        _person_place,
        by_industry=False,
    ),
]
COVERAGES = {d.key: d for d in COVERAGE_DEFS}
PRINCIPAL = "training.principal_coverage"


def _coverage(definition, rows):
    return Coverage(
        definition.key,
        definition.label,
        sum(1 for _, covered in rows if covered),
        len(rows),
        [item for item, covered in rows if not covered],
        definition.missing_label,
    )


def coverage(key, user, *, region_code=None, industry=None, year=None, start=None, end=None):
    """The coverage figure `key` for a region (any code form; none: everything the user sees), an industry
    and a period (`year`, or `start`–`end`), with the list of who is missing."""
    definition = COVERAGES[key]
    first, last = _span(year, start, end)
    if key == PRINCIPAL:
        industries = key_industry_codes(region_code or getattr(user, "region_id", "") or "")
        rows = _principal_rows(user, region_code, industry, first, last, industries)
    else:
        rows = definition.rows(user, region_code, industry, first, last)
    return _coverage(definition, rows)


def coverage_breakdown(key, user, *, by, region_code=None, industry=None, year=None, start=None, end=None):
    """{code: value} of figure `key` for each child region of `region_code` (by="region"; rows on the
    region's own node under its own code) or each industry (by="industry"), from the rows of one
    computation — each value equal to `coverage()` of that child or industry. A figure of people of no
    industry (officials) has no industry breakdown ({}). The whole comes too ("")."""
    definition = COVERAGES[key]
    if by not in ("region", "industry"):
        raise ValueError(f"unknown breakdown {by!r}")
    if by == "industry" and not definition.by_industry:
        return {}
    first, last = _span(year, start, end)
    root = normalize_code(region_code) if region_code else (getattr(user, "region_id", "") or "")
    if region_code and not root:
        return {}
    if by == "region":
        groups = {code: [] for code in child_codes(root)}
        keep = child_prefix_length(root) if root else 2
    else:
        groups = {code: [] for code in Industry.objects.values_list("code", flat=True)}
    if key == PRINCIPAL:
        own = key_industry_codes(root)
        wanted = own if by == "industry" else sorted({c for g in [*groups, root] for c in key_industry_codes(g)})
        sums = {code: [0, 0] for code in groups}
        whole = [0, 0]  # the region itself counts its own rule's key industries
        keys = {}
        for region_id, industry_code, n, trained in _principal_counts(user, root or None, industry, first, wanted):
            if industry_code in own:
                whole[0], whole[1] = whole[0] + trained, whole[1] + n
            if by == "industry":
                code = industry_code
            else:  # each child counts the key industries of its own rule
                code = region_id if region_id == root else child_code(region_id[:keep])
                if code not in keys:  # each child's rule read once, not once per row
                    keys[code] = key_industry_codes(code)
                if industry_code not in keys[code]:
                    continue
            total = sums.setdefault(code, [0, 0])
            total[0], total[1] = total[0] + trained, total[1] + n
        return {code: _share(trained, n) for code, (trained, n) in sums.items()} | {"": _share(*whole)}
    else:
        rows = definition.rows(user, root or None, industry, first, last)
    for row in rows:
        region_id, industry_code = definition.place(row[0])
        if by == "industry":
            code = industry_code
        else:
            code = region_id if region_id == root else child_code(region_id[:keep])
        if code:
            groups.setdefault(code, []).append(row)
    whole = _coverage(definition, rows).value  # the region itself, from the same rows
    return {code: _coverage(definition, found).value for code, found in groups.items()} | {"": whole}


def coverage_value(key, user, *, region_code=None, industry=None, year=None, start=None, end=None):
    """The number of `coverage()` without its list of who is missing (the figure analytics reads)."""
    if key != PRINCIPAL:
        return coverage(key, user, region_code=region_code, industry=industry, year=year, start=start, end=end).value
    first, _ = _span(year, start, end)
    industries = key_industry_codes(region_code or getattr(user, "region_id", "") or "")
    counts = _principal_counts(user, region_code, industry, first, industries)
    return _share(sum(c[3] for c in counts), sum(c[2] for c in counts))


def coverage_args(user, *, region="", industry="", year=None, start=None, end=None):
    """The keyword arguments of `coverage()` for a region (core.filters.region_param: a code inside the user's
    jurisdiction, another jurisdiction's a 404), an industry and a period: `start`–`end` when both are given in
    order, else `year` (this year if None)."""
    code = region_param(user, region)
    if start is None or end is None or end < start:
        start = end = None
    return {
        "region_code": code or None,
        "industry": (industry or "").strip() or None,
        "year": start.year if start else year or timezone.localdate().year,
        "start": start,
        "end": end,
    }


def all_coverage(user, *, region_code=None, industry=None, year=None, start=None, end=None):
    return [
        coverage(key, user, region_code=region_code, industry=industry, year=year, start=start, end=end)
        for key in COVERAGES
    ]


def person_by_identity(user, id_number):
    from zhiben.core.crypto import blind_indexes

    indexes = blind_indexes(id_number)
    return _visible(Person, user).filter(id_index__in=indexes).first() if indexes else None


def criteria_text():
    """The 重大事故隐患 item an uncertified special-operation worker falls under (工贸), as the criteria table
    words it; a fixed wording when the table does not hold it."""
    from zhiben.hazards.models import CriteriaItem

    item = (
        CriteriaItem.objects.filter(text__contains="特种作业人员未按规定", standard__name__contains="工贸")
        .select_related("standard")
        .first()
    )
    if item is None:
        item = CriteriaItem.objects.filter(text__contains="特种作业人员未按规定").select_related("standard").first()
    if item is None:
        return "工贸企业重大事故隐患判定标准：特种作业人员未按规定经专门的安全作业培训并取得相应资格上岗作业。"
    return f"{item.standard.name} {item.number}：{item.text}"


def uncertified_criteria(enterprise):
    """The 重大事故隐患 item a worker without a certificate falls under at `enterprise`: an item on
    特种作业人员 without the required qualification, of a current standard for the enterprise's industry that
    applies where it is (工贸: 第三条第（二）项), or None when the catalogue holds none."""
    from zhiben.hazards.criteria import applies_to_region
    from zhiben.hazards.models import CriteriaItem

    items = (
        CriteriaItem.objects.filter(
            Q(text__contains="未持证") | Q(text__contains="资格"),
            text__contains="特种作业人员",
            standard__is_current=True,
            standard__industries=enterprise.industry_id,
        )
        .select_related("standard")
        .order_by(F("standard__region_id").desc(nulls_last=True), "standard_id", "sort")
    )
    return next((i for i in items if applies_to_region(i.standard, enterprise.region_id)), None)


def missing_row(item):
    """[name, where, note] of one missing item of a coverage figure (an enterprise, a person or an attendance)."""
    if isinstance(item, Enterprise):
        return [
            item.name,
            item.region.name,
            f"{item.industry.name if item.industry_id else ''} 主要负责人：{item.principal}",
        ]
    if isinstance(item, Attendance):
        return [item.person.name, item.session.title, f"{item.session.held_on:%Y-%m-%d} 成绩 {item.score or '—'}"]
    employer = item.enterprise or item.unit
    return [item.name, employer.name if employer else "", item.post]
