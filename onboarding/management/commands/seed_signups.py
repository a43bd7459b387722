"""Create realistic demo signups, from a handful to try the review admin to a million to measure it."""

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from onboarding.identities import email_key, username_key
from onboarding.management import seed_postgres
from onboarding.models import Profile, ReviewStatus, User, search_text
from onboarding.review.services import REVIEW_PERMISSION, log_entry

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
# Past the list above, names are put together from these, so that a million people do not share 30 names.
FAMILY = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"), ("조", "cho")]
SYLLABLES = [
    ("민", "min"),
    ("서", "seo"),
    ("지", "ji"),
    ("현", "hyun"),
    ("우", "woo"),
    ("하", "ha"),
    ("윤", "yoon"),
    ("준", "jun"),
    ("수", "su"),
    ("예", "ye"),
    ("도", "do"),
    ("은", "eun"),
    ("영", "young"),
    ("재", "jae"),
]
FIRST = [
    "Amelia",
    "Oliver",
    "Priya",
    "Mateo",
    "Sofia",
    "Lukas",
    "Aoife",
    "Haruto",
    "Fatima",
    "Wei",
    "Emile",
    "Hannah",
    "Daniel",
    "Ingrid",
    "Rafael",
    "Grace",
    "Noah",
    "Chloe",
    "Arjun",
    "Lena",
]
LAST = [
    "Clarke",
    "Bennett",
    "Raman",
    "Garcia",
    "Rossi",
    "Schmidt",
    "Byrne",
    "Tanaka",
    "Chen",
    "Dubois",
    "Muller",
    "Connor",
    "Johansson",
    "Souza",
    "Okafor",
    "Silva",
    "Novak",
    "Larsen",
    "Moreau",
    "Ito",
]
# Reserved for examples (RFC 2606): nothing is ever delivered there.
DOMAINS = ["example.com", "example.org", "example.net"]
# Half pending, three in ten approved, one in five rejected, spread through the list.
PENDING, APPROVED, REJECTED = ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED
STATUS_CYCLE = [PENDING, APPROVED, PENDING, REJECTED, PENDING, APPROVED, PENDING, PENDING, APPROVED, REJECTED]
REJECTION_NOTES = ["Looks like a duplicate of an older account.", "Answers look automated.", ""]
APPROVAL_NOTES = ["", "", "Known to the team."]
MAX_COUNT = 1_000_000
BATCH = 10_000
# Demo signups joined over this many days before now.
SPREAD_DAYS = 60


def phone_number(rng):
    if rng.random() < 0.3:
        return ""
    if rng.random() < 0.7:
        return f"+82 10 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+44 20 7946 {rng.randint(0, 999):04d}"


def person(number, rng):
    """(full name, preferred name, username stem): the list above first, then made-up combinations."""
    if number < len(PEOPLE):
        return PEOPLE[number]
    if rng.random() < 0.5:
        (family, family_latin), first, second = rng.choice(FAMILY), rng.choice(SYLLABLES), rng.choice(SYLLABLES)
        given = first[0] + second[0]
        return family + given, given if rng.random() < 0.4 else "", f"{first[1]}{second[1]}.{family_latin}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", first if rng.random() < 0.3 else "", f"{first[0]}{last}".lower()


class Command(BaseCommand):
    help = "Create demo signups with varied names, join dates and review statuses."

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=50, help=f"How many signups to create (1-{MAX_COUNT:,}).".replace(",", "_")
        )
        parser.add_argument(
            "--reviewer",
            help="Username of the superuser or reviewer who 'decided' the reviewed ones "
            "(default: the first superuser; without one, every signup stays pending).",
        )

    def handle(self, *args, count, reviewer, **options):
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {MAX_COUNT}.")
        reviewer = self.find_reviewer(reviewer)
        rng = random.Random()
        # One hash for everyone: Argon2 is slow on purpose. Nobody knows the password.
        password_hash = make_password(secrets.token_urlsafe(24))
        if connection.vendor == "postgresql":
            return self.seed_on_postgresql(count, reviewer, password_hash, rng)
        self.taken_usernames = set(User.objects.values_list("username_key", flat=True))
        self.taken_emails = set(User.objects.values_list("email_key", flat=True))
        self.suffixes = {}
        self.log_templates = {}
        tally = {status: 0 for status in ReviewStatus}
        now = timezone.now()
        with self.progress_bar(count) as progress:
            for start in range(0, count, BATCH):
                size = min(BATCH, count - start)
                batch = [self.signup(start + offset, rng, now, reviewer) for offset in range(size)]
                self.write_batch(batch, password_hash, reviewer, now)
                for signup in batch:
                    tally[signup["status"]] += 1
                progress.update(size)
        self.report(count, tally, reviewer)

    def progress_bar(self, count):
        return tqdm(total=count, unit=" signups", disable=count < BATCH, file=self.stderr)

    def seed_on_postgresql(self, count, reviewer, password_hash, rng):
        """The same signups, made by the server in batches (seed_postgres.py)."""
        cycle = STATUS_CYCLE if reviewer else [PENDING]
        # The hand-picked people first, then enough made-up ones that names rarely repeat.
        people = PEOPLE + [person(len(PEOPLE) + number, rng) for number in range(min(count, 5000))]
        messages = {
            status.value: log_entry(reviewer, 0, "", PENDING, status, "").change_message if reviewer else ""
            for status in (APPROVED, REJECTED)
        }
        with self.progress_bar(count) as progress:
            seed_postgres.seed(
                count=count,
                batch=BATCH * 5,
                people=people,
                statuses=cycle,
                domains=DOMAINS,
                spread_days=SPREAD_DAYS,
                password_hash=password_hash,
                reviewer=reviewer,
                messages=messages,
                now=timezone.now(),
                pending_active=not settings.SIGNUP_REQUIRES_APPROVAL,
                progress=progress.update,
            )
        tally = {status: 0 for status in ReviewStatus}
        for number in range(count):
            tally[cycle[number % len(cycle)]] += 1
        self.report(count, tally, reviewer)

    def report(self, count, tally, reviewer):
        # The demo signups joined on past days, which the funnel reads from its roll-up: rebuild it, so the
        # funnel page shows them at once.
        call_command("rebuild_funnel", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {count} demo signups: {tally[PENDING]} pending, "
                f"{tally[APPROVED]} approved, {tally[REJECTED]} rejected."
            )
        )
        if reviewer is None:
            self.stdout.write("Nobody to review them yet: run `manage.py createsuperuser` first for mixed statuses.")

    def signup(self, number, rng, now, reviewer):
        real_name, preferred_name, stem = person(number, rng)
        suffix = self.suffixes.get(stem, 1)
        username = stem if suffix == 1 else f"{stem}{suffix}"
        while username_key(username) in self.taken_usernames:
            suffix += 1
            username = f"{stem}{suffix}"
        self.suffixes[stem] = suffix + 1
        email = f"{username}@{rng.choice(DOMAINS)}"
        while email_key(email) in self.taken_emails:
            email = f"{username}.{secrets.token_hex(2)}@{rng.choice(DOMAINS)}"
        self.taken_usernames.add(username_key(username))
        self.taken_emails.add(email_key(email))
        status = STATUS_CYCLE[number % len(STATUS_CYCLE)] if reviewer else PENDING
        notes = APPROVAL_NOTES if status == APPROVED else REJECTION_NOTES
        return {
            "username": username,
            "email": email,
            "real_name": real_name,
            "preferred_name": preferred_name,
            "phone": phone_number(rng),
            "date_joined": now - timedelta(days=rng.uniform(0, SPREAD_DAYS)),
            "status": status,
            "note": rng.choice(notes) if status != PENDING else "",
        }

    @transaction.atomic
    def write_batch(self, batch, password_hash, reviewer, now):
        """One batch in one transaction: users, then profiles, then a log entry per decision."""
        users = [
            {
                "password": password_hash,
                "is_superuser": False,
                "username": signup["username"],
                "first_name": "",
                "last_name": "",
                "email": signup["email"],
                # bulk_create skips User.save(), which stores the keys the unique constraints compare
                # and what the admin's search reads.
                "username_key": username_key(signup["username"]),
                "email_key": email_key(signup["email"]),
                "search_text": search_text(signup["username"], signup["email"], signup["real_name"]),
                "is_staff": False,
                # As a reviewer's decision would leave it; pending ones as a new signup starts.
                "is_active": signup["status"] == APPROVED
                or (signup["status"] == PENDING and not settings.SIGNUP_REQUIRES_APPROVAL),
                "date_joined": signup["date_joined"],
            }
            for signup in batch
        ]
        ids = [user.pk for user in User.objects.bulk_create(User(**user) for user in users)]
        profiles, entries = [], []
        for user_id, signup in zip(ids, batch):
            decided = signup["status"] != PENDING
            profiles.append(
                {
                    "user_id": user_id,
                    "real_name": signup["real_name"],
                    "preferred_name": signup["preferred_name"],
                    "phone": signup["phone"],
                    "review_status": signup["status"],
                    "reviewed_by_id": reviewer.pk if decided else None,
                    "reviewed_at": now if decided else None,
                    "review_note": signup["note"],
                }
            )
            if decided:
                entries.append(self.log_row(reviewer, user_id, signup, now))
        Profile.objects.bulk_create(Profile(**profile) for profile in profiles)
        LogEntry.objects.bulk_create((LogEntry(**entry) for entry in entries), batch_size=2000)

    def log_row(self, reviewer, user_id, signup, now):
        """The log entry review_signups would write, built once per kind of decision and reused."""
        kind = (signup["status"], signup["note"])
        if kind not in self.log_templates:
            entry = log_entry(reviewer, user_id, signup["username"], PENDING, signup["status"], signup["note"])
            self.log_templates[kind] = {
                "user_id": reviewer.pk,
                "content_type_id": entry.content_type_id,
                "action_flag": entry.action_flag,
                "change_message": entry.change_message,
            }
        return {
            **self.log_templates[kind],
            "action_time": now,
            "object_id": str(user_id),
            "object_repr": signup["username"][:200],
        }

    def find_reviewer(self, username):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            if not user.has_perm(REVIEW_PERMISSION):
                raise CommandError(f"{username!r} may not review signups (needs onboarding.review_signup).")
            return user
        return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
