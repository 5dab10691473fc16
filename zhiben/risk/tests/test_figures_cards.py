"""On a phone the table of 重大/较大 points by industry folds into cards: its total row's figures are labelled as the
other rows' are (not a bare "合计 1 1 1")."""

import re

from .helpers import RiskTestCase


class TotalRowTests(RiskTestCase):
    def test_the_total_rows_figures_carry_their_labels(self):
        self.point(method="lec", l="3", e="3", c="40")  # 重大
        self.point(method="lec", l="3", e="6", c="15")  # 较大
        page = self.login(self.alice).get("/risk/figures/").content.decode()
        footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
        self.assertEqual(
            re.findall(r'<td data-label="([^"]+)">([^<]*)</td>', footer), [("重大", "1"), ("较大", "1"), ("单位", "1")]
        )
        self.assertIn("<td>合计</td>", footer)
