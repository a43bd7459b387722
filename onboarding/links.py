"""The links we email: what each one carries and how it is checked."""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing

CONFIRM_EMAIL_SALT = "onboarding.confirm-email"
CONFIRM_EMAIL_MAX_AGE = timedelta(days=3)
CHANGE_EMAIL_SALT = "onboarding.change-email"
CHANGE_EMAIL_MAX_AGE = timedelta(days=3)
RESUME_MAX_AGE = timedelta(days=7)


class LinkExpired(Exception):
    """A genuine link that is too old; `value` is what it carried."""

    def __init__(self, value):
        super().__init__("link expired")
        self.value = value


class LinkInvalid(Exception):
    """A link we did not make, or one that was changed."""


def confirm_email_token(user):
    """Signed, single-purpose: names the user and the address it confirms, so a changed address voids it."""
    return signing.dumps([user.pk, user.email.lower()], salt=CONFIRM_EMAIL_SALT, compress=True)


def read_confirm_email_token(token):
    """(user id, email) from a confirmation token; LinkExpired after three days, LinkInvalid if forged."""
    return read_signed(token, salt=CONFIRM_EMAIL_SALT, max_age=CONFIRM_EMAIL_MAX_AGE, size=2)


def change_email_token(user, new_email):
    """Signed, single-purpose: the user, the address they have now and the one to move to. Once the account
    has moved (or moved elsewhere), the current address no longer matches, so the link works once."""
    return signing.dumps([user.pk, user.email.lower(), new_email], salt=CHANGE_EMAIL_SALT, compress=True)


def read_change_email_token(token):
    """(user id, current email, new email) from a change-email token; LinkExpired after three days."""
    return read_signed(token, salt=CHANGE_EMAIL_SALT, max_age=CHANGE_EMAIL_MAX_AGE, size=3)


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


def new_resume_token():
    """A random token for a "finish later" link, and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, resume_token_hash(token)


def resume_token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()
