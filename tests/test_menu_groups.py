"""The menu grouped by task (issue 25: 16 items squeezed the header): 日常工作 / 台账 / 方案 / 设置, every
module's entries in one of them, and an entry registered without a group still shown (under 其他)."""

from django.test import RequestFactory

from zhiben.core.context import group_menu, navigation
from zhiben.core.registry import MENU_GROUPS, MENU_OTHER, MenuEntry, ordered
from zhiben.testing import CastTestCase


class MenuGroupTests(CastTestCase):
    def nav(self, user, path="/"):
        request = RequestFactory().get(path)
        request.user = user
        return navigation(request)

    def test_every_registered_entry_names_a_group_of_the_menu(self):
        ungrouped = [entry.url_name for entry in ordered("menu") if entry.group not in MENU_GROUPS]
        self.assertEqual(ungrouped, [])

    def test_the_header_shows_groups_with_their_entries_and_the_current_one_marked(self):
        groups = self.nav(self.alice, "/hazards/")["nav_groups"]
        labels = [group["label"] for group in groups]
        self.assertEqual(labels[:2], ["日常工作", "台账"])
        self.assertLessEqual(len(labels), 5)
        ledger = next(group for group in groups if group["label"] == "台账")
        self.assertTrue(ledger["active"])
        self.assertIn("隐患台账", [item["label"] for item in ledger["items"]])
        response = self.login(self.alice).get("/")
        self.assertContains(response, "<summary>日常工作</summary>")
        self.assertContains(
            response, "<summary>设置</summary>", count=0 if not any(g["label"] == "设置" for g in groups) else 1
        )

    def test_an_enterprise_sees_only_its_groups(self):
        labels = [group["label"] for group in self.nav(self.emma)["nav_groups"]]
        self.assertIn("日常工作", labels)
        self.assertNotIn("设置", labels)

    def test_an_entry_without_a_group_is_still_shown_under_other(self):
        entry = MenuEntry("新模块", "core:home")
        self.assertEqual(entry.group, "")
        items = [
            {"label": "首页", "url": "/", "active": True, "group": "日常工作"},
            {"label": "新模块", "url": "/new/", "active": False, "group": MENU_OTHER},
        ]
        groups = group_menu(items)
        self.assertEqual([group["label"] for group in groups], ["日常工作", MENU_OTHER])
        self.assertEqual(groups[1]["items"][0]["label"], "新模块")

    def test_module_statistics_sit_with_the_analytics_under_statistics(self):
        """事故统计, 风险统计, 执法统计 and 培训覆盖率 are figures, not ledgers: they sit in 统计 beside 统计分析."""
        groups = {entry.label: entry.group for entry in ordered("menu")}
        for label in ("事故统计", "风险统计", "执法统计", "培训覆盖率", "统计分析"):
            self.assertEqual(groups[label], "统计", label)
        nav = {
            group["label"]: [item["label"] for item in group["items"]] for group in self.nav(self.alice)["nav_groups"]
        }
        self.assertIn("事故统计", nav["统计"])
        self.assertNotIn("事故统计", nav["台账"])
        self.assertIn("隐患台账", nav["台账"])
