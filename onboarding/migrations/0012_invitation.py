import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0011_email_change_reserved_password"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Invitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254, verbose_name="email address")),
                ("email_key", models.CharField(db_index=True, editable=False, max_length=1000)),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("ko", "Korean")],
                        default="en",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="invited at")),
                (
                    "token_hash",
                    models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires at")),
                ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="opened at")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used at")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                (
                    "invited_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="invited by",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "indexes": [models.Index(fields=["created_at", "id"], name="invitation_created_id_idx")],
            },
        ),
    ]
