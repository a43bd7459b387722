"""The arithmetic of two-step verification: setup keys, six-digit codes (RFC 6238 through pyotp), the QR code,
and recovery codes with their keyed hashes. No database, no request."""

import re
import secrets
import string
import time

import pyotp
import segno
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape

STEP_SECONDS = 30
# Codes from the step before and the step after this one are taken too: a phone's clock a little off, or a
# code typed as it changed.
WINDOW = 1
DIGITS = 6
SECRET_LENGTH = 32  # base32 characters: 160 bits, the size RFC 4226 recommends
RECOVERY_CODES = 10
# Recovery codes: 12 characters of this alphabet (60 bits), no 0/o, 1/l/i or u to misread; shown in groups of 4.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"
RECOVERY_LENGTH = 12
RECOVERY_HASH_SALT = "onboarding.twostep.recovery-code"


def new_secret():
    return pyotp.random_base32(length=SECRET_LENGTH)


def grouped(text, size=4):
    """ "ABCDEFGH..." as "ABCD EFGH ...", for reading and typing."""
    return " ".join(text[start : start + size] for start in range(0, len(text), size))


def plain_code(value):
    """What a person typed or pasted, without the spaces and dashes apps and our pages put in codes."""
    return re.sub(r"[\s\-‐-―]", "", value or "")


def current_step(now=None):
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret, code, *, after_step=0, now=None):
    """The time step, within the window around now and later than `after_step`, whose code is `code`; else None.

    Every candidate is compared in constant time, so the answer's timing does not say which step was near.
    """
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    step = current_step(now)
    found = None
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if constant_time_compare(totp.generate_otp(candidate), code) and candidate > after_step and found is None:
            found = candidate
    return found


def code_at(secret, step):
    """The code of one time step (tests and the load generator compute what an app would show)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def setup_uri(secret, *, account_name, issuer):
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer
    )


def qr_svg(uri, *, label):
    """The QR code of `uri` as an SVG element to put in the page: dark on a light square in either colour scheme,
    drawn with attributes only (no style attribute for the CSP to refuse), named for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", svgclass="two-step-qr")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def new_recovery_codes():
    return ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]


def shown_recovery_code(code):
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


# A recovery code typed in capitals is the same code. ASCII only: these codes are never names or addresses.
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def normal_recovery_code(value):
    return plain_code(value).translate(ASCII_LOWER)


def recovery_hash(code, secret=None):
    """The keyed hash kept for a recovery code: a copy of the table alone is no way in."""
    return salted_hmac(RECOVERY_HASH_SALT, normal_recovery_code(code), secret=secret, algorithm="sha256").hexdigest()


def recovery_hashes(code):
    """The hashes `code` may be stored under: with SECRET_KEY, and with each of SECRET_KEY_FALLBACKS, so that
    rotating the key does not lose anyone's codes."""
    return [recovery_hash(code, key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
