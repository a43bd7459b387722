"""The site's real Argon2 hasher that counts how often it hashes, for tests that count hashes."""

from onboarding.passwords import NormalizingArgon2PasswordHasher


class CountingArgon2PasswordHasher(NormalizingArgon2PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)
