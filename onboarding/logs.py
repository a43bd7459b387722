"""Logging filters: a request refused for the client's fault (4xx) is logged in one line, never a traceback."""

import logging


class OneLineClientErrors(logging.Filter):
    """Drop the traceback from Django's records about a client's error: a 4xx from `django.request`, and the
    `django.security` records (a disallowed host, a suspicious request), which are answered with a 400.

    The traceback tells what the client sent, not a bug of ours, and a flood of them buries the errors that
    matter. 5xx records keep theirs.
    """

    def filter(self, record):
        status = getattr(record, "status_code", None)
        client_error = status is not None and 400 <= status < 500
        if client_error or record.name.startswith("django.security"):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
