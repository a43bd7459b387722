from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0012_invitation"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitlistEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254, verbose_name="email address")),
                ("email_key", models.CharField(editable=False, max_length=1000, unique=True)),
                ("name", models.CharField(blank=True, max_length=150, verbose_name="name")),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("ko", "Korean")],
                        default="en",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="joined at")),
                (
                    "token_hash",
                    models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
                ),
                ("token_expires_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed at")),
                ("invited_at", models.DateTimeField(blank=True, null=True, verbose_name="invited at")),
            ],
            options={
                "verbose_name": "waitlist entry",
                "verbose_name_plural": "waitlist",
                "indexes": [models.Index(fields=["created_at", "id"], name="waitlist_created_id_idx")],
            },
        ),
    ]
