"""Turn a database or cache that does not answer into our friendly 503 page instead of a 500."""

import logging

from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .views import service_unavailable

logger = logging.getLogger(__name__)

# Outages, not bugs: an IntegrityError or a DataError still goes to the 500 page.
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


class ServiceUnavailableMiddleware:
    """Answer 503 when a view finds the database or the cache down; a retry can succeed later.

    A view that fails this way has written nothing: services.create_account runs in
    one transaction, and the wizard's answers wait in the session untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGES):
            return None
        # The class and message say which service failed; they never hold the person's answers.
        logger.error("Service unavailable during %s %s: %r", request.method, request.path, exception)
        return service_unavailable(request)
