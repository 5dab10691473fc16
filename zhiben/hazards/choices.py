from django.db import models


class Channel(models.TextChoices):
    SELF_REPORT = "self", "企业自查上报"
    SUPERVISION = "supervision", "督导检查"
    ENFORCEMENT = "enforcement", "执法检查"
    PUBLIC = "public", "群众举报"
    UNANNOUNCED = "unannounced", "暗访（四不两直）"
    ASSIGNED = "assigned", "上级交办"
    MONITORING = "monitoring", "监测预警"


class Level(models.TextChoices):
    GENERAL = "general", "一般隐患"
    MAJOR = "major", "重大隐患"


class Category(models.TextChoices):
    BEHAVIOUR = "behaviour", "人的不安全行为"
    CONDITION = "condition", "物的不安全状态"
    MANAGEMENT = "management", "管理缺陷"
    ENVIRONMENT = "environment", "环境因素"


class Status(models.TextChoices):
    REPORTED = "reported", "待核实"
    VERIFIED = "verified", "已核实"
    REJECTED = "rejected", "不予认定"
    MERGED = "merged", "已合并"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "申请销号"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (Status.REPORTED, Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED)
# statuses the figures do not count: not a hazard (不予认定), or counted as the one it was merged into
NOT_COUNTED = (Status.MERGED, Status.REJECTED)
# statuses in which a hazard has a deadline: it may be extended or listed (挂牌督办) and its documents issued
DEADLINE_STATUSES = (Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED)
# the rectification deadline runs on the enterprise: a request for 销号 stops it (the review has a deadline of its
# own, Hazard.review_deadline), a return to rectification starts it again (the tally triggers count these, 0012)
OVERDUE_STATUSES = (Status.VERIFIED, Status.RECTIFYING)


class ListingLevel(models.TextChoices):
    TOWN = "town", "镇街挂牌"
    COUNTY = "county", "区县挂牌"
    CITY = "city", "市级挂牌"


class AttachmentKind(models.TextChoices):
    FOUND = "found", "发现"
    BEFORE = "before", "整改前"
    AFTER = "after", "整改后"
    ACCEPTANCE = "acceptance", "验收材料"
    PLAN = "plan", "治理方案"
    OTHER = "other", "其他"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    GRANTED = "granted", "已批准"
    REFUSED = "refused", "不予批准"


class PlaceKind(models.TextChoices):
    GAS_PIPE = "gas_pipe", "燃气管道"
    SELF_BUILT = "self_built", "自建房"
    PUBLIC_PLACE = "public_place", "公共场所"
    ROAD = "road", "道路交通"
    NINE_SMALL = "nine_small", "九小场所"
    OTHER = "other", "其他"


EVENT_LABELS = {
    "report": "上报",
    "verify": "核实确认",
    "reject": "不予认定",
    "merge": "合并为重复",
    "merged_in": "并入重复记录",
    "start": "开始整改",
    "submit": "申请销号",
    "close": "审核销号",
    "return": "退回整改",
    "edit_plan": "更新整改方案",
    "edit_description": "修改隐患描述",
    "attach": "上传证据",
    "list": "挂牌督办",
    "request_extension": "申请延期",
    "grant_extension": "批准延期",
    "refuse_extension": "不予批准延期",
    "import": "台账导入",
    "import_historic": "历史台账导入",
    "reminder": "到期提醒",
    "escalate": "督办升级",
    "repeat_alert": "反复出现提示",
}
