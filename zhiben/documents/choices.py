from django.db import models


class Kind(models.TextChoices):
    RECTIFICATION_NOTICE = "rectification_notice", "隐患整改通知书"
    LISTING_NOTICE = "listing_notice", "重大事故隐患挂牌督办通知书"
    SUPERVISION_LETTER = "supervision_letter", "督办函（函告）"
    INTERVIEW_NOTICE = "interview_notice", "约谈通知书"
    EXTENSION_FORM = "extension_form", "事故隐患延期整改审批表"
    CLOSURE_FORM = "closure_form", "事故隐患整改销号审批表"


# The two 审批表 are forms: no red 版头, a two-column table instead of a letter.
FORM_KINDS = frozenset({Kind.EXTENSION_FORM, Kind.CLOSURE_FORM})
