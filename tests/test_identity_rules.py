"""Usernames and addresses are compared only through onboarding/identities.py (issue 20, "identities everywhere").

A `.lower()` here or an `iexact` there agrees with the identity keys for "Name@Example.com" and disagrees
for "ｎａｍｅ@example.com", "ß" or an xn-- domain: the account found, the limit counted and the link checked
would each see a different person. The scan fails on any such spelling outside the identities module.
"""

import ast
from pathlib import Path

import pytest
from django.test import Client, override_settings

from onboarding.identities import email_key, login_name_key
from onboarding.limits import login_username
from onboarding.models import User
from tests.conftest import PASSWORD

APP = Path(__file__).resolve().parent.parent / "onboarding"

# Where folding text is the rule itself, or folds something that is not a username or an address.
ALLOWED_MODULES = {
    "identities.py": "the identity rules themselves",
    "passwords.py": "passwords are normalised and folded for the password rules, never compared as identities",
}
ALLOWED_CALLS = {
    ("infra/middleware.py", 'response.get("Vary", "").lower()'): "an HTTP header's value, case-insensitive by RFC",
    ("management/commands/seed_signups.py", 'f"{first[0]}{last}".lower()'): "makes a demo username, compares none",
}
FOLDING_METHODS = {"lower", "casefold"}
FOLDING_LOOKUPS = ("__iexact", "__istartswith", "__iendswith")
FOLDING_FUNCTIONS = {"Lower", "Upper"}  # django.db.models.functions: case-folding in SQL, not the keys


def folding_spots(source, filename="<source>"):
    """(line, code) of every case- or Unicode-folding of text in `source` that is not the identities module's."""
    tree = ast.parse(source, filename)
    spots = []
    for node in ast.walk(tree):
        found = False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            owner = node.func.value
            found = method in FOLDING_METHODS or (
                method == "normalize" and isinstance(owner, ast.Name) and owner.id == "unicodedata"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FOLDING_FUNCTIONS:
            found = True
        if isinstance(node, ast.ImportFrom) and node.module == "unicodedata":
            found = any(alias.name == "normalize" for alias in node.names)
        if isinstance(node, ast.keyword) and node.arg and node.arg.endswith(FOLDING_LOOKUPS):
            found = True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(FOLDING_LOOKUPS):
            found = True
        if found:
            spots.append((getattr(node, "lineno", 0), ast.get_source_segment(source, node) or ""))
    return spots


def app_modules():
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        # Migrations keep the rule as it stood when they ran; they never compare at request time.
        if relative.startswith("migrations/") or relative in ALLOWED_MODULES:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_code_outside_identities_folds_usernames_or_addresses_itself():
    found = []
    for relative, source in app_modules():
        for line, code in folding_spots(source, relative):
            if (relative, code) not in ALLOWED_CALLS:
                found.append(f"onboarding/{relative}:{line}: {code}")
    assert not found, (
        "Compare usernames and addresses with onboarding.identities (username_key, email_key, login_name_key) "
        "or User.objects.with_username / with_email / for_login, or add the spot to ALLOWED_CALLS with a "
        "reason:\n" + "\n".join(found)
    )


def test_every_allowed_spot_still_exists():
    # An allow-list entry for code that is gone would quietly allow its next use anywhere in that module.
    sources = dict(app_modules())
    for relative, code in ALLOWED_CALLS:
        assert code in [found for _, found in folding_spots(sources[relative], relative)], (relative, code)


@pytest.mark.parametrize(
    "snippet",
    [
        "email.lower() == other.lower()",
        "name.casefold()",
        "unicodedata.normalize('NFKC', email)",
        "from unicodedata import normalize",
        "User.objects.filter(email__iexact=email)",
        "User.objects.filter(**{'username__iexact': name})",
        "User.objects.annotate(low=Lower('email'))",
    ],
)
def test_the_scan_finds_each_way_of_folding(snippet):
    assert folding_spots(snippet)


# Behaviour that changed when these spots moved to the identity keys -----------------------------------------


@pytest.mark.django_db
def test_changing_to_another_spelling_of_ones_own_address_is_refused_as_the_same_address(client, sent_mail):
    user = User.objects.create_user("straße", "Name@xn--bcher-kva.example", PASSWORD)
    client.force_login(user)
    # Another case and the Unicode form of the xn-- domain: the same mailbox, so not a change at all (a plain
    # .lower() saw two addresses here).
    response = client.post("/account/email/", {"email": "NAME@Bücher.example", "current_password": PASSWORD})
    assert response.status_code == 200
    assert "That is already your email address." in response.content.decode()
    assert sent_mail() == []


@pytest.mark.django_db
def test_a_login_name_that_matches_no_account_is_counted_under_one_key_however_it_is_spelled(rf):
    assert login_name_key("ｎａｍｅ@bücher.example") == login_name_key("NAME@xn--bcher-kva.example")
    assert login_name_key("ｎａｍｅ@bücher.example") == email_key("name@bücher.example")
    assert login_name_key(" Straße ") == login_name_key("STRASSE")

    def key(identifier):
        return login_username(None, rf.post("/login/", {"username": identifier}))

    assert key("nobody@bücher.example") == key("NOBODY@xn--bcher-kva.example")


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT="100/h", LOGIN_USERNAME_RATE_LIMIT="2/h")
def test_the_login_limit_counts_an_unknown_address_in_its_idna_and_unicode_forms_together():
    spellings = ["nobody@bücher.example", "NOBODY@xn--bcher-kva.example", "ｎｏｂｏｄｙ@bücher.example"]
    statuses = [
        Client(REMOTE_ADDR=f"10.0.{n}.1").post("/login/", {"username": name, "password": "wrong"}).status_code
        for n, name in enumerate(spellings)
    ]
    assert statuses == [200, 200, 429]
