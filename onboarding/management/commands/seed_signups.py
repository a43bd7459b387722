"""Create realistic demo signups, so that the review admin can be tried in a minute."""

import random
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower
from django.utils import timezone

from onboarding import services
from onboarding.models import ReviewStatus, User

# (full name, preferred name, username stem)
PEOPLE = [
    ("김민지", "민지", "minji.kim"),
    ("이서준", "", "seojun"),
    ("박지우", "지우", "jiwoo.park"),
    ("최예은", "", "yeeun_choi"),
    ("정하윤", "하윤", "hayoon"),
    ("강도현", "", "dohyun.kang"),
    ("윤서연", "서연", "seoyeon"),
    ("장민준", "", "minjun.jang"),
    ("임수아", "수아", "sua.lim"),
    ("한지호", "", "jiho_han"),
    ("Kim Minseo", "Minseo", "minseo"),
    ("Lee Jiwon", "", "jiwon.lee"),
    ("Park Hyunwoo", "Hyunwoo", "hwpark"),
    ("Amelia Clarke", "Millie", "ameliac"),
    ("Oliver Bennett", "", "obennett"),
    ("Priya Raman", "Priya", "priya.r"),
    ("Mateo García", "", "mateo.garcia"),
    ("Sofia Rossi", "", "sofiarossi"),
    ("Lukas Schmidt", "Luke", "lukas.s"),
    ("Aoife Byrne", "", "aoifeb"),
    ("Nguyễn Thị Lan", "Lan", "lan.nguyen"),
    ("Tanaka Haruto", "Haruto", "haruto"),
    ("Fatima Al-Sayed", "", "fatima.alsayed"),
    ("Chen Wei", "", "chenwei"),
    ("Olusegun Adeyemi", "Segun", "segun.a"),
    ("Émile Dubois", "", "emile.dubois"),
    ("Hannah Müller", "", "hannah.m"),
    ("Daniel O'Connor", "Dan", "danoc"),
    ("Ingrid Johansson", "", "ingridj"),
    ("Rafael Souza", "Rafa", "rsouza"),
]
# Reserved for examples (RFC 2606): nothing is ever delivered there.
DOMAINS = ["example.com", "example.org", "example.net"]
# Half pending, three in ten approved, one in five rejected, spread through the list.
PENDING, APPROVED, REJECTED = ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED
STATUS_CYCLE = [PENDING, APPROVED, PENDING, REJECTED, PENDING, APPROVED, PENDING, PENDING, APPROVED, REJECTED]
REJECTION_NOTES = ["Looks like a duplicate of an older account.", "Answers look automated.", ""]
APPROVAL_NOTES = ["", "", "Known to the team."]


def phone_number(rng):
    if rng.random() < 0.3:
        return ""
    if rng.random() < 0.7:
        return f"+82 10 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+44 20 7946 {rng.randint(0, 999):04d}"


class Command(BaseCommand):
    help = "Create demo signups with varied names, join dates and review statuses."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=50, help="How many signups to create (1-1000).")
        parser.add_argument(
            "--reviewer",
            help="Username of the superuser or reviewer who 'decided' the reviewed ones "
            "(default: the first superuser; without one, every signup stays pending).",
        )

    def handle(self, *args, count, reviewer, **options):
        if not 1 <= count <= 1000:
            raise CommandError("--count must be between 1 and 1000.")
        reviewer = self.find_reviewer(reviewer)
        rng = random.Random()
        # One hash for everyone: Argon2 is slow on purpose. Nobody knows the password.
        password_hash = make_password(secrets.token_urlsafe(24))
        taken_usernames = set(User.objects.values_list(Lower("username"), flat=True))
        taken_emails = set(User.objects.values_list(Lower("email"), flat=True))
        now = timezone.now()
        tally = {status: 0 for status in ReviewStatus}

        for number in range(count):
            real_name, preferred_name, stem = PEOPLE[number % len(PEOPLE)]
            username, suffix = stem, 1
            while username.lower() in taken_usernames:
                suffix += 1
                username = f"{stem}{suffix}"
            email = f"{username}@{rng.choice(DOMAINS)}"
            while email.lower() in taken_emails:
                email = f"{username}.{secrets.token_hex(2)}@{rng.choice(DOMAINS)}"
            taken_usernames.add(username.lower())
            taken_emails.add(email.lower())
            user = services.create_account(
                username=username,
                email=email,
                password_hash=password_hash,
                real_name=real_name,
                preferred_name=preferred_name,
                phone=phone_number(rng),
                date_joined=now - timedelta(days=rng.uniform(0, 60)),
            )
            status = STATUS_CYCLE[number % len(STATUS_CYCLE)] if reviewer else PENDING
            if status != PENDING:
                notes = APPROVAL_NOTES if status == APPROVED else REJECTION_NOTES
                services.review_signups(
                    users=[user], status=status, reviewer=reviewer, note=rng.choice(notes), notify=False
                )
            tally[status] += 1

        self.stdout.write(
            self.style.SUCCESS(
                f"Created {count} demo signups: {tally[PENDING]} pending, "
                f"{tally[APPROVED]} approved, {tally[REJECTED]} rejected."
            )
        )
        if reviewer is None:
            self.stdout.write("Nobody to review them yet: run `manage.py createsuperuser` first for mixed statuses.")

    def find_reviewer(self, username):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            if not user.has_perm(services.REVIEW_PERMISSION):
                raise CommandError(f"{username!r} may not review signups (needs onboarding.review_signup).")
            return user
        return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
