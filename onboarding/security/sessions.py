"""Where an account is logged in: a row per session (AccountSession), kept alongside whichever store holds it.

Sessions live in the database (infra/db_sessions.py) or in Redis (infra/sessions.py); neither can list an
account's sessions, so each logged-in session has a row of its own, keyed by the SHA-256 of its key. The
row is written at login, moved along when the session's key changes (a password change cycles it), its
"last active" written at most every ACTIVE_EVERY seconds (the session remembers when it was last written,
so a request in between reads only the session it loads anyway), and deleted when the session ends.

Ending a session is deleting it from its store, which takes the key itself. The row keeps it sealed: XORed
with an HMAC-SHA256 keystream keyed by SECRET_KEY (django.utils.crypto.salted_hmac, with a salt of its
own) over the key's hash, so a copy of the table, without the settings, opens no session; unsealing checks
the result against the hash, and tries SECRET_KEY_FALLBACKS after a rotation.
"""

import base64
import hashlib
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onboarding.models import AccountSession, SecurityEvent
from onboarding.security.browsers import client_of
from onboarding.session_keys import ACCOUNT_SESSION_KEY

# "Last active" is written at most this often per session (seconds).
ACTIVE_EVERY = 5 * 60
SEAL_SALT = "onboarding.security.sessions.sealed-key"


def key_hash(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()


def _keystream(digest, secret, length):
    stream = b""
    block = 0
    while len(stream) < length:
        stream += salted_hmac(SEAL_SALT, f"{digest}:{block}", secret=secret, algorithm="sha256").digest()
        block += 1
    return stream[:length]


def _xor(data, stream):
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(session_key):
    """The session key, encrypted for the row that names it by `key_hash(session_key)`."""
    data = session_key.encode()
    sealed = _xor(data, _keystream(key_hash(session_key), settings.SECRET_KEY, len(data)))
    return base64.urlsafe_b64encode(sealed).decode()


def unseal(sealed, digest):
    """The session key a row keeps, or None when it cannot be read (a secret key no longer in the settings)."""
    try:
        data = base64.urlsafe_b64decode(sealed)
    except ValueError:
        return None
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        candidate = _xor(data, _keystream(digest, secret, len(data)))
        try:
            session_key = candidate.decode("ascii")
        except UnicodeDecodeError:
            continue
        if key_hash(session_key) == digest:
            return session_key
    return None


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


# Writes -----------------------------------------------------------------------------------------------


def start_session(request, user):
    """At login: the row of this session (replacing the one of its key before the login, if any).

    One INSERT for a new login: the key was just made, so no row can have it yet.
    """
    session = request.session
    if not session.session_key:
        session.save()
    now = timezone.now()
    digest = key_hash(session.session_key)
    earlier = (session.get(ACCOUNT_SESSION_KEY) or {}).get("hash")
    if earlier:  # logged in again in a session that was logged in
        AccountSession.objects.filter(key_hash__in={digest, earlier}).delete()
    AccountSession.objects.create(
        user=user,
        key_hash=digest,
        sealed_key=seal(session.session_key),
        started_at=now,
        last_active_at=now,
        **client_of(request),
    )
    session[ACCOUNT_SESSION_KEY] = {"hash": digest, "seen": int(now.timestamp())}


def note_activity(request):
    """After a logged-in request: write "last active" if ACTIVE_EVERY has passed, and follow a new session key.

    Reads only the session (already loaded for this request) when nothing is due: no write per request.
    """
    session = request.session
    if not session.session_key:
        return
    now = timezone.now()
    info = session.get(ACCOUNT_SESSION_KEY) or {}
    digest = key_hash(session.session_key)
    if info.get("hash") == digest and 0 <= now.timestamp() - info.get("seen", 0) < ACTIVE_EVERY:
        return
    changes = {"key_hash": digest, "sealed_key": seal(session.session_key), "last_active_at": now}
    updated = AccountSession.objects.filter(user=request.user, key_hash=info.get("hash") or digest).update(**changes)
    if not updated:  # a session from before this table, or one whose row is gone: listed from now on
        try:
            with transaction.atomic():
                AccountSession.objects.create(user=request.user, started_at=now, **changes, **client_of(request))
        except IntegrityError:
            pass  # a request of the same session running alongside this one listed it first
    session[ACCOUNT_SESSION_KEY] = {"hash": digest, "seen": int(now.timestamp())}


def end(rows):
    """Delete these sessions from their store, then their rows. Returns how many there were."""
    rows = list(rows)
    store = session_store()
    for row in rows:
        session_key = unseal(row.sealed_key, row.key_hash)
        if session_key:
            store().delete(session_key)
    AccountSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def end_sessions(*, user, keep=None):
    """End every session of `user`, except the one whose key is `keep` (the person's own, when they stay)."""
    rows = AccountSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(key_hash=key_hash(keep))
    return end(rows)


@transaction.atomic
def end_sessions_by_staff(*, users, keep=None):
    """A superuser's "End all sessions": every session of these users ends (but `keep`, the key of the
    superuser's own, should they be among them), and each one's security log says so. Returns (sessions
    ended, users who had any)."""
    rows = AccountSession.objects.filter(user__in=users)
    if keep:
        rows = rows.exclude(key_hash=key_hash(keep))
    rows = list(rows)
    owners = sorted({row.user_id for row in rows})
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(user_id=owner, kind="sessions_ended_by_staff") for owner in owners], batch_size=1000
    )
    return end(rows), len(owners)


def end_session(*, user, session_id, keep):
    """End one other session of `user`; 0 when it is not theirs, is already gone, or is the one kept."""
    rows = AccountSession.objects.filter(user=user, pk=session_id).exclude(key_hash=key_hash(keep or ""))
    return end(rows)


def forget_sessions(*, user):
    """Unlist every session of `user`, leaving the stores alone (for sessions that Django ends by itself)."""
    AccountSession.objects.filter(user=user).delete()


def forget_session(request):
    """At logout: the session is flushed by Django; only its row goes here."""
    if request is not None and request.session.session_key:
        AccountSession.objects.filter(key_hash=key_hash(request.session.session_key)).delete()


def forget_expired():
    """Unlist sessions inactive for longer than a session lives (`manage.py clearsessions`, either store)."""
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    AccountSession.objects.filter(last_active_at__lte=since).delete()


# Reads ------------------------------------------------------------------------------------------------


def sessions_of(user, current_key):
    """The account's live sessions, this one first, then the most recently active; each with `is_current`."""
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    current = key_hash(current_key or "")
    rows = list(AccountSession.objects.filter(user=user, last_active_at__gt=since).order_by("-last_active_at"))
    for row in rows:
        row.is_current = row.key_hash == current
    return sorted(rows, key=lambda row: not row.is_current)


class SessionActivityMiddleware:
    """Keep "Where you're logged in" current (note_activity); after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Without a session cookie there was no session before (a login makes its row itself).
        # A request that never read the session (so never asked who the user is) leaves it unread.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.accessed:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                note_activity(request)
        return response


def on_login(sender, request, user, **kwargs):
    """user_logged_in: this session's row, and a "login" in the security log."""
    if request is None or not hasattr(request, "session"):
        return
    from onboarding.security import events

    start_session(request, user)
    events.record(request, user, "login")


def on_logout(sender, request, user, **kwargs):
    """user_logged_out: the session's row goes with it."""
    forget_session(request)
