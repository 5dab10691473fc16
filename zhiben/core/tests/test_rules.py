"""Rules as data: the registered definitions, one resolver with its inheritance, one parser per kind,
one saving service and the one rules page."""

from datetime import date

from django.test import SimpleTestCase

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.core.registry import RuleDef, register, unregister
from zhiben.core.rules import (
    KINDS,
    RuleResolver,
    definitions,
    parse_rule_value,
    rule,
    rule_date,
    rule_source,
    show_value,
)
from zhiben.core.services import rule_save
from zhiben.testing import CastTestCase, make_user


def ruledef(kind):
    return RuleDef(f"test.{kind}", None, f"测试规则（{kind}）", kind)


class ParseTests(SimpleTestCase):
    """Every kind: what is accepted (typed text or a value already typed), and the Chinese refusal."""

    ACCEPTED = {
        "date": [("2024-06-30", "2024-06-30"), (" 2023-12-31 ", "2023-12-31"), (date(2025, 1, 1), "2025-01-01")],
        "days": [("30", 30), (0, 0), ("3650", 3650), (15.0, 15)],
        "ratio": [("0.5", 0.5), ("1", 1.0), (0.05, 0.05), ("60%", 0.6)],
        "megabytes": [("15", 15), (1, 1), ("200", 200)],
        "count": [("0", 0), ("12", 12), (9999, 9999)],
        "monthday": [
            ({"month": "1", "day": "15"}, {"month": 1, "day": 15}),
            ({"month": 2, "day": 28}, {"month": 2, "day": 28}),
            ({"mode": "days", "month": "1", "day": "15", "days": "10"}, {"days": 10}),
            ({"days": 20}, {"days": 20}),
            ('{"month": 1, "day": 31}', {"month": 1, "day": 31}),
        ],
        "flag": [(True, True), ("是", True), ("1", True), (False, False), ("否", False), (" 0 ", False)],
    }
    REFUSED = {
        "date": [("2024-13-01", "日期，如 2023-12-31"), ("明年", "日期"), ("", "日期"), (None, "日期")],
        "days": [
            ("-5", "0 到 3650 之间的整数（天）"),
            ("3651", "0 到 3650"),
            ("1.5", "整数"),
            ("三十", "整数"),
            (True, "整数"),
        ],
        "ratio": [("3", "大于 0、不大于 1 的小数"), ("0", "大于 0"), ("-0.1", "小数"), ("一半", "小数")],
        "megabytes": [("0", "1 到 200 之间的整数（MB）"), ("201", "1 到 200"), ("15MB", "MB")],
        "count": [("-1", "0 到 9999 之间的整数"), ("10000", "0 到 9999"), ("2.5", "整数")],
        "monthday": [
            ({"month": "0", "day": "5"}, "1 至 12"),
            ({"month": "13", "day": "5"}, "1 至 12"),
            ({"month": "1", "day": "32"}, "1 至 31"),
            ({"month": "1"}, "期满后第几个月"),
            ({"mode": "days", "days": "0"}, "1 至 366"),
            ("15", "期满后第几个月"),
            ({"month": "一", "day": "5"}, "如次月 15 日"),
        ],
        "flag": [("也许", "“是”或“否”"), ("2", "“是”或“否”"), ("", "“是”或“否”"), (None, "“是”或“否”")],
    }

    def test_every_kind_is_handled(self):
        self.assertEqual(set(self.ACCEPTED), set(self.REFUSED))
        self.assertEqual(
            set(KINDS), {"date", "days", "ratio", "megabytes", "monthday", "count", "json", "flag"}
        )  # RuleDef.kind
        self.assertEqual(set(self.ACCEPTED), set(KINDS) - {"json"})

    def test_accepted(self):
        for kind, cases in self.ACCEPTED.items():
            for raw, value in cases:
                with self.subTest(kind=kind, raw=raw):
                    self.assertEqual(parse_rule_value(ruledef(kind), raw), value)

    def test_refused_naming_the_rule_and_the_expected_form(self):
        for kind, cases in self.REFUSED.items():
            for raw, hint in cases:
                with self.subTest(kind=kind, raw=raw):
                    with self.assertRaises(ApplicationError) as caught:
                        parse_rule_value(ruledef(kind), raw)
                    self.assertIn(f"“测试规则（{kind}）”应为", caught.exception.message)
                    self.assertIn(hint, caught.exception.message)

    def test_json_kind(self):
        self.assertEqual(parse_rule_value(ruledef("json"), '{"a": [1, 2]}'), {"a": [1, 2]})
        with self.assertRaisesMessage(ApplicationError, "JSON"):
            parse_rule_value(ruledef("json"), "{a:")

    def test_unknown_key_or_kind(self):
        with self.assertRaisesMessage(ApplicationError, "没有名为“hazard.nope”的规则"):
            parse_rule_value("hazard.nope", "1")
        with self.assertRaisesMessage(ApplicationError, "无法识别"):
            parse_rule_value(ruledef("weeks"), "1")
        with self.assertRaisesMessage(KeyError, "'hazard.nope' is not registered"):
            rule("hazard.nope")

    def test_shown_as_a_person_reads_it(self):
        self.assertEqual(show_value(ruledef("monthday"), {"month": 1, "day": 15}), "期满后次月 15 日前")
        self.assertEqual(show_value(ruledef("monthday"), {"month": 2, "day": 28}), "期满后第 2 个月的 28 日前")
        self.assertEqual(show_value(ruledef("monthday"), {"days": 10}), "期满后 10 日内")
        self.assertEqual(show_value(ruledef("days"), 30), "30 天")
        self.assertEqual(show_value(ruledef("megabytes"), 15), "15 MB")


class ResolveTests(CastTestCase):
    def test_defaults_come_from_the_registry(self):
        keys = {d.key for d in definitions()}
        self.assertLessEqual(
            {"hazard.baseline_date", "hazard.reminder_days", "duty.quarterly.deadline", "duty.reminder_days"}, keys
        )
        self.assertEqual(rule("hazard.default_days.general"), 30)
        self.assertEqual(rule("duty.annual.deadline", self.village_a1.code), {"month": 1, "day": 31})
        self.assertEqual(rule_date("hazard.baseline_date"), date(2023, 12, 31))

    def test_nearest_override_wins_town_county_national(self):
        key = "hazard.duplicate_closed_days"
        Rule.objects.create(key=key, region_code="", value=200)
        Rule.objects.create(key=key, region_code=self.county_a.code, value=150)
        Rule.objects.create(key=key, region_code=self.town_a1.code, value=100)
        expected = {
            self.village_a1.code: (100, self.town_a1.code),
            self.town_a1.code: (100, self.town_a1.code),
            self.town_a2.code: (150, self.county_a.code),
            self.county_a.code: (150, self.county_a.code),
            self.village_b1.code: (200, ""),
            self.city.code: (200, ""),
            "": (200, ""),
        }
        resolver = RuleResolver(key)
        for code, (value, source) in expected.items():
            with self.subTest(code=code):
                self.assertEqual(rule(key, code), value)
                self.assertEqual(rule_source(key, code), (value, source))
                self.assertEqual(resolver.source(code), (value, source))
        self.assertEqual(resolver.largest(), 200)
        Rule.objects.filter(key=key, region_code="").delete()
        self.assertEqual(rule_source(key, self.village_b1.code), (180, None))
        self.assertEqual(RuleResolver(key).value(self.village_b1.code), 180)
        with self.assertRaisesMessage(KeyError, "not registered"):
            RuleResolver("hazard.nope")


class RuleSaveTests(CastTestCase):
    def test_saves_every_kind_and_audits(self):
        for key, text, value in (
            ("hazard.baseline_date", "2024-06-30", "2024-06-30"),
            ("hazard.default_days.major", "60", 60),
            ("hazard.duplicate_similarity", "0.6", 0.6),
            ("hazard.attachment_max_mb", "20", 20),
            ("duty.quarterly.deadline", {"month": "1", "day": "20"}, {"month": 1, "day": 20}),
        ):
            self.assertEqual(rule_save(actor=self.alice, key=key, region_code=self.county_a.code, text=text), value)
            self.assertEqual(rule(key, self.village_a1.code), value)
        rule_save(actor=self.alice, key="duty.reminder_days", region_code=self.town_a1.code, value=10)
        rule_save(actor=self.alice, key="duty.reminder_days", region_code=self.town_a1.code, value=12)
        event = AuditEvent.objects.filter(action="rule.save").order_by("-seq").first()
        self.assertEqual(
            (event.object_id, event.region_code, event.data["before"], event.data["after"]),
            (f"duty.reminder_days@{self.town_a1.code}", self.town_a1.code, 10, 12),
        )
        rule_save(actor=self.alice, key="duty.reminder_days", region_code=self.town_a1.code)
        self.assertFalse(Rule.objects.filter(key="duty.reminder_days").exists())
        self.assertEqual(AuditEvent.objects.filter(action="rule.save").count(), 8)

    def test_refusals(self):
        cases = [
            ({"actor": self.charlie, "region_code": self.county_a.code}, "只能修改本辖区"),
            ({"actor": self.alice, "region_code": self.county_b.code}, "只能修改本辖区"),
            ({"actor": self.alice, "region_code": ""}, "只能修改本辖区"),
            ({"actor": self.alice, "region_code": "5001"}, "只能修改本辖区"),
            ({"actor": self.dave, "region_code": self.county_a.code}, "只有安委办管理员"),
            ({"actor": self.sam, "region_code": self.county_a.code}, "只有安委办管理员"),
        ]
        for kwargs, message in cases:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRaisesMessage(ApplicationError, message) as caught:
                    rule_save(key="hazard.default_days.general", text="10", **kwargs)
                self.assertEqual(caught.exception.code, "forbidden")
        with self.assertRaisesMessage(ApplicationError, "没有名为“hazard.nope”的规则"):
            rule_save(actor=self.alice, key="hazard.nope", region_code=self.county_a.code, text="1")
        register(RuleDef("test.fixed", 1, "不可修改的测试规则", "count", editable=False))
        self.addCleanup(unregister, "rules", "test.fixed")
        with self.assertRaisesMessage(ApplicationError, "不能在此修改"):
            rule_save(actor=self.alice, key="test.fixed", region_code=self.county_a.code, text="2")
        with self.assertRaisesMessage(ApplicationError, "应为"):
            rule_save(actor=self.alice, key="hazard.default_days.general", region_code=self.county_a.code, text="-1")
        self.assertFalse(Rule.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="rule.save").exists())

    def test_superuser_sets_the_national_value(self):
        root = make_user("root", Role.COMMITTEE_ADMIN, None, is_superuser=True)
        rule_save(actor=root, key="hazard.default_days.general", region_code="", text="20")
        self.assertEqual(rule("hazard.default_days.general", self.village_b1.code), 20)


class RulePageTests(CastTestCase):
    def test_every_registered_editable_rule_grouped_with_a_typed_editor(self):
        register(RuleDef("test.fixed", 1, "不可修改的测试规则", "count", editable=False))
        self.addCleanup(unregister, "rules", "test.fixed")
        response = self.login(self.alice).get("/rules/")
        groups = [group for group, _ in response.context["groups"]]
        self.assertLess(groups.index("事故隐患"), groups.index("统计分析表报送（16号令）"))
        shown = [item["key"] for _, items in response.context["groups"] for item in items]
        self.assertEqual(shown, [d.key for d in definitions(editable=True)])
        self.assertNotIn("test.fixed", shown)
        for text in (
            "存量隐患基准日",
            "一般隐患默认整改期限",
            "季度隐患排查治理统计分析表报送期限",
            "统计分析表报送期限届满前多少天提醒",
            'type="date" name="value" value="2023-12-31"',
            'name="value" value="0.5" min="0.05" max="1" step="0.05"',
            'name="value" value="30" min="0" max="3650" step="1"',
            'name="value" value="15" min="1" max="200" step="1"',
            '<select name="month"',
            '<select name="day"',
            '<option value="15" selected>15 日</option>',
            "期满后次月 15 日前",
            "全国默认",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "恢复上级或默认")

    def test_where_each_value_comes_from(self):
        Rule.objects.create(key="hazard.default_days.general", region_code=self.county_a.code, value=20)
        Rule.objects.create(key="hazard.default_days.major", region_code=self.town_a1.code, value=45)
        Rule.objects.create(key="hazard.reminder_days", region_code="", value=5)
        self.login(self.alice)
        items = {
            i["key"]: i
            for _, group in self.client.get(f"/rules/?region={self.town_a1.code}").context["groups"]
            for i in group
        }
        self.assertEqual(
            (items["hazard.default_days.general"]["value"], items["hazard.default_days.general"]["source"]),
            (20, "上级（沙坪坝区）"),
        )
        self.assertEqual(
            (items["hazard.default_days.major"]["value"], items["hazard.default_days.major"]["source"]), (45, "本辖区")
        )
        self.assertEqual(
            (items["hazard.reminder_days"]["value"], items["hazard.reminder_days"]["source"]), (5, "上级（全国）")
        )
        self.assertEqual(
            (items["hazard.duplicate_closed_days"]["value"], items["hazard.duplicate_closed_days"]["source"]),
            (180, "全国默认"),
        )
        response = self.client.get("/rules/")
        self.assertContains(response, "恢复上级或默认")
        self.assertContains(response, '<span class="badge blue">本辖区</span>')

    def test_committee_sets_baseline_for_its_jurisdiction_only(self):
        self.login(self.alice)
        self.assertContains(self.client.get("/rules/"), "存量隐患基准日")
        self.client.post("/rules/", {"key": "hazard.baseline_date", "value": "2024-06-30"})
        self.assertEqual(rule_date("hazard.baseline_date", self.village_a1.code), date(2024, 6, 30))
        self.assertEqual(rule_date("hazard.baseline_date", self.village_b1.code), date(2023, 12, 31))
        self.client.post("/rules/", {"key": "hazard.baseline_date", "reset": "1"})
        self.assertFalse(Rule.objects.exists())

    def test_a_post_saves_and_audits(self):
        self.login(self.alice)
        url = f"/rules/?region={self.town_a1.code}"
        response = self.client.post(
            url, {"key": "duty.annual.deadline", "kind": "monthday", "mode": "month_day", "month": "2", "day": "28"}
        )
        self.assertRedirects(response, url)
        self.assertEqual(Rule.objects.get().value, {"month": 2, "day": 28})
        self.assertEqual(Rule.objects.get().region_code, self.town_a1.code)
        event = AuditEvent.objects.get(action="rule.save")
        self.assertEqual(
            (event.actor_name, event.data["key"], event.data["after"]),
            ("alice", "duty.annual.deadline", {"month": 2, "day": 28}),
        )
        self.assertContains(self.client.get(url), "期满后第 2 个月的 28 日前")

    def test_bad_values_are_refused_in_chinese(self):
        self.login(self.alice)
        for key, text in (
            ("hazard.baseline_date", "2024-13-01"),
            ("hazard.duplicate_similarity", "3"),
            ("hazard.default_days.general", "-5"),
        ):
            response = self.client.post("/rules/", {"key": key, "value": text}, follow=True)
            self.assertContains(response, "应为")
        response = self.client.post(
            "/rules/", {"key": "duty.quarterly.deadline", "kind": "monthday", "month": "0", "day": "5"}, follow=True
        )
        self.assertContains(response, "1 至 12")
        self.assertFalse(Rule.objects.exists())
        self.assertEqual(rule("hazard.default_days.general", self.county_a.code), 30)

    def test_another_county_cannot_save_for_this_one(self):
        self.login(self.charlie)
        url = f"/rules/?region={self.county_a.code}"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"key": "hazard.default_days.general", "value": "10"}).status_code, 403)
        self.client.post("/rules/", {"key": "hazard.default_days.general", "value": "10"})
        self.assertEqual(Rule.objects.get().region_code, self.county_b.code)
        self.assertEqual(rule("hazard.default_days.general", self.county_a.code), 30)

    def test_only_committee_admins(self):
        for user in (self.dave, self.erin, self.sam, self.aud):
            self.assertEqual(self.login(user).get("/rules/").status_code, 403)
        self.login(self.alice).post("/rules/", {"key": "hazard.attachment_max_mb", "value": "5"})
        self.assertEqual(Rule.objects.get().region_code, self.county_a.code)


class FlagShownTests(SimpleTestCase):
    def test_a_flag_is_shown_in_chinese(self):
        from zhiben.core.rules import show_value

        self.assertEqual((show_value(ruledef("flag"), True), show_value(ruledef("flag"), False)), ("是", "否"))


def rule_row(response, key):
    """The HTML of rule `key`'s row on the rules page."""
    import re

    html = response.content.decode()
    match = re.search(rf'<tr id="rule-{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(1)


def shown_cells(row):
    """The text of a row's 现行值 and 全国默认 cells, tags removed."""
    import re

    cells = re.findall(r'<td data-label="(?:现行值|全国默认)"[^>]*>(.*?)</td>', row, re.S)
    assert len(cells) == 2, row
    return [re.sub(r"<[^>]+>", "\n", cell).strip() for cell in cells]


class ValuesShownAsReadTests(CastTestCase):
    """Every value on the rules page reads as a person reads it: 是/否, units, industries' names, a structured
    value in Chinese lines — never JSON text; the key stays, small, after the Chinese label."""

    def setUp(self):
        self.login(self.alice)

    def test_booleans_read_yes_or_no(self):
        response = self.client.get("/rules/")
        for key in ("accident.missing_as_deaths", "hazard.signoff_by_other"):
            with self.subTest(key=key):
                row = rule_row(response, key)
                self.assertEqual(shown_cells(row), ["是", "是"])
                self.assertNotIn("True", row)
                self.assertIn('<option value="1" selected>是</option>', row)
        Rule.objects.create(key="accident.missing_as_deaths", region_code=self.county_a.code, value=0)
        row = rule_row(self.client.get("/rules/"), "accident.missing_as_deaths")
        self.assertEqual(shown_cells(row), ["否", "是"])
        self.assertIn('<option value="0" selected>否</option>', row)

    def test_key_industries_read_as_the_industries_names(self):
        Rule.objects.create(key="drills.key_industries", region_code=self.county_a.code, value=["mining", "gas"])
        response = self.client.get("/rules/")
        current, default = shown_cells(rule_row(response, "training.key_industries"))
        self.assertEqual(current, default)
        self.assertTrue(current.startswith("危险化学品、冶金、矿山"), current)
        current, default = shown_cells(rule_row(response, "drills.key_industries"))
        self.assertEqual(current, "矿山、燃气")
        self.assertIn("危险化学品", default)
        for code in ("hazchem", "metallurgy", "mining", "gas"):
            self.assertNotIn(code, current + default)
        row = rule_row(response, "drills.key_industries")  # ticked boxes, one per industry
        self.assertIn('name="value" value="mining" checked', row)
        self.assertIn('name="value" value="hazchem">', row)

    def test_no_json_text_among_the_values_shown(self):
        Rule.objects.create(
            key="risk.lec_thresholds",
            region_code=self.county_a.code,
            value={"major": 300, "larger": 150, "general": 60},
        )
        Rule.objects.create(
            key="watch.shifts",
            region_code=self.county_a.code,
            value=[{"name": "白班", "start": "08:30"}, {"name": "夜班", "start": "20:30"}],
        )
        response = self.client.get("/rules/")
        for _, items in response.context["groups"]:
            for item in items:
                with self.subTest(key=item["key"]):
                    for text in shown_cells(rule_row(response, item["key"])):
                        self.assertTrue(text)
                        for mark in ("{", "}", "[", '":', "True", "False", "None", "null"):
                            self.assertNotIn(mark, text)
        lec = shown_cells(rule_row(response, "risk.lec_thresholds"))
        self.assertEqual(lec[0].split("\n"), ["重大：D &gt; 300", "较大：D &gt; 150", "一般：D &gt; 60"])
        self.assertIn("白班：开始时间 08:30", shown_cells(rule_row(response, "watch.shifts"))[0])
        grades = shown_cells(rule_row(response, "accident.grade_thresholds"))[1]
        self.assertIn("较大事故：死亡 3 人，重伤 10 人，直接经济损失 1000 万元", grades)
        self.assertIn("特别重大事故：死亡 30 人，重伤 100 人，直接经济损失 1 亿元", grades)
        reward = shown_cells(rule_row(response, "reports.reward_schedule"))[0]
        self.assertIn("重大事故隐患：比例 15%，最低 3,000 元，最高 30 万元", reward)
        self.assertIn("一般事故隐患：不予奖励", reward)
        self.assertIn("本单位从业人员举报上浮：20%", reward)

    def test_units_choices_and_the_key_after_the_label(self):
        response = self.client.get("/rules/")
        self.assertEqual(shown_cells(rule_row(response, "watch.pass_on_minutes")), ["60 分钟", "60 分钟"])
        self.assertEqual(shown_cells(rule_row(response, "drills.target_town_team")), ["100%", "100%"])
        self.assertEqual(shown_cells(rule_row(response, "watch.report_top_level")), ["市级", "市级"])
        row = rule_row(response, "hazard.default_days.general")
        self.assertIn(
            'title="规则代码：hazard.default_days.general">一般隐患默认整改期限（天）<small class="rule-key">', row
        )
        self.assertContains(response, ".rules .badge { white-space:nowrap; }")

    def test_structured_values_are_edited_in_a_form_of_their_parts(self):
        response = self.client.get("/rules/")
        row = rule_row(response, "risk.lec_thresholds")
        self.assertIn('<form method="post" class="rule-structured">', row)
        self.assertIn('<input type="hidden" name="kind" value="form">', row)
        self.assertIn('<span class="rule-form-name">重大</span>', row)
        self.assertIn('name="f.major" value="320" inputmode="decimal"', row)
        self.assertNotIn("<textarea", row)
        row = rule_row(response, "accident.grade_thresholds")
        self.assertIn('<span class="rule-form-name">较大事故</span>', row)
        self.assertIn('<span>直接经济损失</span><input type="text" name="f.larger.loss" value="10000000"', row)
        row = rule_row(response, "watch.shifts")
        self.assertIn('name="f.0.name" value="全天"', row)
        self.assertIn('name="f.0.start" value="08:30" placeholder="08:30"', row)
        self.assertIn('name="f.2.start" value="" placeholder="08:30"', row)  # two blank lines to add a 班次
        self.assertEqual(row.count('<span class="rule-form-name">新增</span>'), 2)

    def test_a_part_null_by_default_is_laid_out_in_its_shape_and_left_blank_for_null(self):
        row = rule_row(self.client.get("/rules/"), "reports.reward_schedule")
        self.assertNotIn("<textarea", row)
        self.assertIn('<span>比例</span><input type="text" name="f.major_hazard.rate" value="15"', row)  # 15%
        self.assertIn('<span class="rule-form-name">一般事故隐患（全部留空为不予奖励）</span>', row)
        self.assertIn('name="f.general_hazard.rate" value=""', row)
        self.assertIn(
            '<span>每瞒报死亡一人 较大</span><input type="text" name="f.concealment.per_death.较大" value="40000"', row
        )
        fields = {
            "f.major_hazard.rate": "15", "f.major_hazard.min": "3000", "f.major_hazard.max": "300000",
            "f.violation.rate": "15", "f.violation.min": "3000", "f.violation.max": "300000",
            "f.general_hazard.rate": "10", "f.general_hazard.min": "500", "f.general_hazard.max": "5000",
            "f.concealment.max": "300000", "f.employee_bonus": "20",
            **{f"f.concealment.per_death.{grade}": "30000" for grade in ("一般", "较大", "重大", "特别重大")},
        }  # fmt: skip
        self.client.post("/rules/", {"key": "reports.reward_schedule", "kind": "form", **fields})
        saved = rule("reports.reward_schedule", self.county_a.code)
        self.assertEqual(saved["general_hazard"], {"rate": 0.1, "min": 500, "max": 5000})
        self.assertEqual((saved["major_hazard"]["rate"], saved["employee_bonus"]), (0.15, 0.2))
        blank = {name: "" for name in fields if name.startswith("f.general_hazard.")}
        self.client.post("/rules/", {"key": "reports.reward_schedule", "kind": "form", **fields, **blank})
        self.assertIsNone(rule("reports.reward_schedule", self.county_a.code)["general_hazard"])
        response = self.client.post(
            "/rules/",
            {"key": "reports.reward_schedule", "kind": "form", **fields, **blank, "f.general_hazard.rate": "10"},
        )
        self.assertContains(response, "“一般事故隐患”的“最低”未填写")

    def test_a_part_null_by_default_takes_only_its_shape(self):
        # it used to take anything: a 5 there made the reward of a general hazard's report fail (entry["max"])
        for wrong, message in ((5, "“一般事故隐患”应为以 { } 括起"), ({"rate": 0.1}, "“一般事故隐患”缺少 “min”")):
            with self.subTest(wrong=wrong), self.assertRaisesMessage(ApplicationError, message):
                rule_save(
                    actor=self.alice,
                    key="reports.reward_schedule",
                    region_code=self.county_a.code,
                    value={**REWARD, "general_hazard": wrong},
                )
        self.assertFalse(Rule.objects.exists())

    def test_a_structured_value_saved_from_its_form(self):
        grades = {f"f.{level}.{part}": str(n) for level, parts in GRADES.items() for part, n in parts.items()}
        grades["f.major.deaths"], grades["f.extraordinary.loss"] = "12", "100,000,000"
        response = self.client.post(
            "/rules/", {"key": "accident.grade_thresholds", "kind": "form", **grades}, follow=True
        )
        self.assertContains(response, "规则已保存")
        self.assertEqual(
            rule("accident.grade_thresholds", self.county_a.code),
            {**GRADES, "major": {**GRADES["major"], "deaths": 12}},
        )
        shifts = {"f.0.name": "白班", "f.0.start": "08:30", "f.1.name": "", "f.1.start": "", "f.2.name": "夜班"}
        shifts["f.2.start"] = "20:30"
        self.client.post("/rules/", {"key": "watch.shifts", "kind": "form", **shifts})
        self.assertEqual(
            rule("watch.shifts", self.county_a.code),
            [{"name": "白班", "start": "08:30"}, {"name": "夜班", "start": "20:30"}],
        )  # the blank line between is dropped
        response = self.client.get("/rules/")
        self.assertIn('name="f.1.name" value="夜班"', rule_row(response, "watch.shifts"))

    def test_a_bad_form_is_refused_in_chinese_with_what_was_typed_kept(self):
        lec = {"f.major": "320", "f.larger": "160", "f.general": "70"}
        cases = [
            ("risk.lec_thresholds", {**lec, "f.general": "七十"}, "“一般”应为数字，实际为“七十”", 'value="七十"'),
            ("risk.lec_thresholds", {**lec, "f.major": ""}, "“重大”未填写", 'name="f.major" value=""'),
            ("risk.lec_thresholds", {**lec, "f.major": "100"}, "“重大”的数值应大于“较大”的", 'value="100"'),
            (
                "watch.shifts",
                {"f.0.name": "白班", "f.0.start": "8点半"},
                "第 1 项的“开始时间”应为时:分",
                'value="8点半"',
            ),
            ("watch.shifts", {"f.0.name": "", "f.0.start": ""}, "至少填写一项", 'name="f.0.name" value=""'),
            ("watch.shifts", {"f.0.name": "", "f.0.start": "08:30"}, "每项都要填写名称", 'value="08:30"'),
        ]
        for key, fields, message, kept in cases:
            with self.subTest(key=key, fields=fields):
                response = self.client.post("/rules/", {"key": key, "kind": "form", **fields})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                row = rule_row(response, key)
                self.assertIn('class="rule-error" role="alert"', row)
                self.assertIn(kept, row)
        self.assertFalse(Rule.objects.exists())
        response = self.client.post("/rules/", {"key": "no.such.rule", "kind": "form", "f.x": "1"})
        self.assertContains(response, "没有名为“no.such.rule”的规则")

    def test_a_structured_value_saved_from_the_page(self):
        text = '{"major": 300, "larger": 150, "general": 60}'
        response = self.client.post(
            "/rules/", {"key": "risk.lec_thresholds", "kind": "json", "value": text}, follow=True
        )
        self.assertContains(response, "规则已保存")
        self.assertEqual(
            rule("risk.lec_thresholds", self.village_a1.code), {"major": 300, "larger": 150, "general": 60}
        )
        response = self.client.post(
            "/rules/", {"key": "training.key_industries", "kind": "industries", "value": ["mining", "gas"]}, follow=True
        )
        self.assertContains(response, "规则已保存")
        self.assertEqual(rule("training.key_industries", self.county_a.code), ["mining", "gas"])
        self.assertEqual(shown_cells(rule_row(response, "training.key_industries"))[0], "矿山、燃气")

    def test_a_bad_structured_value_is_refused_in_chinese_and_nothing_written(self):
        cases = [
            ("risk.lec_thresholds", '{"major": 320, "larger": 160', "缺少英文逗号"),
            ("risk.lec_thresholds", "{major: 320}", "名称须用英文双引号括起"),
            ("risk.lec_thresholds", '{"major"：320}', "请使用英文标点"),
            ("risk.lec_thresholds", "", "未填写"),
            ("risk.lec_thresholds", "[1, 2]", "应为以 { } 括起"),
            ("risk.lec_thresholds", '{"major": 320, "larger": 160}', "缺少 “general”（一般）"),
            ("risk.lec_thresholds", '{"major": 320, "larger": 160, "general": 70, "low": 1}', "不认识的 “low”"),
            ("risk.lec_thresholds", '{"major": 100, "larger": 160, "general": 70}', "“重大”的数值应大于“较大”的"),
            ("risk.ls_thresholds", '{"major": 20, "larger": 10, "general": "四"}', "“一般”应为数字，实际为“四”"),
            (
                "reports.reward_schedule",
                json_text(REWARD, major_hazard={"rate": 15, "min": 3000, "max": 300000}),
                "“重大事故隐患”的“比例”不能大于 1",
            ),
            (
                "accident.grade_thresholds",
                json_text(GRADES, major={"deaths": 2, "serious_injuries": 50, "loss": 50000000}),
                "“重大事故”的“死亡”应大于“较大事故”的",
            ),
            ("watch.shifts", '[{"name": "白班", "start": "8点半"}]', "第 1 项的“开始时间”应为时:分"),
            ("watch.shifts", "[]", "至少填写一项"),
            ("escalation.document.arrangements", json_text(ARRANGEMENTS, workdays="五"), "“约谈日期”应为数字"),
        ]
        for key, text, message in cases:
            with self.subTest(key=key, text=text):
                response = self.client.post("/rules/", {"key": key, "kind": "json", "value": text})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "未保存")
                self.assertContains(response, message)
                row = rule_row(response, key)
                self.assertIn('class="rule-error" role="alert"', row)
                self.assertIn('aria-invalid="true" autofocus', row)
                self.assertIn(escape(text), row)  # what was typed is kept to be corrected
        for codes, message in ((["hazchem", "nope"], "没有行业代码“nope”"), ([], "至少选择一个行业")):
            with self.subTest(codes=codes):
                response = self.client.post(
                    "/rules/", {"key": "training.key_industries", "kind": "industries", "value": codes}
                )
                self.assertContains(response, message)
        self.assertFalse(Rule.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="rule.save").exists())
        self.assertEqual(rule("risk.lec_thresholds", self.county_a.code), {"major": 320, "larger": 160, "general": 70})

    def test_the_service_refuses_a_bad_shape_too(self):
        with self.assertRaisesMessage(ApplicationError, "未保存：缺少 “general”（一般）"):
            rule_save(
                actor=self.alice,
                key="risk.lec_thresholds",
                region_code=self.county_a.code,
                value={"major": 9, "larger": 5},
            )
        with self.assertRaisesMessage(ApplicationError, "没有行业代码“coal”"):
            rule_save(actor=self.alice, key="drills.key_industries", region_code=self.county_a.code, value=["coal"])
        self.assertFalse(Rule.objects.exists())


REWARD = {
    "major_hazard": {"rate": 0.15, "min": 3000, "max": 300000},
    "violation": {"rate": 0.15, "min": 3000, "max": 300000},
    "general_hazard": None,
    "concealment": {"per_death": {"一般": 30000, "较大": 40000, "重大": 50000, "特别重大": 60000}, "max": 300000},
    "employee_bonus": 0.2,
}
GRADES = {
    "larger": {"deaths": 3, "serious_injuries": 10, "loss": 10000000},
    "major": {"deaths": 10, "serious_injuries": 50, "loss": 50000000},
    "extraordinary": {"deaths": 30, "serious_injuries": 100, "loss": 100000000},
}
ARRANGEMENTS = {"workdays": 5, "time": "上午9时", "place": "", "contact": "", "phone": ""}


def json_text(value, **changes):
    import json

    return json.dumps({**value, **changes}, ensure_ascii=False)


def escape(text):
    from django.utils.html import escape as html_escape

    return html_escape(text)
