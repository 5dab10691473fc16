from django.db import migrations

GBT4754 = {"metallurgy": "31", "nonferrous": "32", "building_materials": "30", "machinery": "33,34,35,36,37,38,39,40,43",
           "tobacco": "16", "textile": "17,18,28", "construction": "47,48,49,50", "mining": "06,07,08,09,10",
           "commerce": "51,52", "transport": "53,54,55,56,58,59", "gas": "4520"}


def seed(apps, schema_editor):
    from zhiben.regions.choices import DEFAULT_INDUSTRIES

    Industry = apps.get_model("regions", "Industry")
    for sort, (code, name, high_risk) in enumerate(DEFAULT_INDUSTRIES, start=1):
        Industry.objects.get_or_create(code=code, defaults={"name": name, "high_risk": high_risk, "sort": sort,
                                                            "gbt4754_prefixes": GBT4754.get(code, "")})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
