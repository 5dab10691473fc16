"""Shared test set-up: the cast plus people and sessions built through the services."""

from zhiben.testing import CastTestCase

from .. import services


def identity(serial, born="19800101", region="500106"):
    first = f"{region}{born}{serial:03d}"
    return first + services.check_digit(first)


class TrainingCase(CastTestCase):
    serial = 500  # above the serials tests pick by hand (identity(7), identity(201) …)

    @classmethod
    def next_identity(cls, region="500106", born="19800101"):
        TrainingCase.serial += 1
        return identity(TrainingCase.serial, born=born, region=region)

    @classmethod
    def person(cls, name, enterprise=None, kind="worker", unit=None, actor=None, category="", **extra):
        region = (enterprise.region_id if enterprise else unit.region_id)[:6]
        data = {
            "name": name,
            "kind": kind,
            "enterprise": enterprise.pk if enterprise else "",
            "unit": unit.pk if unit else "",
            "post": extra.pop("post", "操作工"),
            "special_post": "1" if category else "",
            "special_category": category,
            "id_number": extra.pop("id_number", None) or cls.next_identity(region),
            **extra,
        }
        return services.person_save(actor=actor, data=data)

    @classmethod
    def session(cls, kind, held_on, region="500106", enterprise=None, actor=None, **extra):
        data = {
            "title": extra.pop("title", f"{kind} 培训"),
            "kind": kind,
            "organiser": "区安委办",
            "held_on": str(held_on),
            "hours": "8",
            "region": region,
            "enterprise": enterprise.pk if enterprise else "",
            **extra,
        }
        return services.session_save(actor=actor, data=data)

    @classmethod
    def certificate(cls, person, number, issued, expires, category="electrical", kind="special", actor=None):
        return services.certificate_save(
            actor=actor,
            person=person,
            data={
                "kind": kind,
                "category": category,
                "number": number,
                "issued_on": str(issued),
                "expires_on": str(expires),
            },
        )
