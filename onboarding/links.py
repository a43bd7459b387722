"""The links we email: what each one carries and how it is checked."""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from onboarding.identities import email_key

CONFIRM_EMAIL_SALT = "onboarding.confirm-email"
CONFIRM_EMAIL_MAX_AGE = timedelta(days=3)
CHANGE_EMAIL_MAX_AGE = timedelta(days=3)
RESUME_MAX_AGE = timedelta(days=7)


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
    """(user id, fingerprint) from a confirmation token; LinkExpired after three days, LinkInvalid if forged."""
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
