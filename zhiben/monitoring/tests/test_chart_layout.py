"""The readings chart keeps its labels inside the drawing: room around the plot (drawn larger on a phone), the first
and last times aligned with the plot's edges, the times between them marked (a phone shows only the middle one)."""

import re
from datetime import timedelta

from django.utils import timezone

from zhiben.testing import CastTestCase

from .helpers import make_device, send


class ChartLayoutTests(CastTestCase):
    def chart(self, code, limit, values):
        """The SVG chart on the page of a new device `code` (alarm above `limit`) after `values`, one a minute."""
        device, _ = make_device(self.alice, self.enterprise_a, code, rules=[("above", limit, 0)])
        now = timezone.now().replace(microsecond=0)
        send(device, values, start=now - timedelta(minutes=3), now=now)
        page = self.login(self.alice).get(f"/monitoring/devices/{device.pk}/").content.decode()
        return page[page.index('<svg class="chart"') : page.index("</svg>")]

    def test_labels_stay_inside_the_drawing(self):
        chart = self.chart("LEL-P", 25, [2, 3, 4])
        self.assertIn('viewBox="-16 -10 736 240"', chart)
        times = re.findall(
            r'<text x="[\d.]+" y="\d+" font-size="11" text-anchor="(\w+)"[^>]*?( class="xt-between")?>', chart
        )
        self.assertEqual(
            times,
            [
                ("start", ""),
                ("middle", ' class="xt-between"'),
                ("middle", ""),
                ("middle", ' class="xt-between"'),
                ("end", ""),
            ],
        )

    def test_the_value_axis_reads_round_numbers_from_zero(self):
        chart = self.chart("LEL-Q", 10, [0.2, 3.7, 8.1])
        labels = re.findall(r'text-anchor="end"[^>]*>([-\d.]+)</text>', chart)
        self.assertEqual(labels[:1] + labels[-1:], ["0", "15"] if labels[0] == "0" else ["15", "0"])
        self.assertTrue(all(float(v) % 5 == 0 for v in labels), labels)
