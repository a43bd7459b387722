"""Every write about passkeys: adding one, recording its use, renaming and removing it."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from onboarding.models import Passkey


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
