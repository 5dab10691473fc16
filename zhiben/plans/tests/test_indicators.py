"""Indicators read from task texts (issue 25: the task page showed an indicator cut at its start,
"点行业领域生产经营单位主要负责人教育培训覆盖率" for "…推动相关重点行业领域…教育培训全覆盖")."""

from decimal import Decimal

from django.test import SimpleTestCase

from zhiben.plans.matching import NAME_LIMIT, extract_indicators
from zhiben.plans.models import Indicator, Task
from zhiben.plans.tests.helpers import small_plan
from zhiben.testing import CastTestCase

# real lines of real plans (seed 003 and the demo's 凤凰镇 plan)
TRAINING = (
    "年内至少组织辖区重点行业领域生产经营单位主要负责人参加1期专题安全教育培训，把企业主要负责人安全培训情况纳入"
    "安全生产执法检查的必查内容，督促企业主要负责人带头知法、懂法、守法、用法，履行安全生产法规定的七项职责，"
    "推动相关重点行业领域生产经营单位主要负责人教育培训全覆盖。"
)
GAS = (
    "以燃气管道“带病运行”专项治理为重点，围绕“问题气”“问题瓶”“问题阀”“问题软管”“问题管网”“问题环境”，"
    "对燃气经营企业、燃气管道以及餐饮等单位用户和地下空间燃气安全进行全覆盖排查整治。"
)
MONITORING = (
    "2024年，配合区相关部门启动使用危险化学品等高危企业安全生产电力监测分析系统。2025年，实现危险化学品重大危险源、"
    "铝加工、重点粉尘涉爆等企业安全风险监测预警全覆盖。"
)


def names(text):
    return [name for name, *_ in extract_indicators(text)]


class ExtractionTests(SimpleTestCase):
    def test_a_long_subject_keeps_its_first_word(self):
        [(name, value, measure, source)] = extract_indicators(TRAINING)
        self.assertEqual(name, "相关重点行业领域生产经营单位主要负责人教育培训覆盖率")
        self.assertEqual((value, measure), (Decimal(100), "%"))
        # 原文 is the sentence the target stands in, from its start
        self.assertTrue(source.startswith("年内至少组织辖区"), source)
        self.assertTrue(source.endswith("教育培训全覆盖"), source)

    def test_a_list_of_objects_stays_in_the_name(self):
        self.assertEqual(names(GAS), ["燃气经营企业、燃气管道以及餐饮等单位用户和地下空间燃气安全排查整治覆盖率"])
        [(name, _, _, source)] = extract_indicators(MONITORING)
        self.assertEqual(name, "危险化学品重大危险源、铝加工、重点粉尘涉爆等企业安全风险监测预警覆盖率")
        self.assertEqual(source, "2025年，实现危险化学品重大危险源、铝加工、重点粉尘涉爆等企业安全风险监测预警全覆盖")

    def test_how_often_is_not_what(self):
        self.assertEqual(names("配合区相关部门对安全生产培训机构进行一轮全覆盖条件复核。"), ["安全生产培训机构覆盖率"])
        self.assertEqual(names("对重点行业领域每年开展1次全覆盖培训。"), ["重点行业领域培训覆盖率"])
        self.assertEqual(names("对重点行业领域开展1次履职能力提升全覆盖培训。"), ["履职能力提升培训覆盖率"])

    def test_a_too_long_subject_starts_after_a_word_boundary_never_inside_a_word(self):
        text = "实现" + "甲" * 20 + "的" + "乙" * 20 + "和" + "丙丙丙" + "建成率达到90%。"
        [name] = names(text)
        self.assertEqual(name, "乙" * 20 + "和丙丙丙建成率")
        self.assertLessEqual(len(name) - 1, NAME_LIMIT)
        # no boundary at all: the whole subject, not its last NAME_LIMIT characters
        unbroken = "实现" + "丁" * 40 + "达标率达到100%。"
        self.assertEqual(names(unbroken), ["丁" * 40 + "达标率"])


class TaskPageTests(CastTestCase):
    def test_the_task_page_shows_the_whole_indicator_read_at_import(self):
        plan = small_plan(
            self.alice,
            self.town_a1,
            [
                {
                    "action": "一、能力提升行动",
                    "key_task": "1.主要负责人培训",
                    "content": TRAINING,
                    "deadline_text": "2025年",
                    "responsible": ["应急办"],
                    "cooperating": [],
                }
            ],
        )
        task = Task.objects.get(plan=plan)
        indicator = Indicator.objects.get(task=task)
        self.assertEqual(indicator.name, "相关重点行业领域生产经营单位主要负责人教育培训覆盖率")
        page = self.login(self.alice).get(task.get_absolute_url())
        self.assertContains(page, "相关重点行业领域生产经营单位主要负责人教育培训覆盖率：不低于100%")
        self.assertNotContains(page, "：点行业领域")
