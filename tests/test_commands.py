"""seed_signups: demo signups that look real, through the same service as real ones."""

import re
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from onboarding.identities import email_key, username_key
from onboarding.models import Profile, ReviewStatus, User, search_text

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def seed(*args):
    out = StringIO()
    call_command("seed_signups", *args, stdout=out)
    return out.getvalue()


def statuses():
    return {status: Profile.objects.filter(review_status=status).count() for status in ReviewStatus}


def test_without_a_superuser_every_demo_signup_is_pending():
    output = seed("--count", "12")
    assert "Created 12 demo signups: 12 pending, 0 approved, 0 rejected." in output
    assert "createsuperuser" in output
    assert User.objects.count() == 12 and Profile.objects.count() == 12
    assert statuses()[ReviewStatus.PENDING] == 12
    assert LogEntry.objects.count() == 0


@pytest.mark.argon2
def test_demo_signups_look_real_and_share_one_password_hash(admin_user):
    seed("--count", "30")
    signups = User.objects.exclude(pk=admin_user.pk).select_related("profile")
    names = [user.profile.real_name for user in signups]
    assert len(set(names)) == 30
    assert sum(bool(HANGUL.search(name)) for name in names) >= 10  # Korean names among them
    assert any(user.profile.phone.startswith("+82 10 ") for user in signups)
    assert any(user.profile.preferred_name for user in signups)
    assert all(user.email.split("@")[1] in {"example.com", "example.org", "example.net"} for user in signups)
    assert len({user.date_joined.date() for user in signups}) > 5  # spread out, for the date hierarchy
    hashes = {user.password for user in signups}
    assert len(hashes) == 1 and hashes.pop().startswith("argon2$")


def test_with_a_superuser_the_statuses_are_mixed_and_logged(admin_user):
    output = seed("--count", "20")
    assert "Created 20 demo signups: 10 pending, 6 approved, 4 rejected." in output
    assert statuses() == {ReviewStatus.PENDING: 10, ReviewStatus.APPROVED: 6, ReviewStatus.REJECTED: 4}
    decided = Profile.objects.exclude(review_status=ReviewStatus.PENDING)
    assert all(profile.reviewed_by == admin_user and profile.reviewed_at for profile in decided)
    assert LogEntry.objects.filter(user=admin_user).count() == 10
    assert not User.objects.filter(profile__review_status=ReviewStatus.REJECTED, is_active=True).exists()


def test_in_approval_mode_only_approved_demo_signups_are_active_and_nobody_is_emailed(settings, admin_user):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    seed("--count", "10")
    signups = User.objects.filter(profile__isnull=False)
    assert set(signups.filter(is_active=True).values_list("profile__review_status", flat=True)) == {"approved"}
    assert signups.filter(is_active=True).count() == 3
    assert mail.outbox == []


def test_seeding_twice_never_clashes():
    seed("--count", "35")
    seed("--count", "35")
    assert User.objects.count() == 70
    assert len({name.lower() for name in User.objects.values_list("username", flat=True)}) == 70
    assert len({email.lower() for email in User.objects.values_list("email", flat=True)}) == 70
    # Seeding skips User.save() (bulk_create, or SQL on PostgreSQL) and still stores the keys uniqueness compares
    # and what the admin's search reads.
    for user in User.objects.select_related("profile"):
        assert (user.username_key, user.email_key) == (username_key(user.username), email_key(user.email))
        assert user.search_text == search_text(user.username, user.email, user.profile.real_name)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--count", "0"], "--count must be between 1 and 1000000."),
        (["--count", "1000001"], "--count must be between 1 and 1000000."),
        (["--reviewer", "nobody"], "No user named 'nobody'."),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        seed(*args)
    assert User.objects.count() == 0


def test_a_reviewer_without_the_permission_is_refused(django_user_model):
    django_user_model.objects.create_user("helper", "helper@example.com", "x", is_staff=True)
    with pytest.raises(CommandError, match="may not review signups"):
        seed("--reviewer", "helper")
    assert Profile.objects.count() == 0


def test_the_funnel_shows_the_demo_signups_at_once(admin_user):
    from onboarding.funnel import report

    seed("--count", "40")
    shown = sum(row["count"] for row in report.funnel(90)["per_day"])
    joined_before_today = User.objects.filter(profile__isnull=False, date_joined__date__lt=timezone.localdate())
    assert shown >= joined_before_today.count() > 0
