"""What rankings offers the platform: the job that scores each scorecard's just-ended period."""

from zhiben.core.registry import Job, register

from .services import score_due

register(
    Job("rankings.score_due", "评分排名：上期结束后自动评分", score_due, order=90),
)
