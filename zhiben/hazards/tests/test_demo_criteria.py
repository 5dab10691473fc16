"""Issue 25: a demo hazard "特种作业人员无证上岗" cited a criteria item about dust-explosion equipment."""

from zhiben.hazards.demo import MAJOR_HAZARDS
from zhiben.hazards.models import CriteriaItem
from zhiben.testing import CastTestCase

# the words a hazard and the item it cites must share
KEYWORDS = ("特种作业", "积尘", "防爆", "有限空间")


class DemoCriteriaTests(CastTestCase):
    def test_each_demo_major_hazard_cites_an_item_that_fits_it(self):
        for text, _, number in MAJOR_HAZARDS:
            with self.subTest(text=text):
                items = list(CriteriaItem.objects.filter(number=number))
                self.assertEqual(len(items), 1, number)
                shared = [word for word in KEYWORDS if word in text and word in items[0].text]
                self.assertTrue(shared, f"{text} ≠ {number} {items[0].text}")
