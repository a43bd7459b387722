"""Sessions in the cache (Redis) that fail loudly: a store that does not answer is an outage, not an empty session."""

from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore


class SessionStore(CacheSessionStore):
    """Django's cache session store, except that an error reading the session is raised, not swallowed.

    Django's load() treats any cache error as "no such session": it drops the session key and returns
    an empty session, so a Redis stall logs people out, shows a wizard at step 1 with empty fields and
    replaces the cookie, while the session is still in Redis. Raised instead, the error reaches our 503
    page (onboarding/views/errors.py: Redis errors count as outages) and the response sets no cookie, so
    the next request finds the session again. A key that is simply not there is still a new session.
    """

    @classmethod
    def clear_expired(cls):
        """Redis expires the sessions by itself; `manage.py clearsessions` still unlists the ones that ended so."""
        from onboarding.security.sessions import forget_expired

        forget_expired()

    def load(self):
        session_data = self._cache.get(self.cache_key)
        if session_data is not None:
            return session_data
        self._session_key = None
        return {}
