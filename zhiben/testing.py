"""The fixed cast every test uses: one city, county A (沙坪坝区) and county B (九龙坡区).

- alice: 安委办管理员 of county A (sees all of A);
- bob: city-level 安委办管理员 (sees A and B);
- charlie: 安委办管理员 of county B (gets 404 on A's objects);
- dave: leader of county A (read-only);
- erin: 应急办 regulator in town A1 (sees only the industries her unit supervises);
- gina: grid worker in village A1a; emma: enterprise user of enterprise_a;
- sam, sid, aud: the three administrators (系统/安全/审计).
"""

from django.test import TestCase

from zhiben.accounts.choices import Role
from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.validators import make_credit_code
from zhiben.regions.models import Industry, Region, Unit

PASSWORD = "Test-pass-2026"


def make_region(code, name):
    from zhiben.core.scoping import code_level
    from zhiben.regions.services import parent_code

    code = code.ljust(12, "0")
    return Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": code_level(code), "parent_id": parent_code(code)}
    )[0]


_serial = [0]


def make_enterprise(region, industry="hazchem", name=None, **extra):
    _serial[0] += 1
    body = "91" + region.code[:6] + f"MA{_serial[0]:07d}"
    return Enterprise.objects.create(
        credit_code=make_credit_code(body),
        name=name or f"测试企业{_serial[0]}",
        region=region,
        industry=Industry.objects.get(code=industry),
        **extra,
    )


def make_user(username, role, region, unit=None, enterprise=None, **extra):
    from django.utils import timezone

    user = User(
        username=username,
        name=username,
        role=role,
        region=region,
        unit=unit,
        enterprise=enterprise,
        password_changed_at=timezone.now(),
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def ensure_reference_data():
    """Re-create the rows the data migrations seed (industries, criteria, self-inspection duties) after a flush by a
    TransactionTestCase or a live-server test."""
    if not Industry.objects.exists():
        from zhiben.regions.choices import DEFAULT_INDUSTRIES

        for sort, (code, name, high_risk) in enumerate(DEFAULT_INDUSTRIES, start=1):
            Industry.objects.create(code=code, name=name, high_risk=high_risk, sort=sort)
    from zhiben.hazards.models import CriteriaItem, CriteriaPart, CriteriaStandard

    if not CriteriaStandard.objects.exists():
        from zhiben.hazards.criteria_seed import seed_criteria

        seed_criteria(CriteriaStandard, CriteriaPart, CriteriaItem, Industry)
    from zhiben.selfchecks.choices import seed_duties
    from zhiben.selfchecks.models import Duty

    seed_duties(Duty)
    from zhiben.reports.choices import seed_categories
    from zhiben.reports.models import Category

    if not Category.objects.exists():
        seed_categories(Category, Industry)


def build_cast(target):
    """Attach the regions, units, enterprises and users of the cast to `target` (a class or object)."""
    ensure_reference_data()
    t = target
    make_region("50", "重庆市")
    t.city = make_region("5001", "市辖区")
    t.county_a = make_region("500106", "沙坪坝区")
    t.town_a1 = make_region("500106105", "凤凰镇")
    t.village_a1 = make_region("500106105002", "凤凰村")
    t.village_a2 = make_region("500106105003", "双碑村")
    t.town_a2 = make_region("500106104", "青木关镇")
    t.county_b = make_region("500107", "九龙坡区")
    t.town_b1 = make_region("500107101", "西彭镇")
    t.village_b1 = make_region("500107101001", "西彭社区")
    t.unit_office_a = Unit.objects.create(
        name="沙坪坝区安委办", kind="committee", region=t.county_a, doc_prefix="沙安办"
    )
    t.unit_emergency_a1 = Unit.objects.create(name="凤凰镇应急办", kind="department", region=t.town_a1)
    t.unit_emergency_a1.industries.set(Industry.objects.filter(code__in=["hazchem", "machinery"]))
    t.unit_office_b = Unit.objects.create(name="九龙坡区安委办", kind="committee", region=t.county_b)
    t.enterprise_a = make_enterprise(t.village_a1, "hazchem", name="凤凰化工有限公司")
    t.enterprise_a_construction = make_enterprise(t.village_a2, "construction", name="凤凰建设有限公司")
    t.enterprise_b = make_enterprise(t.village_b1, "hazchem", name="西彭化工有限公司")
    t.alice = make_user("alice", Role.COMMITTEE_ADMIN, t.county_a, unit=t.unit_office_a)
    t.bob = make_user("bob", Role.COMMITTEE_ADMIN, t.city)
    t.charlie = make_user("charlie", Role.COMMITTEE_ADMIN, t.county_b, unit=t.unit_office_b)
    t.dave = make_user("dave", Role.LEADER, t.county_a)
    t.erin = make_user("erin", Role.REGULATOR, t.town_a1, unit=t.unit_emergency_a1)
    t.gina = make_user("gina", Role.GRID, t.village_a1)
    t.emma = make_user("emma", Role.ENTERPRISE, t.village_a1, enterprise=t.enterprise_a)
    t.sam = make_user("sam", Role.SYS_ADMIN, t.county_a)
    t.sid = make_user("sid", Role.SEC_ADMIN, t.county_a)
    t.aud = make_user("aud", Role.AUDIT_ADMIN, t.county_a)


class CastTestCase(TestCase):
    """TestCase with the cast built once per class."""

    @classmethod
    def setUpTestData(cls):
        build_cast(cls)

    def login(self, user):
        """Log in through the session directly (the login flow itself is tested in accounts)."""
        self.client.force_login(user)
        return self.client


def at_once(*calls, timeout=60):
    """Run the callables in threads released at the same moment (each on its own database connection);
    return their results in order, an exception standing in for the result of a call that raised."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # returned to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def sheet_rows(response):
    """The rows (header first) of the first sheet of an .xlsx download, as tuples of values."""
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def header_link(page, header):
    """The href of a column header's sort link on a list `page` (its context's "head", core.tables)."""
    import html
    import re

    return html.unescape(re.search(rf'<a href="([^"]*)">{re.escape(header)}', str(page.context["head"])).group(1))


def workbook(*sheets):
    """An .xlsx (bytes) with a sheet for each (title, rows), in order."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
