from django.db import models


class Role(models.TextChoices):
    NONE = "", "无角色（待授权）"
    COMMITTEE_ADMIN = "anweiban_admin", "安委办管理员"
    REGULATOR = "regulator", "行业监管人员"
    GRID = "grid", "网格员"
    ENTERPRISE = "enterprise", "企业安全管理员"
    EXPERT = "expert", "专家"
    LEADER = "leader", "领导（只读）"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# What each role may do. Which rows it may do it on is decided by scoping (region, industries, enterprise).
# The three administrators (三员) hold disjoint capabilities and no business data rights.
ROLE_CAPABILITIES = {
    Role.COMMITTEE_ADMIN: {
        "accident.view",
        "accident.report",
        "accident.manage",
        "accident.list",
        "report.view",
        "report.handle",
        "report.reward",
        "report.reward_approve",
        "report.route",
        "selfcheck.monitor",
        "selfcheck.import",
        "selfcheck.manage",
        "inspection.view",
        "inspection.conduct",
        "inspection.plan",
        "checklist.manage",
        "expert.manage",
        "enforcement.view",
        "enforcement.manage",
        "risk.view",
        "training.view",
        "training.manage",
        "risk.manage",
        "monitoring.view",
        "monitoring.manage",
        "watch.view",
        "watch.manage",
        "campaign.view",
        "campaign.manage",
        "campaign.check",
        "hazard.view",
        "hazard.report",
        "hazard.import",
        "hazard.export",
        "escalation.manage",
        "escalation.view",
        "rule.manage",
        "document.view",
        "document.issue",
        "document.template",
        "enterprise.view",
        "enterprise.add",
        "enterprise.change",
        "enterprise.import",
        "enterprise.export",
        "unit.view",
        "region.view",
        "user.view",
        "user.grant",
        "role_request.view",
        "duty.monitor",
        "duty.export",
        "plan.view",
        "plan.manage",
        "plan.report",
    },
    Role.REGULATOR: {
        "accident.view",
        "accident.report",
        "accident.manage",
        "report.view",
        "report.handle",
        "report.reward",
        "selfcheck.monitor",
        "selfcheck.import",
        "inspection.view",
        "inspection.conduct",
        "inspection.plan",
        "checklist.manage",
        "enforcement.view",
        "enforcement.manage",
        "risk.view",
        "training.view",
        "training.manage",
        "risk.manage",
        "monitoring.view",
        "monitoring.manage",
        "watch.view",
        "watch.manage",
        "campaign.view",
        "campaign.check",
        "hazard.view",
        "hazard.report",
        "hazard.import",
        "hazard.export",
        "document.view",
        "document.issue",
        "escalation.view",
        "enterprise.view",
        "enterprise.add",
        "enterprise.change",
        "enterprise.import",
        "enterprise.export",
        "unit.view",
        "region.view",
        "duty.monitor",
        "duty.export",
        "plan.view",
        "plan.report",
    },
    Role.GRID: {
        "accident.view",
        "accident.report",
        "report.view",
        "selfcheck.monitor",
        "inspection.view",
        "risk.view",
        "training.view",
        "monitoring.view",
        "watch.view",
        "campaign.view",
        "campaign.check",
        "hazard.view",
        "hazard.report",
        "enterprise.view",
        "enterprise.add",
        "enterprise.change",
        "unit.view",
        "region.view",
        "plan.view",
    },
    Role.ENTERPRISE: {
        "accident.view",
        "accident.report",
        "selfcheck.record",
        "selfcheck.import",
        "inspection.view",
        "enforcement.view",
        "risk.view",
        "training.view",
        "training.manage",
        "risk.manage",
        "monitoring.view",
        "monitoring.manage",
        "hazard.view",
        "hazard.report",
        "hazard.import",
        "enterprise.view",
        "enterprise.change",
        "duty.submit",
        "document.view",
    },
    Role.EXPERT: {
        "hazard.view",
        "hazard.report",
        "enterprise.view",
        "unit.view",
        "region.view",
        "plan.view",
        "inspection.view",
        "inspection.conduct",
        "risk.view",
    },
    Role.LEADER: {
        "accident.view",
        "report.view",
        "selfcheck.monitor",
        "inspection.view",
        "enforcement.view",
        "risk.view",
        "training.view",
        "monitoring.view",
        "watch.view",
        "campaign.view",
        "hazard.view",
        "hazard.export",
        "escalation.view",
        "enterprise.view",
        "enterprise.export",
        "unit.view",
        "region.view",
        "duty.monitor",
        "duty.export",
        "document.view",
        "plan.view",
    },
    Role.SYS_ADMIN: {
        "region.view",
        "region.import",
        "unit.view",
        "unit.manage",
        "user.view",
        "user.manage",
        "notification.admin",
        "admin.approve",
        "role_request.view",
    },
    Role.SEC_ADMIN: {"user.view", "security.manage", "admin.approve", "role_request.view"},
    Role.AUDIT_ADMIN: {"audit.view", "admin.approve", "role_request.view"},
}
# Rights every administrator holds (each one checks the others): approving another administrator's
# role request and reading the requests. Everything else an administrator may do is theirs alone.
SHARED_ADMIN_CAPABILITIES = {"user.view", "admin.approve", "role_request.view"}

ADMIN_ROLES = {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}
BUSINESS_ROLES = {r for r in Role if r not in ADMIN_ROLES and r != Role.NONE}


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤回"


class LinkPurpose(models.TextChoices):
    ACTIVATE = "activate", "激活账号"
    RESET = "reset", "重置密码"
