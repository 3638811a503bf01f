from django.db import migrations

# code, name, rank: the default decision chain (决策链); editable in the admin.
DECISION_ROLES = [
    ("decision_maker", "决策者", 10),
    ("influencer", "影响者", 20),
    ("purchaser", "采购者", 30),
    ("user", "使用者", 40),
    ("first_contact", "首次接触人", 50),
]


def load(apps, schema_editor):
    DecisionRole = apps.get_model("customers", "DecisionRole")
    for code, name, rank in DECISION_ROLES:
        DecisionRole.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_profile_consents_consumption")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
