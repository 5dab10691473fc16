# Hazards: the date by which a 销号 request is to be reviewed (申请销号之日 + rule hazard.review_days). A nullable
# column without a default is added in place on SQLite too, so the tally triggers (0007) stay. Requests waiting
# now get their date from the day they were made (their last 申请销号 event; an imported one, the day it was
# imported) and the rule's default: no jurisdiction can have set the new rule yet.

from datetime import timedelta

from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone

REVIEW_DAYS = 10  # the rule's default (hazards.hooks)


def waiting_requests(apps, schema_editor):
    db = schema_editor.connection.alias
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    waiting = Hazard.objects.using(db).filter(status="submitted", historic=False)
    asked = dict(
        HazardEvent.objects.using(db)
        .filter(hazard__in=waiting, action="submit")
        .values_list("hazard_id")
        .annotate(Max("at"))
        .order_by()
    )
    by_day = {}  # one UPDATE a review day (and 500 hazards), not one a hazard
    for pk, created in waiting.values_list("pk", "created_at").iterator():
        day = timezone.localdate(asked.get(pk) or created) + timedelta(days=REVIEW_DAYS)
        by_day.setdefault(day, []).append(pk)
    for day, keys in by_day.items():
        for start in range(0, len(keys), 500):
            waiting.filter(pk__in=keys[start : start + 500]).update(review_deadline=day)


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0010_occurrence"),
    ]

    operations = [
        migrations.AddField(
            model_name="hazard",
            name="review_deadline",
            field=models.DateField(
                blank=True,
                help_text="申请销号之日加规则 hazard.review_days：监管部门应在此日前审核（验收）销号申请",
                null=True,
                verbose_name="销号审核期限",
            ),
        ),
        migrations.RunPython(waiting_requests, migrations.RunPython.noop),
    ]
