"""Raise the risk of signups whose confirmation link expired unused (run daily, like clearsessions)."""

from django.core.management.base import BaseCommand

from onboarding.review.risk import mark_unconfirmed


class Command(BaseCommand):
    help = "Add the reason 'confirmation link expired' to signups that never confirmed their address in time."

    def handle(self, *args, **options):
        raised = mark_unconfirmed()
        self.stdout.write(f"Raised the risk of {raised} unconfirmed signup(s).")
