"""Security hardening: usernames and emails unique by their Unicode-safe keys; the shared rate-limit counter table."""

import unicodedata

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations, models
from django.utils.encoding import punycode

COUNTER_TABLE = "onboarding_ratelimit"  # onboarding.infra.cache's table, frozen here


# The keys as onboarding/identities.py makes them, frozen here: a migration must not change with the app's code.
def identity_key(value):
    return unicodedata.normalize("NFKC", value).casefold()


def email_key(email):
    if not email:
        return None
    local, _at, domain = identity_key(email).rpartition("@")
    try:
        domain = punycode(domain)
    except UnicodeError:
        pass
    return f"{local}@{domain}"


def create_counter_table(apps, schema_editor):
    # Made whatever the settings say now, so a site that later runs without Redis has it.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, COUNTER_TABLE, dry_run=False)


def drop_counter_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(COUNTER_TABLE)}")


def fill_keys(apps, schema_editor):
    """Give every existing account its keys; accounts that now clash are named, for a person to resolve."""
    User = apps.get_model("onboarding", "User")
    seen_usernames, seen_emails, clashes = {}, {}, []
    users = list(User.objects.using(schema_editor.connection.alias).order_by("pk"))
    for user in users:
        user.username_key = identity_key(user.username)
        user.email_key = email_key(user.email)
        for key, seen in ((user.username_key, seen_usernames), (user.email_key, seen_emails)):
            if key is not None and key in seen:
                clashes.append(f"{seen[key]} and {user.username} (id {user.pk})")
            seen.setdefault(key, f"{user.username} (id {user.pk})")
    if clashes:
        raise RuntimeError(
            "These accounts share a username or email address once compared safely (case, width, IDNA): "
            + "; ".join(clashes)
            + ". Rename or merge one of each pair, then migrate again."
        )
    manager = User.objects.using(schema_editor.connection.alias)
    manager.bulk_update(users, ["username_key", "email_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("onboarding", "0005_admin_scale"),
    ]

    operations = [
        migrations.RunPython(create_counter_table, drop_counter_table),
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=1000, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=600, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=600),
        ),
        migrations.RemoveConstraint(model_name="user", name="user_username_ci_unique"),
        migrations.RemoveConstraint(model_name="user", name="user_email_ci_unique"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("username_key",), name="user_username_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("email_key",), name="user_email_key_unique"),
        ),
    ]
