"""What rankings offers the platform: the menu entry under 统计, the job that scores each scorecard's
just-ended period, the 晾晒通报 document kind and the demo scorecard (after the hazards demo)."""

from zhiben.core.registry import DemoLoader, Job, MenuEntry, register

from . import demo
from .documents import BULLETIN
from .services import score_due

register(
    MenuEntry("评分排名", "rankings:list", "analytics.view", order=20, group="统计"),
    Job("rankings.score_due", "评分排名：上期结束后自动评分", score_due, order=90),
    BULLETIN,
    DemoLoader("rankings", demo.load, demo.summary, order=98),
)
