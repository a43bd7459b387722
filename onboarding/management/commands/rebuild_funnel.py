"""Rebuild the funnel's roll-up from what the database knows: accounts created, decisions, confirmed emails."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from onboarding.models import FunnelDay, Profile, ReviewStatus, User

# The events the database can tell; the others (wizards started, steps, errors, timings) live only in the roll-up.
KNOWN = ("created", "approved", "rejected", "confirmed")


class Command(BaseCommand):
    help = "Rebuild the signup funnel's daily counts of accounts created, approvals, rejections and confirmed emails."

    def handle(self, *args, **options):
        today = timezone.localdate()
        rows = []
        created = User.objects.filter(profile__isnull=False).annotate(day=TruncDate("date_joined"))
        for row in created.values("day", "profile__language").annotate(count=Count("pk")).order_by():
            rows.append(("created", row["day"], row["profile__language"] or "", row["count"]))
        for status in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
            decided = Profile.objects.filter(review_status=status, reviewed_at__isnull=False)
            by_day = decided.annotate(day=TruncDate("reviewed_at")).values("day").annotate(count=Count("pk"))
            for row in by_day.order_by():
                rows.append((str(status), row["day"], "", row["count"]))
        confirmed = User.objects.filter(email_verified_at__isnull=False).annotate(day=TruncDate("email_verified_at"))
        for row in confirmed.values("day").annotate(count=Count("pk")).order_by():
            rows.append(("confirmed", row["day"], "", row["count"]))
        # Today's counts are still in the cache; only finished days are rebuilt.
        rows = [row for row in rows if row[1] < today]
        with transaction.atomic():
            FunnelDay.objects.filter(event__in=KNOWN, day__lt=today).delete()
            FunnelDay.objects.bulk_create(
                FunnelDay(event=event, day=day, language=lang, count=count) for event, day, lang, count in rows
            )
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {len(rows)} daily counts of {', '.join(KNOWN)}."))
