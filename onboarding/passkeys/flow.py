"""What happens around a change to a person's passkeys, beyond the write itself."""

import logging

logger = logging.getLogger(__name__)

PASSKEY_ADDED = "passkey_added"
PASSKEY_REMOVED = "passkey_removed"


def passkey_changed(request, user, kind, passkey_name):
    """A passkey was added to or removed from `user`'s account (`kind`: PASSKEY_ADDED or PASSKEY_REMOVED).

    For now only logged (the user's id, never their name or the passkey's); the mail that tells the account's
    address is wired here.
    """
    logger.info("Passkey change: %s (user %s)", kind, user.pk)
