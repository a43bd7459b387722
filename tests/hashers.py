"""Test hashers: the site's real Argon2 one that counts how often it hashes, and a fast one for everything else."""

from django.contrib.auth.hashers import MD5PasswordHasher

from onboarding.passwords import NormalizingArgon2PasswordHasher, normalize


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


class FastPasswordHasher(MD5PasswordHasher):
    """Test-only: one MD5 after the site's NFKC step, for the many tests that hash a password without measuring it.

    Argon2 costs a large share of a second of CPU per hash; conftest puts this hasher first for every test
    not marked `argon2`, with the site's own after it so that Argon2 hashes made by a server process still
    check. MD5PasswordHasher.verify hashes again through encode, so it normalises too.
    """

    algorithm = "fast_test_md5"

    def encode(self, password, salt):
        return super().encode(normalize(password), salt)
