"""A person managing their own account: details, email address, password, deletion. One transaction per change."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onboarding import links
from onboarding.identities import email_key
from onboarding.mail.queue import queue_mail
from onboarding.models import EmailChange, Profile, SignupDraft, User
from onboarding.security.sessions import end_sessions


@transaction.atomic
def update_details(*, user, real_name, preferred_name="", phone="", language, time_zone=None):
    """Replace the profile answers given at signup, the language of our mail to the person and their time zone."""
    zone = {} if time_zone is None else {"time_zone": time_zone}
    Profile.objects.filter(user=user).update(
        real_name=real_name, preferred_name=preferred_name, phone=phone, language=language, **zone
    )
    User.objects.set_searched_name(user.pk, real_name)


@transaction.atomic
def change_password(*, user, password, keep_session=None):
    """Set a new password and end every session but `keep_session` (the key of the one that changed it)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user=user, keep=keep_session)


@transaction.atomic
def delete_account(*, user):
    """Delete the user, everything that cascades from them (profile), and unfinished signups with their address.

    The admin history about them stays, for the reviewers' record, but names the account only by its id.
    """
    types = ContentType.objects.get_for_models(User, Profile, for_concrete_models=False)
    about_them = Q(content_type=types[User], object_id=str(user.pk))
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        about_them |= Q(content_type=types[Profile], object_id=str(profile.pk))
    LogEntry.objects.filter(about_them).update(object_repr=f"deleted account #{user.pk}")
    keep_decisions_of(user=user)
    # By the address's key, as the draft keeps it (any spelling typed). A used link's row keeps only what
    # refuses the old copies of its signup: the address goes.
    drafts = SignupDraft.objects.filter(email_key=email_key(user.email))
    drafts.filter(used_at__isnull=True).delete()
    drafts.update(email="", email_key="")
    # The rows outlive the account (their links say it is gone) but forget the address asked for.
    EmailChange.objects.filter(user=user).update(email="", email_key="")
    end_sessions(user=user)
    user.delete()


DELETED_STAFF_NAME = "deleted staff #{pk}"


@transaction.atomic
def keep_decisions_of(*, user):
    """Before `user` is deleted: move the admin history of what they did, and the "reviewed by" of the
    signups they decided, to a stand-in account, so that the reviewers' record keeps every decision.

    Django's LogEntry.user cascades, so deleting a reviewer would silently delete the log of their
    approvals and rejections (and "reviewed by" would go blank). The stand-in, "deleted staff #<id>",
    keeps one name for all of one person's decisions; it cannot log in (inactive, no usable password,
    not staff) and no signup can take its name (usernames have no spaces). Returns it, or None when
    there was nothing to keep.
    """
    if not (LogEntry.objects.filter(user=user).exists() or Profile.objects.filter(reviewed_by=user).exists()):
        return None
    stand_in, _created = User.objects.get_or_create(
        username=DELETED_STAFF_NAME.format(pk=user.pk),
        defaults={"email": "", "is_active": False, "password": make_password(None)},
    )
    LogEntry.objects.filter(user=user).update(user=stand_in)
    Profile.objects.filter(reviewed_by=user).update(reviewed_by=stand_in)
    return stand_in


@transaction.atomic
def start_email_change(*, user, new_email):
    """Record a request to move `user` to `new_email` and return the random token its link carries.

    The request holds the fingerprint of the account's password and current address, so it dies with
    either; older requests of the account are out of date from now on (see email_change_problem).
    Rows long expired are cleared here, a cheap indexed delete, so the table does not grow.
    """
    now = timezone.now()
    EmailChange.objects.filter(expires_at__lt=now - links.CHANGE_EMAIL_MAX_AGE).delete()
    token, token_hash = links.new_random_token()
    EmailChange.objects.create(
        user=user,
        email=new_email,
        email_key=email_key(new_email),
        token_hash=token_hash,
        fingerprint=links.account_fingerprint(user, user.email),
        expires_at=now + links.CHANGE_EMAIL_MAX_AGE,
    )
    return token


def find_email_change(token):
    """The request a link's token names, or None (a token we did not make, or cut short)."""
    return EmailChange.objects.select_related("user").filter(token_hash=links.token_hash(token)).first()


def email_change_problem(change, user):
    """Why `change` cannot move `user` (None when it can): "used" when the account already has its address,
    "old" when the password or address changed since, a newer request was made, or it was used."""
    if user.email_key == change.email_key:
        return "used"
    newer = EmailChange.objects.filter(user=user, pk__gt=change.pk).exists()
    if change.used_at or newer or not links.fingerprint_matches(user, user.email, change.fingerprint):
        return "old"
    return None


def request_email_change(*, user, new_email, confirm_url):
    """Mail the link that confirms `new_email` to that address; nothing changes until it is opened."""
    queue_mail(
        "change_email",
        to=new_email,
        language=user.mail_language,
        context={
            "name": user.greeting_name,
            "username": user.get_username(),
            "confirm_url": confirm_url,
            "days": links.lifetimes()["change_email_days"],
        },
    )


def send_email_in_use_notice(*, owner, login_url, reset_url):
    """Tell the owner of an address that another account asked to move to it (mandatory verification mode,
    where the person asking is not told the address has an account)."""
    queue_mail(
        "email_in_use",
        to=owner.email,
        language=owner.mail_language,
        context={
            "name": owner.greeting_name,
            "username": owner.get_username(),
            "login_url": login_url,
            "reset_url": reset_url,
        },
    )


@transaction.atomic
def change_email(*, change_id):
    """Move the account to the address of the request `change_id` (confirmed by its link); `previous_email` on the
    returned user is the old one, which the view notifies (security/events.py).

    Returns the user, or None when the request can no longer be used (email_change_problem, checked again
    under the user's lock). Raises IntegrityError when another account took the address meanwhile.
    """
    change = EmailChange.objects.filter(pk=change_id, user__isnull=False).first()
    if change is None:
        return None
    user = User.objects.select_for_update(of=("self",)).select_related("profile").filter(pk=change.user_id).first()
    if user is None or email_change_problem(change, user):
        return None
    new_email = change.email
    EmailChange.objects.filter(pk=change.pk).update(used_at=timezone.now())
    previous = user.email
    user.email = new_email
    user.email_verified_at = timezone.now()  # opening the link proved the address
    user.save(update_fields=["email", "email_verified_at"])
    # The notice to the old address is the security log's (security/events.py), sent by the view.
    user.previous_email = previous
    return user
