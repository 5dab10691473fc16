"""Demo accounts: one per role (the enterprise user is made by the enterprises demo, which owns the enterprise)."""

import functools

from django.contrib.auth.hashers import make_password

from zhiben.regions.models import Region, Unit

from .choices import Role
from .models import User
from .services import totp_required, user_create

DEMO_PASSWORD = "Zhiben@2026"

# (username, name, role, region code, unit name or None)
ACCOUNTS = [
    ("anweiban", "李安", Role.COMMITTEE_ADMIN, "500106", "沙坪坝区安委办"),
    ("fhanweiban", "周凤", Role.COMMITTEE_ADMIN, "500106105", "凤凰镇安委办"),
    ("yingji", "王应", Role.REGULATOR, "500106105", "凤凰镇应急办"),
    ("guijian", "陈建", Role.REGULATOR, "500106105", "凤凰镇规建办"),
    ("quyingji", "刘急", Role.REGULATOR, "500106", "沙坪坝区应急管理局"),
    ("qujianwei", "杨建", Role.REGULATOR, "500106", "沙坪坝区住房城乡建委"),
    ("wangge", "赵网", Role.GRID, "500106105002", None),
    ("qiye", "孙企", Role.ENTERPRISE, None, None),
    ("zhuanjia", "钱专", Role.EXPERT, "500106", None),
    ("lingdao", "吴领", Role.LEADER, "500106", None),
    ("sysadmin", "郑系", Role.SYS_ADMIN, "500106", None),
    ("secadmin", "冯安", Role.SEC_ADMIN, "500106", None),
    ("auditor", "蒋审", Role.AUDIT_ADMIN, "500106", None),
    ("jlpanweiban", "韩九", Role.COMMITTEE_ADMIN, "500107", "九龙坡区安委办"),
]


@functools.cache
def _demo_password_hash():
    return make_password(DEMO_PASSWORD)


def demo_user(**fields):
    """A demo account with the published DEMO_PASSWORD, created by the system (`user_create`, audited). The password
    is hashed once for all of them: PBKDF2 takes ~0.4 s a hash, a quarter of `make run`'s demo load."""
    user = user_create(actor=None, password=None, must_change_password=False, **fields)
    user.password = _demo_password_hash()
    user.save(update_fields=["password"])
    return user


def own_enterprise():
    """The enterprise of the demo's enterprise user (qiye), or None: each module's demo gives it records of its own,
    so that what an enterprise sees after logging in is not an empty list."""
    user = User.objects.filter(username="qiye", enterprise__isnull=False).select_related("enterprise").first()
    return user.enterprise if user is not None else None


def create_account(username, name, role, code, unit_name, *, enterprise=None):
    """One demo account (skipped when it exists)."""
    if User.objects.filter(username=username).exists():
        return
    unit = Unit.objects.get(name=unit_name) if unit_name else None
    region = Region.objects.get(code=code.ljust(12, "0")) if code else None
    demo_user(username=username, role=role, name=name, region=region, unit=unit, enterprise=enterprise)


def load(stdout=None):
    for username, name, role, code, unit_name in ACCOUNTS:
        if role != Role.ENTERPRISE:
            create_account(username, name, role, code, unit_name)


def summary():
    return f"{User.objects.count()} 个账号"


def account_lines():
    """What `load_demo` prints: the shared password, then each account with its role and region."""
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for username, *_ in ACCOUNTS:
        user = User.objects.filter(username=username).select_related("region").first()
        if user is None:
            continue
        extra = (
            "，首次登录按页面提示绑定动态口令（或运行 python manage.py totp_code " + username + "）"
            if totp_required(user)
            else ""
        )
        lines.append(f"  {username:<12} {user.get_role_display()} · {user.region.name if user.region else ''}{extra}")
    return lines
