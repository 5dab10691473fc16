from django.db import models


class CardKind(models.TextChoices):
    RISK = "risk", "岗位风险清单"
    DUTY = "duty", "岗位职责清单"
    OPERATION = "operation", "岗位操作卡"
    EMERGENCY = "emergency", "岗位应急处置卡"


KINDS = [kind.value for kind in CardKind]
