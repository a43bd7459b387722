"""Usernames and email addresses compared safely across Unicode: the keys they are unique by, and what is refused.

A key is what two spellings of one name share: NFKC (fullwidth ｅ is e, a composed Ä is the
decomposed one), then casefold (Ä is ä, ß is ss), and for an email address the domain in its IDNA
(xn--) form. Keys are stored beside the values and carry the unique constraints, so SQLite and
PostgreSQL agree. The validators follow django-registration's: confusable look-alikes from other
scripts (Unicode TR39, via confusable_homoglyphs), reserved names, invisible characters.
"""

import unicodedata

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

# Names people could take for the site speaking, or that collide with addresses and paths.
RESERVED_USERNAMES = frozenset(
    """
    abuse account accounts admin administrator api billing contact help hostmaster info login logout mail
    mailer-daemon moderator no-reply noreply null official owner postmaster privacy register root security
    signup site staff superuser support sysadmin system team test undefined webmaster www
    """.split()
)
# Characters nobody sees: spaces, controls, format characters (zero-width space and joiners,
# direction marks) and unassigned or private-use code points.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co"}


def identity_key(value):
    """NFKC, then casefold: the form in which two spellings of a name are the same."""
    return unicodedata.normalize("NFKC", value).casefold()


def username_key(username):
    return identity_key(username)


def email_key(email):
    """The address's key: the local part folded, the domain folded and in IDNA (xn--) form; None when blank."""
    if not email:
        return None
    local, _at, domain = identity_key(email).rpartition("@")
    try:
        domain = punycode(domain)
    except UnicodeError:
        pass  # not a valid domain: the form refuses it; the key only has to be stable
    return f"{local}@{domain}"


def login_name_key(identifier):
    """The key of what a login's one field names (a username, or else an address), as User.objects.for_login
    looks it up: so a name that matches no account is still counted under one key however it is spelled."""
    identifier = (identifier or "").strip()
    return email_key(identifier) if "@" in identifier else username_key(identifier)


def normalize_email(email):
    """The address as stored: NFKC (no fullwidth or compatibility forms), the domain in lower case."""
    local, at, domain = unicodedata.normalize("NFKC", email or "").strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else local + domain


def validate_visible(value):
    if any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value):
        raise ValidationError(
            _("Your username has a space or an invisible character in it. Use only characters you can see."),
            code="invisible",
        )


def validate_not_reserved(value):
    if identity_key(value) in RESERVED_USERNAMES:
        raise ValidationError(
            _("“%(value)s” is kept for the site's own use. Choose a different username."),
            code="reserved",
            params={"value": unicodedata.normalize("NFKC", value)},
        )


def validate_not_confusable(value):
    if confusables.is_dangerous(value):
        raise ValidationError(
            _(
                "Your username mixes letters from different alphabets that look alike, so it could be taken for "
                "someone else's. Use letters from one alphabet."
            ),
            code="confusable",
        )


def validate_email_address(value):
    """A deliverable address on a public domain, not one that impersonates another by look-alike letters."""
    local, at, domain = value.rpartition("@")
    if not at:
        return  # not an address at all: the format check says so
    if '"' in local:
        # "name"@example.com is the mailbox name@example.com (RFC 5321), but its key would not be name's:
        # a second account for one mailbox. Nobody needs quotes in an address they sign up with.
        raise ValidationError(
            _("Type your email address without quotation marks, like name@example.com."),
            code="email_quoted",
        )
    if domain.startswith("[") or "." not in domain.strip("."):
        raise ValidationError(
            _("Use an email address at a domain name with a dot in it, like name@example.com."),
            code="email_domain",
        )
    if confusables.is_dangerous(local) or confusables.is_dangerous(domain):
        raise ValidationError(
            _(
                "Your email address mixes letters from different alphabets that look alike. "
                "Check it and type it again."
            ),
            code="confusable",
        )
