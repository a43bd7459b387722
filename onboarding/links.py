"""The links we email: what each one carries and how it is checked."""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing

CONFIRM_EMAIL_SALT = "onboarding.confirm-email"
CONFIRM_EMAIL_MAX_AGE = timedelta(days=3)
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
    try:
        return tuple(signing.loads(token, salt=CONFIRM_EMAIL_SALT, max_age=CONFIRM_EMAIL_MAX_AGE))
    except signing.SignatureExpired:
        raise LinkExpired(tuple(signing.loads(token, salt=CONFIRM_EMAIL_SALT))) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None


def new_resume_token():
    """A random token for a "finish later" link, and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, resume_token_hash(token)


def resume_token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()
