from zhiben.core.scoping import code_level, in_subtree, subtree_range
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region, Unit
from zhiben.testing import CastTestCase


def test_code_level_and_subtree_bounds():
    assert code_level("500000000000") == 1
    assert code_level("500100000000") == 2
    assert code_level("500106000000") == 3
    assert code_level("500106105000") == 4
    assert code_level("500106105002") == 5
    assert subtree_range("500106000000") == ("500106000000", "500106999999")
    assert subtree_range("500106105000") == ("500106105000", "500106105999")
    assert in_subtree("500106105002", "500106000000")
    assert not in_subtree("500107101001", "500106000000")


class ScopingTests(CastTestCase):
    def names(self, user):
        return set(Enterprise.objects.for_user(user).values_list("name", flat=True))

    def test_county_admin_sees_own_county_only(self):
        self.assertEqual(self.names(self.alice), {"凤凰化工有限公司", "凤凰建设有限公司"})
        self.assertEqual(self.names(self.charlie), {"西彭化工有限公司"})

    def test_city_admin_sees_both_counties(self):
        self.assertEqual(len(self.names(self.bob)), 3)

    def test_department_sees_only_supervised_industries(self):
        self.assertEqual(self.names(self.erin), {"凤凰化工有限公司"})

    def test_grid_worker_sees_own_village(self):
        self.assertEqual(self.names(self.gina), {"凤凰化工有限公司"})

    def test_enterprise_user_sees_only_own_enterprise(self):
        self.assertEqual(self.names(self.emma), {"凤凰化工有限公司"})

    def test_user_without_region_sees_nothing(self):
        from zhiben.testing import make_user

        lost = make_user("lost", "leader", None)
        self.assertEqual(self.names(lost), set())

    def test_regions_and_units_are_scoped(self):
        self.assertFalse(Region.objects.for_user(self.alice).filter(code=self.county_b.code).exists())
        self.assertTrue(Region.objects.for_user(self.alice).filter(code=self.village_a1.code).exists())
        self.assertFalse(Unit.objects.for_user(self.alice).filter(pk=self.unit_office_b.pk).exists())
