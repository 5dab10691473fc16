from django.db import migrations


class Migration(migrations.Migration):
    """Industry.gbt4754_prefixes was seeded by 0002 but never read: enterprises keep their own
    国民经济行业代码 and are placed in a regulatory industry explicitly."""

    dependencies = [("regions", "0002_seed_industries")]
    operations = [migrations.RemoveField(model_name="industry", name="gbt4754_prefixes")]
