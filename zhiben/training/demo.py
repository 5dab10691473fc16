"""Demo: people of a few 沙坪坝区 enterprises (主要负责人, 特种作业人员, 从业人员) and officials of the county
安委办, certificates (one expiring within the reminder window, one worker on a welding post without any),
two training bodies with review results, and this year's sessions with attendance and exam results —
all through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.demo import own_enterprise
from zhiben.accounts.models import User
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.models import Enterprise

from . import services
from .choices import KEY_INDUSTRIES
from .models import Certificate, Person, Session

COUNTY = "500106"


def identity(serial, born="19800101", region=COUNTY):
    first = f"{region}{born}{serial:03d}"
    return first + services.check_digit(first)


def load(stdout=None):
    link_plan_indicators()
    if Person.objects.exists() or Session.objects.exists():
        return
    actor = User.objects.filter(username="anweiban").select_related("unit").first()
    if actor is None or not actor.unit_id:
        return
    enterprises = list(
        Enterprise.objects.filter(subtree_q(COUNTY), industry__code__in=KEY_INDUSTRIES, status="operating").order_by(
            "id"
        )[:4]
    )
    if len(enterprises) < 2:
        return
    today = timezone.localdate()
    serial = iter(range(1, 999))
    principals = []
    names = ["王建国", "李红梅", "张志强", "刘晓东"]
    for enterprise, name in zip(enterprises, names, strict=False):
        principals.append(
            services.person_save(
                actor=actor,
                data={
                    "name": name,
                    "kind": "principal",
                    "enterprise": enterprise.pk,
                    "post": "总经理",
                    "id_number": identity(next(serial)),
                },
            )
        )
    first = enterprises[0]
    workers = [
        _staff(actor, first, next(serial), name, "worker", post, category, born="19900505")
        for name, category, post in [
            ("赵电工", "electrical", "电工"),
            ("钱焊工", "welding", "焊工"),
            ("孙登高", "height", "高处作业"),
            ("周操作", "", "操作工"),
        ]
    ]
    services.certificate_save(
        actor=actor,
        person=workers[0],
        data={
            "kind": "special",
            "category": "electrical",
            "number": "T500106199005050011",
            "issuer": "重庆市应急管理局",
            "issued_on": str(today - timedelta(days=365 * 5)),
            "expires_on": str(today + timedelta(days=365)),
        },
    )
    services.certificate_save(  # expires within the reminder window
        actor=actor,
        person=workers[2],
        data={
            "kind": "special",
            "category": "height",
            "number": "T500106199005050033",
            "issuer": "重庆市应急管理局",
            "issued_on": str(today - timedelta(days=365 * 6 - 30)),
            "expires_on": str(today + timedelta(days=30)),
        },
    )
    # workers[1] (焊工) holds no certificate: flagged as uncertified
    officials = [
        services.person_save(
            actor=actor,
            data={
                "name": name,
                "kind": kind,
                "unit": actor.unit_id,
                "post": post,
                "id_number": identity(next(serial), born="19750303"),
            },
        )
        for name, kind, post in [
            ("陈书记", "official", "区委副书记"),
            ("黄区长", "official", "副区长"),
            ("吴执法", "enforcement", "执法大队队员"),
        ]
    ]
    town = User.objects.filter(username="fhanweiban").select_related("unit").first()
    if town is not None and town.unit_id:  # the town's leaders: one trained below, one not yet
        officials += [
            services.person_save(
                actor=actor,
                data={
                    "name": name,
                    "kind": kind,
                    "unit": town.unit_id,
                    "post": post,
                    "id_number": identity(next(serial), born="19780808"),
                },
            )
            for name, kind, post in [
                ("周镇长", "official", "镇长"),
                ("郑副镇长", "official", "副镇长"),
                ("冯执法", "enforcement", "镇综合行政执法队员"),
            ]
        ]
    good = services.body_save(
        actor=actor,
        data={
            "name": "沙坪坝区安全生产培训中心",
            "region": COUNTY,
            "scope": "主要负责人、安全管理人员、特种作业",
            "review_result": "meets",
            "reviewed_on": str(today - timedelta(days=90)),
            "review_note": "师资、场地、教材符合基本条件。",
        },
    )
    services.body_save(
        actor=actor,
        data={
            "name": "重庆某职业技能培训学校",
            "region": COUNTY,
            "scope": "从业人员",
            "review_result": "rectify",
            "reviewed_on": str(today - timedelta(days=60)),
            "review_note": "实操场地不足，限期整改。",
        },
    )
    held = today - timedelta(days=min(20, today.timetuple().tm_yday - 1))
    session = services.session_save(
        actor=actor,
        data={
            "title": f"{today.year}年重点行业主要负责人履职培训",
            "kind": "principal",
            "organiser": "沙坪坝区安委办",
            "body": good.pk,
            "held_on": str(held),
            "hours": "16",
            "region": COUNTY,
            "has_exam": "1",
            "topics": "重大事故隐患判定标准；主要负责人安全生产职责",
        },
    )
    for index, person in enumerate(principals[:-1]):
        services.attendance_add(actor=actor, session=session, person=person, score=90 - index * 5, result="passed")
    lead = services.session_save(
        actor=actor,
        data={
            "title": f"{today.year}年党政领导干部安全生产专题培训",
            "kind": "official",
            "organiser": "沙坪坝区委组织部",
            "held_on": str(held),
            "hours": "4",
            "region": COUNTY,
            "topics": "安全生产重要论述；党政领导干部安全生产责任制",
        },
    )
    services.attendance_add(actor=actor, session=lead, person=officials[0])
    if len(officials) > 3:
        services.attendance_add(actor=actor, session=lead, person=officials[3])
        law = services.session_save(
            actor=actor,
            data={
                "title": f"{today.year}年安全监管执法人员业务培训",
                "kind": "enforcement",
                "organiser": "沙坪坝区应急管理局",
                "held_on": str(held),
                "hours": "24",
                "region": COUNTY,
                "topics": "重大事故隐患判定标准；行政执法程序",
            },
        )
        services.attendance_add(actor=actor, session=law, person=officials[5])
    special = services.session_save(
        actor=actor,
        data={
            "title": "电工作业复审培训",
            "kind": "special",
            "organiser": first.name,
            "enterprise": first.pk,
            "body": good.pk,
            "held_on": str(held),
            "hours": "8",
            "has_exam": "1",
            "topics": "低压电工作业",
        },
    )
    services.attendance_add(actor=actor, session=special, person=workers[0], score=85)
    services.attendance_add(actor=actor, session=special, person=workers[3], score=60)
    own = own_enterprise()
    if own is not None and own not in enterprises:
        _own_training(actor, own, serial, held)


def _staff(actor, enterprise, serial, name, kind, post, category, *, born):
    """One of an enterprise's people (`category`: the special operation of a special post, "" for none)."""
    return services.person_save(
        actor=actor,
        data={
            "name": name,
            "kind": kind,
            "enterprise": enterprise.pk,
            "post": post,
            "special_post": "1" if category else "",
            "special_category": category,
            "id_number": identity(serial, born=born),
        },
    )


def _own_training(actor, enterprise, serial, held):
    """The demo enterprise user's furniture factory: its safety manager and workers, a licensed electrician, and the
    company's own training of its workers (三级安全教育), one of whom missed it."""
    people = [
        _staff(actor, enterprise, next(serial), name, kind, post, category, born="19880808")
        for name, kind, post, category in [
            ("孙企", "manager", "安全管理员", ""),
            ("陈师傅", "worker", "喷漆工", ""),
            ("吴师傅", "worker", "木工机械操作工", ""),
            ("郑电工", "worker", "电工", "electrical"),
        ]
    ]
    services.certificate_save(
        actor=actor,
        person=people[3],
        data={
            "kind": "special",
            "category": "electrical",
            "number": "T500106198808080044",
            "issuer": "重庆市应急管理局",
            "issued_on": str(held - timedelta(days=365 * 2)),
            "expires_on": str(held + timedelta(days=365 * 4)),
        },
    )
    session = services.session_save(
        actor=actor,
        data={
            "title": f"{held.year}年度从业人员安全教育（车间级）",
            "kind": "worker",
            "organiser": enterprise.name,
            "enterprise": enterprise.pk,
            "held_on": str(held),
            "hours": "8",
            "has_exam": "1",
            "topics": "喷漆房防火防爆；木粉尘防爆；劳动防护用品使用",
        },
    )
    for person, score in zip(people[1:3], (88, 76), strict=True):
        services.attendance_add(actor=actor, session=session, person=person, score=score)
    services.attendance_add(actor=actor, session=session, person=people[3], attended=False)


# the demo plan's indicators that these figures measure (by the words of their names)
PLAN_LINKS = [
    (("履职能力", "培训覆盖率"), "training.principal_coverage"),
    (("培训考核合格率",), "training.pass_rate"),
    (("党政领导干部培训覆盖率",), "training.officials_trained"),
    (("执法人员培训覆盖率",), "training.enforcement_trained"),
]


def link_plan_indicators():
    """Link the demo plan's training indicators (主要负责人履职能力培训覆盖率 …) to the registered figures, so
    the plan page and its 一张表 show live values (plans has no page for choosing the key yet)."""
    from django.apps import apps

    if not apps.is_installed("zhiben.plans"):
        return 0
    Indicator = apps.get_model("plans", "Indicator")
    count = 0
    for words, key in PLAN_LINKS:
        rows = Indicator.objects.filter(figure_key="")
        for word in words:
            rows = rows.filter(name__contains=word)
        count += rows.update(figure_key=key)
    return count


def summary():
    return (
        f"{Person.objects.count()} 名培训人员，{Session.objects.count()} 期培训，{Certificate.objects.count()} 本证书"
    )
