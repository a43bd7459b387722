"""Delete "finish later" drafts whose 7 days are over (run daily, like clearsessions)."""

from django.core.management.base import BaseCommand

from onboarding.signup.drafts import clear_expired_drafts


class Command(BaseCommand):
    help = 'Delete expired signup drafts (the answers behind "Email me a link to finish later" links).'

    def handle(self, *args, **options):
        deleted = clear_expired_drafts()
        self.stdout.write(f"Deleted {deleted} expired signup draft(s).")
