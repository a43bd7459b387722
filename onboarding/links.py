"""The links we email: what each one carries, how it is checked, how long it works, and its full address.

Each link's URL is built here, next to its token, so that every mail and page that names one agrees; pages
and mails say how long a link works from `lifetimes()`, never from a number written in a sentence.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from onboarding.identities import email_key
from onboarding.mail.queue import absolute_url

CONFIRM_EMAIL_SALT = "onboarding.confirm-email"
CONFIRM_EMAIL_MAX_AGE = timedelta(days=3)
CHANGE_EMAIL_MAX_AGE = timedelta(days=3)
RESUME_MAX_AGE = timedelta(days=7)
WAITLIST_CONFIRM_MAX_AGE = timedelta(days=3)


def invitation_max_age():
    """How long an invitation's link works (SIGNUP_INVITATION_DAYS, 14 by default)."""
    return timedelta(days=settings.SIGNUP_INVITATION_DAYS)


def lifetimes():
    """How long each emailed link works, in the unit its sentences use (a password reset's is the setting's)."""
    return {
        "confirm_email_days": CONFIRM_EMAIL_MAX_AGE.days,
        "change_email_days": CHANGE_EMAIL_MAX_AGE.days,
        "resume_days": RESUME_MAX_AGE.days,
        "invitation_days": invitation_max_age().days,
        "waitlist_confirm_days": WAITLIST_CONFIRM_MAX_AGE.days,
        "password_reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }


class LinkExpired(Exception):
    """A genuine link that is too old; `value` is what it carried."""

    def __init__(self, value):
        super().__init__("link expired")
        self.value = value


class LinkInvalid(Exception):
    """A link we did not make, or one that was changed."""


def account_fingerprint(user, email):
    """What a link stays valid with: the account, its password hash and the address the link is about.

    As Django's PasswordResetTokenGenerator does, the link carries only a keyed hash of these, so a new
    password (a change or a reset: whoever held the old one loses their links) or another address voids it,
    and the link shows neither the address nor anything else about the account.
    """
    value = f"{user.pk}\n{user.password}\n{email_key(email)}"
    return salted_hmac("onboarding.links.account", value, algorithm="sha256").hexdigest()[:32]


def fingerprint_matches(user, email, fingerprint):
    return constant_time_compare(account_fingerprint(user, email), fingerprint)


def confirm_email_token(user):
    """Signed, single-purpose, opaque: the user's id and the fingerprint of their password and current address."""
    return signing.dumps([user.pk, account_fingerprint(user, user.email)], salt=CONFIRM_EMAIL_SALT, compress=True)


def read_confirm_email_token(token):
    """(user id, fingerprint) from a confirmation token; LinkExpired after CONFIRM_EMAIL_MAX_AGE, LinkInvalid if
    forged."""
    return read_signed(token, salt=CONFIRM_EMAIL_SALT, max_age=CONFIRM_EMAIL_MAX_AGE, size=2)


def read_signed(token, *, salt, max_age, size):
    """The list a signed token carries, as a tuple of `size` values; LinkExpired when older than `max_age`,
    LinkInvalid when forged, changed, or made for another purpose (another salt)."""
    try:
        value = tuple(signing.loads(token, salt=salt, max_age=max_age))
    except signing.SignatureExpired:
        raise LinkExpired(tuple(signing.loads(token, salt=salt))) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    if len(value) != size:
        raise LinkInvalid
    return value


def new_random_token():
    """A random token for a link that names nothing ("finish later", change email), and the hash that is all
    the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


new_resume_token, resume_token_hash = new_random_token, token_hash


# Full addresses, for mails -------------------------------------------------------------------------------


def confirm_email_url(request, user):
    """The link that confirms `user`'s current address."""
    return absolute_url(request, reverse("onboarding:confirm_email", args=[confirm_email_token(user)]))


def change_email_url(request, token):
    """The link that moves an account to the address of the EmailChange whose token this is."""
    return absolute_url(request, reverse("onboarding:confirm_email_change", args=[token]))


def password_reset_url(request, user):
    """Django's reset link: the user's id and a token that dies with the password or the next login."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(request, reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))


def resume_url(request, token):
    """The "finish later" link of the draft whose token this is."""
    return absolute_url(request, reverse("onboarding:resume", args=[token]))


def site_origin(request):
    """Where the site's links start (SITE_URL, or with DEBUG the host the person used): for links that the mail
    worker makes when it sends, with no request at hand."""
    return absolute_url(request, "/").removesuffix("/")


def invitation_url(origin, token):
    """The link of the invitation whose token this is (made by the mail worker, on `site_origin`)."""
    return origin + reverse("onboarding:invitation", args=[token])


def waitlist_confirm_url(request, token):
    """The link that confirms a place on the waitlist."""
    return absolute_url(request, reverse("onboarding:waitlist_confirm", args=[token]))


def login_url(request):
    """The login page, named in mails that tell someone what to do next (not a link that carries a token)."""
    return absolute_url(request, reverse("login"))


def forgot_password_url(request):
    """The page that asks for a reset link, named in the notices about an address in use."""
    return absolute_url(request, reverse("password_reset"))
