"""What happens around a change to a person's passkeys, beyond the write itself: the security log and its mail."""

from onboarding.security import events

PASSKEY_ADDED = "passkey_added"
PASSKEY_REMOVED = "passkey_removed"


def passkey_changed(request, user, kind, passkey_name):
    """A passkey was added to or removed from `user`'s account (`kind`: PASSKEY_ADDED or PASSKEY_REMOVED).

    Kept in their security log and mailed to the account's address (security/events.py), which names the
    browser and network of `request`. The passkey's name stays out of the log: it is the person's own words.
    """
    events.record(request, user, kind)
