"""gunicorn's access log without live tokens: the links we mail carry them in their paths."""

import re

from gunicorn import glogging

# The paths of mailed links (onboarding/urls.py, config/urls.py), up to the token, which is replaced.
TOKEN_PATHS = re.compile(
    r"(/(?:account/email/confirm|email/confirm|signup/resume)/|/password-reset/[^/\s?]+/)(?!set-password/)[^/\s?\"]+"
)
REDACTED = r"\1[token]"


def redact(text):
    return TOKEN_PATHS.sub(REDACTED, text) if isinstance(text, str) else text


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with tokens in the request line, the path and the referrer replaced by [token]."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            atoms[key] = redact(atoms[key])
        return atoms
