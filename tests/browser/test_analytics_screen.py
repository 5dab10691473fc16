"""The big screen at 1920×1080 and the dashboard on a phone: every chart drawn (a canvas), each table view
showing the counted numbers, the region on the uploaded map, a new hazard shown after the minute's refresh
without reloading the page — and not one request to a host other than the server (government intranets
have no internet). Screenshots are saved to a temporary folder (ZHIBEN_SCREENSHOTS to choose it)."""

import json
import os
import re
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhiben.analytics.services import region_map_save, screen_link_create
from zhiben.hazards.models import Hazard
from zhiben.testing import build_cast, make_enterprise

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_numbers = iter(range(1, 10_000))


class Cast:
    pass


def hazard(enterprise, found, **fields):
    return Hazard.objects.create(
        number=f"ZB-{next(_numbers):04d}",
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.industry,
        channel=fields.pop("channel", "supervision"),
        level=fields.pop("level", "general"),
        description=fields.pop("description", "测试隐患"),
        found_date=found,
        status=fields.pop("status", "verified"),
        deadline=fields.pop("deadline", found + timedelta(days=30)),
        **fields,
    )


def month_start(today, back):
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def square(x, y, size=0.05):
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def guard(page, base):
    """Fail on any request to another host: it is aborted and remembered."""
    host = urlsplit(base).netloc
    outside = []

    def check(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == host:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", check)
    return outside


def shots():
    folder = Path(os.environ.get("ZHIBEN_SCREENSHOTS") or tempfile.mkdtemp(prefix="zhiben-screen-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page):
    """Let the charts' entry animations finish before a screenshot."""
    page.wait_for_timeout(1200)


def table_text(page, kind):
    panel = page.locator(f"#chart-{kind}")
    panel.locator(".chart-toggle").click()
    table = panel.locator(".chart-table table")
    table.wait_for()
    return table


def test_big_screen_and_phone_dashboard(live_server, browser, page):
    cast = Cast()
    build_cast(cast)
    today = timezone.localdate()
    this_month, last_month = month_start(today, 0), month_start(today, 1)
    same_year = last_month.year == today.year  # in January last month's hazards are not this year's
    a, site = cast.enterprise_a, cast.enterprise_a_construction
    a2 = make_enterprise(cast.town_a2, "machinery", name="青木关机械厂")
    # hand count for 沙坪坝区: this month 3 found (1 self-found), last month 2 found and 1 closed (this month)
    hazard(a, this_month, channel="self")
    hazard(
        a, this_month, level="major", listed_level="county", listed_at=timezone.now(), description="储罐区防火堤破损"
    )
    hazard(a2, this_month)
    hazard(site, last_month)
    hazard(
        a,
        last_month,
        status="closed",
        closed_at=timezone.make_aware(datetime(today.year, today.month, 1, 10)),
        rectified_date=this_month,
    )
    hazard(cast.enterprise_b, this_month)  # another county: never shown
    county_map = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "凤凰镇"},
                "geometry": {"type": "Polygon", "coordinates": square(106.30, 29.60)},
            },
            {
                "type": "Feature",
                "properties": {"code": "500106104"},
                "geometry": {"type": "Polygon", "coordinates": square(106.36, 29.62)},
            },
        ],
    }
    region_map_save(
        actor=cast.alice,
        region_code=cast.county_a.code,
        upload=SimpleUploadedFile("沙坪坝区.geojson", json.dumps(county_map, ensure_ascii=False).encode()),
    )
    base = live_server.url
    folder = shots()

    # ---------------------------------------------------------------- the big screen at 1920×1080
    # the screen's PC left on UTC: its 更新于 still reads the platform's time, as 统计于 does
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}, timezone_id="UTC")
    screen = context.new_page()
    outside = guard(screen, base)
    screen.clock.install()
    login(screen, base, "alice")
    screen.goto(f"{base}/analytics/screen/")
    screen.wait_for_selector("html[data-charts=ready]")
    for kind in ("headline", "trend", "industry", "region"):
        assert screen.locator(f"#chart-{kind} canvas").count() >= 1, kind
    status = screen.locator("[data-chart-status]").inner_text()
    assert "更新于" in status
    shown = datetime.strptime(re.search(r"\d{1,2}:\d{2}:\d{2}", status).group(), "%H:%M:%S")
    local = timezone.localtime()  # Asia/Shanghai
    assert abs((local.hour * 60 + local.minute) - (shown.hour * 60 + shown.minute)) % 1440 in (0, 1, 1439), status
    assert screen.locator("#chart-region.on-map").count() == 1  # drawn on the uploaded map
    assert "储罐区防火堤破损" in screen.locator("#chart-listed .ticker").inner_text()
    kpis = screen.locator("#chart-headline .kpis").inner_text()
    assert "挂牌督办未销号" in kpis and "重大隐患未销号" in kpis
    # fits the screen: nothing scrolls
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080
    settle(screen)
    screen.screenshot(path=str(folder / "screen-1920x1080.png"))

    trend = table_text(screen, "trend")
    rows = {
        r.locator("td").nth(0).inner_text(): r.locator("td").all_inner_texts()[1:]
        for r in trend.locator("tbody tr").all()
    }
    this_label, last_label = f"{this_month.year}年{this_month.month}月", f"{last_month.year}年{last_month.month}月"
    assert rows[this_label] == ["3", "1"], rows
    assert rows[last_label] == ["2", "0"], rows
    assert len(rows) == 12
    region = table_text(screen, "region")
    cells = {
        r.locator("td").nth(0).inner_text(): r.locator("td").all_inner_texts()[1:]
        for r in region.locator("tbody tr").all()
    }
    assert cells["沙坪坝区（合计）"][:2] == ["4", "5" if same_year else "3"], cells  # open, found this year
    assert cells["凤凰镇"][:2] == ["3", "4" if same_year else "2"], cells
    assert cells["青木关镇"][:2] == ["1", "1"], cells
    headline = table_text(screen, "headline")
    assert "企业自查发现占比" in headline.inner_text()
    assert ("20.0%" if same_year else "33.3%") in headline.inner_text()
    screen.screenshot(path=str(folder / "screen-tables.png"))

    # the minute's refresh brings a new hazard without reloading the page
    marker = screen.evaluate("window.__loaded = 'still the same page'")
    hazard(a2, this_month, level="major", listed_level="town", listed_at=timezone.now(), description="配电房未设挡鼠板")
    cache.clear()  # the figure tables are reused for a minute
    screen.clock.run_for(61_000)
    screen.wait_for_function("document.querySelector('#chart-listed .ticker').innerText.includes('配电房未设挡鼠板')")
    assert screen.evaluate("window.__loaded") == "still the same page", marker
    assert screen.locator("#chart-trend .chart-table").inner_text().count("\n") >= 12
    # each chart refreshes by its own request: wait for the region table's too
    screen.wait_for_function(
        "document.querySelector('#chart-region .chart-table').innerText.includes('青木关镇\\t2')", timeout=10_000
    )
    context.close()
    assert outside == [], outside

    # ---------------------------------------------------------------- 大屏投放: the same screen by its link, no login
    _, key = screen_link_create(actor=cast.alice, name="区应急指挥中心大屏", region_code=cast.county_a.code)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    display = context.new_page()
    outside = guard(display, base)
    display.goto(f"{base}/analytics/screen/k/{key}/")
    display.wait_for_selector("html[data-charts=ready]")
    for kind in ("headline", "trend", "industry", "region"):
        assert display.locator(f"#chart-{kind} canvas").count() >= 1, kind
    assert display.locator("#chart-region.on-map").count() == 1  # the map read through the link
    assert "配电房未设挡鼠板" in display.locator("#chart-listed .ticker").inner_text()
    assert "区应急指挥中心大屏" in display.locator(".screen-side").inner_text()
    region = table_text(display, "region")
    region.locator("a", has_text="凤凰镇").click()  # a child region: still the link's screen
    display.wait_for_url(f"**/analytics/screen/k/{key}/?region=500106105000*")
    display.wait_for_selector("html[data-charts=ready]")
    assert "凤凰镇 · 重大事故隐患动态清零" in display.locator("h1").inner_text()
    context.close()
    assert outside == [], outside

    # ---------------------------------------------------------------- the dashboard on a phone
    outside = guard(page, base)
    login(page, base, "erin")  # a town's regulator: her town and its villages, 危化 and 机械 only
    page.goto(f"{base}/analytics/")
    page.wait_for_selector("html[data-charts=ready]")
    for kind in ("trend", "region"):
        assert page.locator(f"#chart-{kind} canvas").count() >= 1, kind
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # stacked: nothing wider than the phone
    settle(page)
    page.screenshot(path=str(folder / "dashboard-phone.png"), full_page=True)
    trend = table_text(page, "trend")
    rows = {
        r.locator("td").nth(0).inner_text(): r.locator("td").all_inner_texts()[1:]
        for r in trend.locator("tbody tr").all()
    }
    assert rows[this_label] == ["2", "1"], rows  # her town's 危化 hazards only (not the 青木关镇 or construction ones)
    assert rows[last_label] == ["1", "0"], rows
    region = table_text(page, "region")
    cells = {
        r.locator("td").nth(0).inner_text(): r.locator("td").all_inner_texts()[1:]
        for r in region.locator("tbody tr").all()
    }
    assert set(cells) == {"凤凰镇（合计）", "凤凰村", "双碑村"}, cells
    assert cells["凤凰村"][:2] == ["2", "3" if same_year else "2"], cells
    page.screenshot(path=str(folder / "dashboard-phone-tables.png"), full_page=True)
    # the big screen on the phone: stacked
    page.goto(f"{base}/analytics/screen/")
    page.wait_for_selector("html[data-charts=ready]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    settle(page)
    page.screenshot(path=str(folder / "screen-phone.png"), full_page=True)
    assert outside == [], outside
    print(f"screenshots: {folder}")
