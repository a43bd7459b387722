"""The two WebAuthn ceremonies, through py_webauthn: options for the browser, then checking its answer.

Each ceremony's challenge is kept in the session for a few minutes under the purpose it was made for, and
is spent by the first answer checked against it, right or wrong: an answer cannot be replayed, and a
challenge made to log in cannot make a passkey. Nothing here writes to the database (services.py does).
"""

import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import webauthn
from django.conf import settings
from django.utils.translation import gettext as _
from webauthn.helpers import bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from onboarding.session_keys import PASSKEY_CHALLENGE

# How long the browser has to answer (the ceremony's own timeout is the same).
CHALLENGE_SECONDS = 300
REGISTER = "register"
LOG_IN = "login"


class PasskeyError(Exception):
    """The browser's answer was refused; `message` says why, in words for the person."""

    def __init__(self, message, *, reason=""):
        super().__init__(reason or message)
        self.message = message
        self.reason = reason  # for the log, never shown


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origin: str


def relying_party(request):
    """This site as WebAuthn sees it: the host of SITE_URL (else of the request), and SITE_NAME."""
    origin = settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
    return RelyingParty(id=urlsplit(origin).hostname, name=settings.SITE_NAME, origin=origin)


@dataclass(frozen=True)
class NewPasskey:
    """A registration that checked out: what to keep of the credential (the public part only).

    Plain strings and numbers, so that it can wait in the signup wizard's session state as JSON.
    """

    credential_id: str  # base64url
    public_key: str  # base64url of the COSE key
    sign_count: int
    user_handle: str  # base64url
    transports: list = field(default_factory=list)
    backed_up: bool = False

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def _remember_challenge(request, purpose, challenge):
    request.session[PASSKEY_CHALLENGE] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "until": time.time() + CHALLENGE_SECONDS,
    }


def _spend_challenge(request, purpose):
    """The challenge this session was given for `purpose`, removed so that it works once; else refuse."""
    kept = request.session.pop(PASSKEY_CHALLENGE, None)
    if not kept or kept.get("purpose") != purpose or kept.get("until", 0) < time.time():
        raise PasskeyError(
            _("That took too long, or the page was opened twice. Try again."), reason="no live challenge"
        )
    return webauthn.base64url_to_bytes(kept["challenge"])


def _descriptors(credential_ids):
    return [PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c)) for c in credential_ids]


def begin_registration(request, *, user_name, display_name, user_handle, exclude=()):
    """Options for navigator.credentials.create(), as JSON-ready data: a discoverable passkey, verified user.

    `user_handle` is the base64url of random bytes (services.new_user_handle); `exclude` the credential ids
    this person already has, so an authenticator does not make a second one.
    """
    rp = relying_party(request)
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user_name,
        user_display_name=display_name or user_name,
        user_id=webauthn.base64url_to_bytes(user_handle),
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(exclude),
    )
    _remember_challenge(request, REGISTER, options.challenge)
    return options_to_json_dict(options)


def finish_registration(request, response, *, user_handle):
    """Check the browser's answer to begin_registration; return the NewPasskey, or raise PasskeyError."""
    challenge = _spend_challenge(request, REGISTER)
    rp = relying_party(request)
    try:
        verified = webauthn.verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, TypeError, KeyError) as error:
        raise PasskeyError(
            _("Your device's answer could not be checked, so no passkey was made. Try again."), reason=str(error)
        ) from error
    transports = []
    if isinstance(response, dict):
        known = {t.value for t in AuthenticatorTransport}
        transports = [t for t in (response.get("response") or {}).get("transports") or [] if t in known]
    return NewPasskey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        user_handle=user_handle,
        transports=transports,
        backed_up=verified.credential_backed_up,
    )


def begin_authentication(request, *, allow=()):
    """Options for navigator.credentials.get(); with no `allow`, any passkey of this site (discoverable)."""
    rp = relying_party(request)
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(allow),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _remember_challenge(request, LOG_IN, options.challenge)
    return options_to_json_dict(options)


def finish_authentication(request, response, *, find_passkey):
    """Check the browser's answer to begin_authentication.

    `find_passkey(credential_id)` returns the stored Passkey or None. Returns (passkey, new_sign_count);
    raises PasskeyError for an unknown passkey, a wrong origin or site, a replay, a missing user
    verification or a sign count that went backwards (a cloned authenticator).
    """
    challenge = _spend_challenge(request, LOG_IN)
    refused = _("That passkey could not be used. Try again, or log in another way.")
    credential_id = response.get("id") if isinstance(response, dict) else None
    passkey = find_passkey(credential_id) if isinstance(credential_id, str) and credential_id else None
    if passkey is None:
        raise PasskeyError(
            _("This site does not know that passkey. It may have been removed. Log in another way."),
            reason="unknown credential",
        )
    handle = (response.get("response") or {}).get("userHandle")
    if handle and handle != passkey.user_handle:
        raise PasskeyError(refused, reason="user handle does not match")
    rp = relying_party(request)
    try:
        verified = webauthn.verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, TypeError, KeyError) as error:
        raise PasskeyError(refused, reason=str(error)) from error
    return passkey, verified.new_sign_count
