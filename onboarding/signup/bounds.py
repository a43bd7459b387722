"""How much a signup may keep in the session: each answer within its field's limit, sent once, 2 KB in all."""

import json

from django.utils.translation import gettext as _

from onboarding.signup.state import PASSKEY, own_data

# The whole wizard in the session, as UTF-8 JSON. A signup with every answer at a generous length
# fits: long Korean names in every field, a 254-character email address, the password hash.
WIZARD_MAX_BYTES = 2048
# What a field without max_length may keep (the terms checkbox sends "on").
DEFAULT_MAX_LENGTH = 32
# Kept for the password hash and the digest of what it was checked against, stored after the account step's answers.
HASH_ROOM = 128 + 96
# Kept for a passkey not made yet (a signup with a passkey keeps no hash): the public part of an ES256 passkey
# with a 64-byte id, as NewPasskey.as_dict() in JSON. A bigger one is refused when it is made (passkey_fits).
PASSKEY_ROOM = 400


def wizard_bytes(wizard):
    return len(json.dumps(wizard, ensure_ascii=False, separators=(",", ":")).encode())


def refusal(step, form, state):
    """Why the answers posted in this step's form cannot be kept in the signup's state (a SignupState),
    as a sentence for the person, or None when they can."""
    data = dict(own_data(form).lists())
    for name, field in form.fields.items():
        values = data.get(form.add_prefix(name), [])
        label = field.label or name
        if len(values) > 1:
            return _("The page sent “%(label)s” more than once. Reload the page and try again.") % {"label": label}
        limit = getattr(field, "max_length", None) or DEFAULT_MAX_LENGTH
        if values and len(values[0]) > limit:
            return _("“%(label)s” is too long to keep: shorten it to %(limit)d characters or fewer.") % {
                "label": label,
                "limit": limit,
            }
    room = 0 if state.has_way_in else (PASSKEY_ROOM if state.uses_passkey else HASH_ROOM)
    if wizard_bytes(state.with_step_data(step, data)) + room > WIZARD_MAX_BYTES:
        return _("Your answers together are too long to keep. Shorten some of them, then try again.")
    return None


def passkey_fits(state, new_passkey):
    """True when the signup's state (a SignupState) can keep this passkey (a NewPasskey) beside its answers."""
    stored = state.as_stored()
    extra = {**stored.get("extra_data", {}), PASSKEY: new_passkey.as_dict()}
    return wizard_bytes({**stored, "extra_data": extra}) <= WIZARD_MAX_BYTES
