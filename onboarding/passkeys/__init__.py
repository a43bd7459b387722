"""Passkeys (WebAuthn): the ceremonies, the stored credentials, and the pages that use them."""
