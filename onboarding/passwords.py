"""The password rules (NIST SP 800-63B-4): NFKC before hashing and checking, length, no blank-looking, not guessable.

No composition rules: any characters, spaces included. Each validator's help text is listed on the form
before typing, and each refusal says which rule failed and what to do.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from zxcvbn import zxcvbn

# Characters a person cannot see: spaces of every width, controls, format characters (zero-width
# space and joiners, direction marks), and marks with nothing to sit on.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Mn", "Me"}
# zxcvbn's score from which a password is not found among common and leaked passwords, names and
# words, their l33t spellings, keyboard patterns, dates and repeats (3: about 10^8 guesses or more).
MIN_SCORE = 3
# A password made only of dictionary words (each of zxcvbn's matches one) needs more than that:
# the famous "correcthorsebatterystaple" is four common words and on every breach list.
MIN_GUESSES_WORDS_ONLY = 10**15
# zxcvbn's time grows fast with length (two seconds at 128 characters; at 40, under a fifth of a
# second, about one Argon2 hash); a password whose first 40 characters are hard to guess is hard to guess.
ZXCVBN_LENGTH = 40


def normalize(password):
    """The form a password is hashed and checked in, so that every way of typing it is the same password."""
    return unicodedata.normalize("NFKC", password)


class NormalizingArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher, NFKC-normalising the password first (the algorithm name is unchanged)."""

    def encode(self, password, salt):
        return super().encode(normalize(password), salt)

    def verify(self, password, encoded):
        # One hash per check, whatever the password: a second try with the password as typed (for hashes made
        # before passwords were normalised) made a password that NFKC changes cost twice as long to check for
        # an existing account as for an unknown username, which told the two apart. Such an old password is
        # set again with "Forgot your password?".
        return super().verify(normalize(password), encoded)


class MinimumLengthValidator:
    """At least SIGNUP_PASSWORD_MIN_LENGTH characters (15 by default; never fewer than 8)."""

    def __init__(self, min_length=None):
        self._min_length = min_length

    @property
    def min_length(self):
        return self._min_length or settings.SIGNUP_PASSWORD_MIN_LENGTH

    def validate(self, password, user=None):
        length = len(normalize(password))
        if length < self.min_length:
            raise ValidationError(
                ngettext(
                    "Your password is %(length)d character long. Make it at least %(min_length)d characters: "
                    "a few words with spaces between them is easy to remember.",
                    "Your password is %(length)d characters long. Make it at least %(min_length)d characters: "
                    "a few words with spaces between them is easy to remember.",
                    length,
                )
                % {"length": length, "min_length": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("At least %(min_length)d characters. Any characters work, spaces too; none are required.") % {
            "min_length": self.min_length
        }


class MaximumLengthValidator:
    """At most 128 characters: NIST asks for at least 64; this keeps a hash's input bounded."""

    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(normalize(password)) > self.max_length:
            raise ValidationError(
                _("Your password is longer than %(max_length)d characters. Shorten it to %(max_length)d or fewer.")
                % {"max_length": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Up to %(max_length)d characters.") % {"max_length": self.max_length}


class VisibleCharactersValidator:
    """Not only spaces or invisible characters."""

    def validate(self, password, user=None):
        if password and all(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in normalize(password)):
            raise ValidationError(
                _("Your password is only spaces or invisible characters. Use letters, digits or symbols you can see."),
                code="password_blank",
            )

    def get_help_text(self):
        return _("Not only spaces or invisible characters.")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check against the username and email address, on the normalised password, saying what to do."""

    def __init__(self, user_attributes=("username", "email"), max_similarity=0.7):
        super().__init__(user_attributes, max_similarity)

    def validate(self, password, user=None):
        super().validate(normalize(password).casefold(), user)

    def get_error_message(self):
        return _("Your password is too similar to your %(verbose_name)s. Choose one that does not resemble it.")

    def get_help_text(self):
        return _("Not like your username or email address.")


class GuessablePasswordValidator:
    """Not on a list of common or leaked passwords, nor easy to guess from one.

    Django's list of 20,000 leaked passwords, then zxcvbn: its dictionaries (30,000 leaked
    passwords, 30,000 English words, 19,000 film and TV words, 15,000 names and surnames) with their
    l33t spellings, reversals, keyboard patterns and dates, and this person's username and email.
    """

    def __init__(self):
        self.common = password_validation.CommonPasswordValidator()

    def validate(self, password, user=None):
        password = normalize(password)
        inputs = [value for value in (getattr(user, "username", ""), getattr(user, "email", "")) if value]
        inputs += [value.split("@")[0] for value in inputs if "@" in value]
        if not password.strip():
            return  # blank-looking: VisibleCharactersValidator says so
        result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=inputs)
        # Spaces between the words add little: "correct horse battery staple" is the same four words.
        words = "".join(password.split())
        joined = result if words == password else zxcvbn(words[:ZXCVBN_LENGTH], user_inputs=inputs)
        words_only = all(match["pattern"] == "dictionary" for match in joined["sequence"])
        if (
            password.casefold().strip() in self.common.passwords
            or result["score"] < MIN_SCORE
            or (words_only and joined["guesses"] < MIN_GUESSES_WORDS_ONLY)
        ):
            raise ValidationError(
                _(
                    "Your password is on a list of common or leaked passwords, or is close to one, so it is easy "
                    "to guess. Choose another: several unrelated words, or words of your own, work well."
                ),
                code="password_guessable",
            )

    def get_help_text(self):
        return _("Not a common or leaked password, nor one easy to guess.")
