# The admin's search reads one column, User.search_text (username, email and full name), with one trigram
# index on PostgreSQL instead of three on two tables; and the admin's "recent actions" read the log through
# an index on (user, time), not by sorting every entry a reviewer ever made.

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat

# The per-column indexes this migration replaces, as 0005 made them, and the one it makes (onboarding/trigram.py's),
# frozen here: a migration must not change with the app's code. (index name, table, column)
PER_COLUMN_INDEXES = [
    ("user_username_trgm", "onboarding_user", "username"),
    ("user_email_trgm", "onboarding_user", "email"),
    ("profile_real_name_trgm", "onboarding_profile", "real_name"),
]
SEARCH_TEXT_INDEXES = [
    ("user_search_text_trgm", "onboarding_user", "search_text"),
]
LOG_INDEX = "admin_log_user_time_idx"


def create_indexes(execute, indexes):
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in indexes:
        execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def drop_indexes(execute, indexes):
    for name, _table, _column in indexes:
        execute(f"DROP INDEX IF EXISTS {name}")


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
        drop_indexes(schema_editor.execute, PER_COLUMN_INDEXES)
        create_indexes(schema_editor.execute, SEARCH_TEXT_INDEXES)


def restore_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_indexes(schema_editor.execute, SEARCH_TEXT_INDEXES)
        create_indexes(schema_editor.execute, PER_COLUMN_INDEXES)


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
