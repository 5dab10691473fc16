from django.db import models


class Action(models.TextChoices):
    REMIND = "remind", "提醒"
    LETTER = "letter", "函告"
    BULLETIN = "bulletin", "通报"
    INTERVIEW = "interview", "约谈"
    PROPOSE_LISTING = "propose_listing", "提请挂牌督办"


def target_choices():
    """The registered escalation targets as (key, Chinese label): the kinds of object the ladder serves."""
    from zhiben.core.registry import ordered

    return [(t.key, t.label) for t in ordered("escalation_targets")]
