# The admin's search reads one column, User.search_text (username, email and full name), with one trigram
# index on PostgreSQL instead of three on two tables; and the admin's "recent actions" read the log through
# an index on (user, time), not by sorting every entry a reviewer ever made.

from importlib import import_module

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from onboarding.infra.trigram import create_trigram_indexes, drop_trigram_indexes

# The per-column indexes this migration replaces, as 0005 made them.
admin_scale = import_module("onboarding.migrations.0005_admin_scale")
LOG_INDEX = "admin_log_user_time_idx"


def fill_search_text(apps, schema_editor):
    """One UPDATE for every existing user (accounts without a profile get an empty name line)."""
    User = apps.get_model("onboarding", "User")
    Profile = apps.get_model("onboarding", "Profile")
    name = Subquery(Profile.objects.filter(user=OuterRef("pk")).values("real_name")[:1])
    searched = Concat(
        F("username"), Value("\n"), F("email"), Value("\n"), Coalesce(name, Value("")), output_field=models.TextField()
    )
    User.objects.using(schema_editor.connection.alias).update(search_text=searched)


def swap_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite searches small tables by scanning them
        admin_scale.drop_trigram_indexes_on_postgresql(apps, schema_editor)
        create_trigram_indexes(schema_editor.execute)


def restore_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_trigram_indexes(schema_editor.execute)
        admin_scale.create_trigram_indexes_on_postgresql(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("onboarding", "0006_identity_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(swap_trigram_indexes, restore_trigram_indexes),
        # django_admin_log is contrib.admin's table; the same SQL works on SQLite and PostgreSQL.
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {LOG_INDEX} ON django_admin_log (user_id, action_time)",
            f"DROP INDEX IF EXISTS {LOG_INDEX}",
        ),
    ]
