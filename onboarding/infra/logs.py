"""Logs without secrets or noise: tokens in paths replaced by [token]; a 4xx in one line, never a traceback.

No Django imports: gunicorn's access logger (config/gunicorn_logging.py) uses `redact` too.
"""

import logging
import re

# The paths of the links we mail (onboarding/urls.py, config/urls.py), up to the token, which is replaced.
TOKEN_PATHS = re.compile(
    r"(/(?:account/email/confirm|email/confirm|signup/resume)/|/password-reset/[^/\s?]+/)(?!set-password/)[^/\s?\"]+"
)


def redact(text):
    """`text` with every token in a mailed link's path replaced by [token]."""
    return TOKEN_PATHS.sub(r"\1[token]", text) if isinstance(text, str) else text


class OneLineClientErrors(logging.Filter):
    """Redact tokens from every record's arguments (Django logs "Bad Request: <path>"), and drop the
    traceback from Django's records about a client's error: a 4xx from `django.request`, and the
    `django.security` records (a disallowed host, a suspicious request), which are answered with a 400.

    The traceback tells what the client sent, not a bug of ours, and a flood of them buries the errors that
    matter. 5xx records keep theirs.
    """

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        status = getattr(record, "status_code", None)
        client_error = status is not None and 400 <= status < 500
        if client_error or record.name.startswith("django.security"):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
