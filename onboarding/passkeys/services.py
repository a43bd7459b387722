"""Every write about passkeys: adding one, recording its use, renaming and removing it (never the last way in)."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from onboarding import funnel
from onboarding.models import Passkey
from onboarding.security.sessions import end_sessions, forget_sessions


def new_user_handle():
    """A WebAuthn user handle: 32 random bytes, base64url, that say nothing about the person."""
    return bytes_to_base64url(secrets.token_bytes(32))


def user_handle_for(user):
    """The handle this user's passkeys share, or a new one for their first."""
    existing = user.passkeys.values_list("user_handle", flat=True).first()
    return existing or new_user_handle()


def reserved_marker(credential_id):
    """What a ReservedUsername keeps instead of a password hash for a passkey signup with a taken address
    (mandatory verification): no hasher reads it, so no password matches it; a passkey login with that
    credential finds it (login/forms.reserved_passkey_refusal)."""
    return "passkey$" + hashlib.sha256(credential_id.encode()).hexdigest()


def find_passkey(credential_id):
    return Passkey.objects.select_related("user").filter(credential_id=credential_id).first()


def add_passkey(*, user, new_passkey, name, made_with=""):
    """Keep a checked registration (ceremony.NewPasskey) as one of this user's passkeys."""
    return Passkey.objects.create(
        user=user,
        credential_id=new_passkey.credential_id,
        user_handle=new_passkey.user_handle,
        public_key=base64url_to_bytes(new_passkey.public_key),
        sign_count=new_passkey.sign_count,
        transports=list(new_passkey.transports),
        backed_up=new_passkey.backed_up,
        name=name[:100],
        made_with=made_with[:100],
    )


def record_use(passkey, sign_count):
    """A login with this passkey: its new sign count and when it was used, in one UPDATE."""
    passkey.sign_count = sign_count
    passkey.last_used_at = timezone.now()
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=sign_count, last_used_at=passkey.last_used_at)


def rename_passkey(passkey, name):
    passkey.name = name[:100]
    passkey.save(update_fields=["name"])


@transaction.atomic
def remove_passkey(passkey):
    passkey.delete()


class LastWayIn(Exception):
    """The passkey is the only way this person can log in: no usable password and no other passkey."""


def is_last_way_in(passkey, *, count=None):
    """Whether removing this passkey would leave its owner no way to log in (`count`: their passkeys, if known)."""
    if passkey.user.has_usable_password():
        return False
    return (passkey.user.passkeys.count() if count is None else count) <= 1


@transaction.atomic
def remove_own_passkey(passkey):
    """Remove a passkey its owner asked to remove, unless it is their last way in (then LastWayIn).

    The owner's row is locked first, so two removals at once (two tabs) cannot each leave the other passkey.
    """
    user = type(passkey.user).objects.select_for_update().get(pk=passkey.user_id)
    passkey.user = user
    if is_last_way_in(passkey):
        raise LastWayIn
    passkey.delete()


def default_name(user, made_with):
    """A name a new passkey starts with: where it was made ("Chrome on Android"), numbered if already used."""
    base = made_with or gettext("Passkey")
    taken = set(user.passkeys.values_list("name", flat=True)) if user.pk else set()
    name, number = base, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name[:100]


@transaction.atomic
def add_passkey_instead_of_password(*, user, new_passkey, name, made_with=""):
    """From a reset link: the new passkey, and the forgotten password (if any) made unusable.

    That changes the password hash, which ends the link (its token includes the hash) and every other
    session, as a new password would; the address counts as confirmed, as after any reset.
    """
    passkey = add_passkey(user=user, new_passkey=new_passkey, name=name, made_with=made_with)
    user.set_unusable_password()
    fields = ["password"]
    if not user.email_verified_at:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
        transaction.on_commit(lambda: funnel.record("confirmed"))
    user.save(update_fields=fields)
    # As after a new password: every session of the account ends (the one here is then logged in anew).
    end_sessions(user=user)
    forget_sessions(user=user)
    return passkey
