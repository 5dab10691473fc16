"""Preview before commit: upload → draft (nothing written) → corrections → one confirmed import."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core.exceptions import ApplicationError
from zhiben.plans import drafts
from zhiben.plans.matching import parse_choice
from zhiben.plans.models import Plan, PlanDraft, Task, TaskUnit
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase

from .helpers import SEED_000

TABLE = (
    "凤凰镇2024年安全生产重点工作任务清单\n\n\t序号\n\t工作任务\n\t完成时限\n\t责任单位\n\t配合单位\n\n"
    "\t1\n\t完善应急预案\n\t2024年6月底前\n\t应急办\n\t经发办\n\n"
    "\t2\n\t开展消防安全检查。加强燃气安全排查\n\t每季度\n\t应急办、规建办\n\t\n\n"
    "\t3\n\t组织应急演练\n\t择机\n\t应急办\n\t\n\n"
    "\t4\n\t并完善演练台账\n\t\n\t应急办\n\t\n"
)


def upload(text=TABLE, name="清单.txt"):
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)


class DraftTests(CastTestCase):
    def draft(self, **kw):
        return drafts.draft_create(actor=self.alice, upload=upload(), region=self.town_a1.code, **kw)

    def test_upload_makes_a_draft_and_writes_no_plan(self):
        draft = self.draft()
        self.assertEqual((Plan.objects.count(), Task.objects.count()), (0, 0))
        self.assertEqual(len(draft.rows), 4)
        self.assertEqual((draft.year, draft.start_year, draft.end_year), (2024, 2024, 2024))
        view = drafts.draft_view(draft)
        first = view["rows"][0]
        self.assertEqual(
            (first["content"], first["responsible"], first["cooperating"]), ("完善应急预案", ["应急办"], ["经发办"])
        )
        self.assertEqual(str(first["dates"][0]), "2024-06-30")
        self.assertEqual(view["errors"], [])
        # an unparseable cell is named with its row and reason
        self.assertIn((3, "完成时间“择机”无法识别为日期或周期，将不设截止日期"), view["warnings"])
        matches = {m["name"]: m for m in view["matches"]}
        self.assertEqual(matches["应急办"]["unit"], self.unit_emergency_a1)
        self.assertEqual(matches["经发办"]["kind"], "new")
        self.assertEqual(view["new_units"], ["经发办", "规建办"])

    def test_edits_are_applied(self):
        draft = self.draft()
        ids = [r["id"] for r in draft.rows]
        drafts.draft_edit(
            actor=self.alice,
            draft=draft,
            op="edit",
            row_id=ids[2],
            data={"deadline_text": "2024年9月底前", "content": "组织综合应急演练"},
        )
        drafts.draft_edit(actor=self.alice, draft=draft, op="merge", row_id=ids[3])
        drafts.draft_edit(actor=self.alice, draft=draft, op="split", row_id=ids[1])
        draft.refresh_from_db()
        self.assertEqual(
            [r["content"] for r in draft.rows],
            ["完善应急预案", "开展消防安全检查。", "加强燃气安全排查", "组织综合应急演练并完善演练台账"],
        )
        self.assertEqual(
            [r["deadline_text"] for r in draft.rows], ["2024年6月底前", "每季度", "每季度", "2024年9月底前"]
        )
        self.assertEqual(draft.rows[2]["responsible"], ["应急办", "规建办"])
        drafts.draft_edit(
            actor=self.alice,
            draft=draft,
            op="edit",
            row_id=draft.rows[0]["id"],
            data={"responsible": "应急办（牵头）、公安、交通部门", "cooperating": "经发办"},
        )
        drafts.draft_edit(
            actor=self.alice,
            draft=draft,
            op="insert",
            row_id=draft.rows[-1]["id"],
            data={"content": "年底总结", "deadline_text": "年底前"},
        )
        drafts.draft_edit(actor=self.alice, draft=draft, op="delete", row_id=draft.rows[1]["id"])
        draft.refresh_from_db()
        self.assertEqual(draft.rows[0]["responsible"], ["应急办", "公安部门", "交通部门"])
        self.assertEqual(draft.rows[0]["lead"], ["应急办"])
        self.assertEqual([r["content"] for r in draft.rows][-1], "年底总结")
        self.assertEqual(len(draft.rows), 4)
        drafts.draft_edit(
            actor=self.alice,
            draft=draft,
            op="units",
            data={"经发办": "text", "规建办": "new", "公安部门": "text", "交通部门": f"unit:{self.unit_office_a.pk}"},
        )
        drafts.draft_edit(
            actor=self.alice, draft=draft, op="meta", data={"title": "凤凰镇年度任务清单", "kind": "annual_list"}
        )
        self.assertEqual(Plan.objects.count(), 0)

        plan = drafts.draft_confirm(actor=self.alice, draft=draft)
        self.assertEqual((plan.title, plan.kind, plan.is_published), ("凤凰镇年度任务清单", "annual_list", True))
        self.assertEqual(
            [t.content for t in plan.tasks.order_by("sort")],
            ["完善应急预案", "加强燃气安全排查", "组织综合应急演练并完善演练台账", "年底总结"],
        )
        self.assertEqual(plan.tasks.get(sort=3).due_dates, ["2024-09-30"])
        roles = {(a.name, a.role, a.unit_id) for a in TaskUnit.objects.filter(task__plan=plan, task__sort=1)}
        self.assertEqual(
            roles,
            {
                ("应急办", "lead", self.unit_emergency_a1.pk),
                ("公安部门", "responsible", None),
                ("交通部门", "responsible", self.unit_office_a.pk),
                ("经发办", "cooperating", None),
            },
        )
        self.assertTrue(Unit.objects.filter(name="凤凰镇规建办", region=self.town_a1).exists())
        self.assertFalse(Unit.objects.filter(name__contains="经发办").exists())
        self.assertFalse(PlanDraft.objects.exists())

    def test_a_unit_choice_or_count_that_is_no_number_is_refused_not_a_500(self):
        """str.isdigit() holds for "²", which int() refuses: the preview's unit choices were a 500."""
        draft = self.draft()
        client = self.login(self.alice)
        for count, choice in (("²", "text"), ("1", "unit:²"), ("9" * 25, "text")):
            data = {"op": "units", "count": count, "name_0": "经发办", "unit_0": choice}
            self.assertLess(client.post(f"/plans/drafts/{draft.pk}/", data).status_code, 400, (count, choice))
        self.assertEqual(parse_choice("unit:²"), (None, None))
        self.assertEqual(parse_choice(f"unit:{self.unit_office_a.pk}"), ("unit", self.unit_office_a.pk))

    def test_an_empty_row_blocks_the_import(self):
        draft = self.draft()
        draft = drafts.draft_edit(
            actor=self.alice, draft=draft, op="edit", row_id=draft.rows[0]["id"], data={"content": ""}
        )
        self.assertEqual(drafts.draft_view(draft)["errors"], [(1, "具体任务内容为空")])
        with self.assertRaises(ApplicationError) as caught:
            drafts.draft_confirm(actor=self.alice, draft=draft)
        self.assertIn("第1行", caught.exception.message)
        self.assertEqual(Plan.objects.count(), 0)

    def test_bad_files_say_why_and_keep_nothing(self):
        cases = [
            (upload("这是一份通知。\n\n请各单位按时参加会议。\n"), "未在"),
            (upload(b"\x00\xff" * 400, "plan.docx"), "Word"),
            (upload(b"", "empty.txt"), "空"),
        ]
        for file, words in cases:
            with self.subTest(file.name), self.assertRaises(ApplicationError) as caught:
                drafts.draft_create(actor=self.alice, upload=file, region=self.town_a1.code)
            self.assertIn(words, caught.exception.message)
        self.assertFalse(PlanDraft.objects.exists())

    def test_only_the_owner_and_managers_may_use_a_draft(self):
        draft = self.draft()
        from django.http import Http404

        with self.assertRaises(Http404):
            drafts.draft_get(user=self.bob, pk=draft.pk)
        with self.assertRaises(ApplicationError):
            drafts.draft_create(actor=self.erin, upload=upload(), region=self.town_a1.code)
        with self.assertRaises(PlanDraft.DoesNotExist):
            drafts.draft_edit(actor=self.charlie, draft=draft, op="delete", row_id=draft.rows[0]["id"])

    def test_seed_000_through_the_preview(self):
        draft = drafts.draft_create(
            actor=self.alice, upload=SimpleUploadedFile(SEED_000.name, SEED_000.read_bytes()), region=self.town_a1.code
        )
        self.assertEqual((len(draft.rows), draft.start_year, draft.end_year), (79, 2024, 2026))
        plan = drafts.draft_confirm(actor=self.alice, draft=draft)
        self.assertEqual(plan.tasks.count(), 79)
        # confirming created the units the preview proposed (经发办 …) but not the collectives
        self.assertTrue(Unit.objects.filter(name="凤凰镇经发办").exists())
        self.assertFalse(Unit.objects.filter(name__contains="有关成员单位").exists())
        self.assertEqual(io.BytesIO(b"").read(), b"")


class DutyListTests(CastTestCase):
    def test_a_duty_list_is_read_per_leader_and_versioned(self):
        from docx import Document

        from zhiben.plans import services
        from zhiben.plans.selectors import version_diff

        def docx(duties):
            doc = Document()
            doc.add_paragraph("凤凰镇党政领导干部安全生产职责清单")
            table = doc.add_table(rows=1 + len(duties), cols=3)
            for cell, text in zip(table.rows[0].cells, ("序号", "职务", "安全生产职责")):
                cell.text = text
            for i, (post, duty) in enumerate(duties, start=1):
                cells = table.rows[i].cells
                cells[0].text, cells[1].text, cells[2].text = str(i), post, duty
            out = io.BytesIO()
            doc.save(out)
            return SimpleUploadedFile("职责清单.docx", out.getvalue())

        duties = [
            ("镇党委书记", "全面领导本镇安全生产工作，把安全生产纳入党委重要议事日程。"),
            ("镇长", "统筹推进安全生产工作，每季度至少研究1次安全生产工作。"),
            ("分管副镇长", "组织开展隐患排查治理，每月带队检查。"),
        ]
        draft = drafts.draft_create(
            actor=self.alice, upload=docx(duties), kind="duty_list", region=self.town_a1.code, year=2025
        )
        self.assertEqual([r["action"] for r in draft.rows], ["镇党委书记", "镇长", "分管副镇长"])
        view = drafts.draft_view(draft)
        self.assertEqual(
            {m["name"]: m["kind"] for m in view["matches"]},
            {"镇党委书记": "text", "镇长": "text", "分管副镇长": "text"},
        )
        drafts.draft_edit(actor=self.alice, draft=draft, op="units", data={"镇长": "text", "分管副镇长": "text"})
        v1 = drafts.draft_confirm(actor=self.alice, draft=draft)
        self.assertEqual((v1.kind, v1.version, v1.tasks.count()), ("duty_list", 1, 3))
        self.assertEqual(v1.tasks.get(sort=1).milestones.count(), 0)  # a standing duty has no deadline
        services.plan_file(actor=self.alice, plan=v1)

        duties[2] = ("分管副镇长", "组织开展隐患排查治理，每月至少带队检查1次。")
        draft = drafts.draft_create(
            actor=self.alice, upload=docx(duties), kind="action_plan", previous=v1.pk, year=2025
        )
        self.assertEqual((draft.kind, draft.region, draft.previous), ("duty_list", self.town_a1, v1))
        v2 = drafts.draft_confirm(
            actor=self.alice,
            draft=drafts.draft_edit(
                actor=self.alice, draft=draft, op="units", data={"镇长": "text", "分管副镇长": "text"}
            ),
        )
        self.assertEqual((v2.version, v2.series), (2, v1.series))
        diff = version_diff(v1, v2)
        self.assertEqual([c["fields"] for c in diff["changed"]], [["任务内容"]])
        self.assertEqual((diff["unchanged"], diff["added"], diff["removed"]), (2, [], []))
