"""The site's real Argon2 hasher that counts how often it hashes, for tests that count hashes."""

from onboarding.passwords import NormalizingArgon2PasswordHasher


class CountingArgon2PasswordHasher(NormalizingArgon2PasswordHasher):
    calls = 0  # passwords hashed (make_password, set_password)
    checks = 0  # passwords checked against a stored hash (check_password)

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        type(self).checks += 1
        return super().verify(password, encoded)

    @classmethod
    def reset(cls):
        cls.calls = cls.checks = 0

    @classmethod
    def work(cls):
        """Argon2 computations of either kind: each costs the same time."""
        return cls.calls + cls.checks
