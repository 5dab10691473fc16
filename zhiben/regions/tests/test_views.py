"""The region tree: drill-down with counts, breadcrumbs, search, and scope."""

from zhiben.accounts.choices import Role
from zhiben.regions.models import Region
from zhiben.testing import CastTestCase, make_enterprise, make_region, make_user


class RegionTreeTests(CastTestCase):
    def rows(self, regions):
        return {r.name: (r.enterprise_count, r.unit_count) for r in regions}

    def test_the_tree_starts_at_the_users_region(self):
        response = self.login(self.alice).get("/regions/")
        self.assertEqual(self.rows(response.context["roots"]), {"沙坪坝区": (2, 2)})
        self.assertNotContains(response, "九龙坡区")
        response = self.login(self.bob).get("/regions/")
        self.assertEqual(self.rows(response.context["roots"]), {"市辖区": (3, 3)})

    def test_drill_down_shows_children_with_counts(self):
        response = self.login(self.alice).get(f"/regions/{self.county_a.code}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.rows(response.context["children"]), {"青木关镇": (0, 0), "凤凰镇": (2, 1)})
        self.assertEqual([u.name for u in response.context["units"]], ["沙坪坝区安委办"])
        response = self.client.get(f"/regions/{self.town_a1.code}/")
        self.assertEqual(self.rows(response.context["children"]), {"凤凰村": (1, 0), "双碑村": (1, 0)})

    def test_short_codes_work_in_the_url(self):
        response = self.login(self.alice).get("/regions/500106105/")
        self.assertEqual(response.context["region"].code, self.town_a1.code)
        self.assertEqual(self.client.get("/regions/abc/").status_code, 404)

    def test_counts_follow_the_viewers_scope(self):
        # erin's unit supervises hazchem and machinery only: the construction enterprise is not counted
        response = self.login(self.erin).get(f"/regions/{self.town_a1.code}/")
        self.assertEqual(response.context["region"].enterprise_count, 1)

    def test_counting_costs_the_same_for_many_children(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries():
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(f"/regions/{self.town_a1.code}/").status_code, 200)
            return len(ctx.captured_queries)

        self.login(self.alice)
        self.client.get("/")  # the first request of a session stores its last-seen time
        before = queries()
        for i in range(10):
            make_enterprise(make_region(f"500106105{i + 10:03d}", f"新村{i}"))
        self.assertEqual(queries(), before)

    def test_breadcrumbs_link_only_inside_the_jurisdiction(self):
        response = self.login(self.alice).get(f"/regions/{self.village_a1.code}/")
        crumbs = {node.name: open_ for node, open_ in response.context["breadcrumb"]}
        self.assertEqual(crumbs, {"重庆市": False, "市辖区": False, "沙坪坝区": True, "凤凰镇": True})
        self.assertContains(response, f'href="/regions/{self.county_a.code}/"')
        self.assertNotContains(response, f'href="/regions/{self.city.code}/"')

    def test_search_by_name_or_code(self):
        self.login(self.alice)
        response = self.client.get("/regions/?q=凤凰")
        self.assertEqual({r.name for r in response.context["page"]}, {"凤凰镇", "凤凰村"})
        response = self.client.get("/regions/?q=500106105")
        self.assertEqual(len(response.context["page"]), 3)

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        for region in (self.county_a, self.town_a1, self.village_a1):
            self.assertEqual(self.client.get(f"/regions/{region.code}/").status_code, 404)
        self.assertEqual(len(self.client.get("/regions/?q=凤凰").context["page"]), 0)
        self.assertEqual(self.client.get(f"/api/v1/regions/{self.county_a.code}").status_code, 404)
        response = self.client.get(f"/regions/{self.county_b.code}/")
        self.assertEqual(self.rows(response.context["children"]), {"西彭镇": (1, 0)})

    def test_roles_without_region_view_are_refused(self):
        for user in (self.aud, self.sid, self.emma):
            self.login(user)
            self.assertEqual(self.client.get("/regions/").status_code, 403, user.username)
        for user in (self.aud, self.sid):
            self.assertEqual(self.login(user).get(f"/regions/{self.village_a1.code}/").status_code, 403, user.username)
        # an enterprise user's scope holds no regions at all
        self.assertEqual(self.login(self.emma).get(f"/regions/{self.village_a1.code}/").status_code, 404)

    def test_a_superuser_starts_at_the_top(self):
        root = make_user("root", Role.SYS_ADMIN, None, is_superuser=True)
        response = self.login(root).get("/regions/")
        self.assertEqual([r.name for r in response.context["roots"]], ["重庆市"])
        self.assertEqual(response.context["roots"][0].enterprise_count, 3)

    def test_the_import_link_shows_for_the_system_admin_only(self):
        self.assertContains(self.login(self.sam).get("/regions/"), "导入区划")
        self.assertNotContains(self.login(self.alice).get("/regions/"), "导入区划")
        self.assertTrue(Region.objects.filter(code=self.county_a.code).exists())
