"""A software passkey authenticator, for tests and the load generator: it answers WebAuthn options the way a
browser with a platform authenticator does (attestation "none", ES256), as the JSON our script posts.

Not a mock of our code: py_webauthn checks its answers exactly as it checks a real browser's.
Knobs let tests make the answers a real attacker or a broken device would: another origin, another site,
no user verification, a sign count that goes backwards.
"""

import hashlib
import json
import secrets
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64(data):
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Credential:
    def __init__(self, rp_id, user_handle):
        self.id = secrets.token_bytes(16)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.rp_id = rp_id
        self.user_handle = user_handle
        self.sign_count = 0

    def cose_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


class SoftAuthenticator:
    """Holds discoverable credentials per RP id; `origin` is where the "browser" says the page is."""

    def __init__(self, origin="http://localhost", user_verified=True):
        self.origin = origin
        self.user_verified = user_verified
        self.credentials = []

    def _client_data(self, kind, challenge, origin):
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def _flags(self, extra=0):
        return UP | (UV if self.user_verified else 0) | extra

    def create(self, options, *, origin=None, rp_id=None):
        """Answer navigator.credentials.create(options) (options as our server's JSON)."""
        rp_id = rp_id or options["rp"]["id"]
        credential = Credential(rp_id, options["user"]["id"])
        self.credentials.append(credential)
        attested = b"\0" * 16 + struct.pack(">H", len(credential.id)) + credential.id + credential.cose_key()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags(AT)]) + struct.pack(">I", 0)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data + attested})
        return {
            "id": b64(credential.id),
            "rawId": b64(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(self, options, *, credential=None, origin=None, sign_count=None):
        """Answer navigator.credentials.get(options) with `credential` (default: the last one made)."""
        credential = credential or self.credentials[-1]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        rp_id = options.get("rpId") or credential.rp_id
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags()]) + struct.pack(">I", credential.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(credential.id),
            "rawId": b64(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": credential.user_handle,
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
