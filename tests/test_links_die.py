"""Links that die with the password and with the address (second review, finding 4), and opaque tokens (10)."""

import base64
import hashlib
import re
import zlib
from urllib.parse import quote, urlparse

import pytest
from django.core import signing
from django.test import Client

from onboarding import links
from onboarding.models import EmailChange, User
from tests.conftest import PASSWORD
from tests.mailserver import link_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple elephant dances 77"
ATTACKER = "attacker@example.net"


def change_password(client, old=PASSWORD, new=NEW_PASSWORD):
    response = client.post("/account/password/", {"current_password": old, "new_password1": new, "new_password2": new})
    assert response["Location"] == "/account/"


def reset_password(email, new=NEW_PASSWORD, *, sent_mail):
    Client().post("/password-reset/", {"email": email})
    browser = Client()
    form = browser.get(urlparse(link_in(sent_mail()[-1].body, "/password-reset/")).path, follow=True)
    response = browser.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/password-reset/done/"


@pytest.mark.parametrize("owner_acts", ["changes the password", "resets the password"])
def test_a_change_email_link_dies_when_the_owner_changes_or_resets_the_password(existing_user, sent_mail, owner_acts):
    # The attacker knows the password and asks to move the address to theirs.
    attacker = Client()
    attacker.post("/login/", {"username": "Taken", "password": PASSWORD})
    attacker.post("/account/email/", {"email": ATTACKER, "current_password": PASSWORD})
    [mail] = [mail for mail in sent_mail() if mail.to == [ATTACKER]]
    link = urlparse(link_in(mail.body, "/account/email/confirm/")).path

    owner = Client()
    owner.force_login(existing_user)
    if owner_acts == "changes the password":
        change_password(owner)
    else:
        reset_password("taken@example.com", sent_mail=sent_mail)
    assert attacker.get("/account/").status_code == 302  # the attacker's session ended

    # Logged out, the attacker opens the mailed link and presses the button.
    stranger = Client()
    page = stranger.get(link)
    assert page.status_code == 400 and "This link is for an old request" in page.content.decode()
    refused = stranger.post(link)
    assert refused.status_code == 400
    existing_user.refresh_from_db()
    assert existing_user.email == "taken@example.com"


def test_a_reset_link_dies_when_the_password_changes_or_the_address_moves(existing_user, sent_mail):
    Client().post("/password-reset/", {"email": "taken@example.com"})
    first = urlparse(link_in(sent_mail()[-1].body, "/password-reset/")).path
    owner = Client()
    owner.force_login(existing_user)
    change_password(owner)
    assert "This link no longer works" in Client().get(first, follow=True).content.decode()

    Client().post("/password-reset/", {"email": "taken@example.com"})
    second = urlparse(link_in(sent_mail()[-1].body, "/password-reset/")).path
    User.objects.filter(pk=existing_user.pk).update(email="moved@example.com")
    assert "This link no longer works" in Client().get(second, follow=True).content.decode()


def test_a_confirmation_link_dies_with_the_password(signup, sent_mail):
    signup(until="done")
    link = urlparse(link_in(sent_mail()[0].body, "/email/confirm/")).path
    user = User.objects.get(username="minji")
    user.set_password(NEW_PASSWORD)
    user.save()
    page = Client().get(link)
    assert page.status_code == 400 and "This link is out of date" in page.content.decode()
    assert Client().post(link).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_confirmation_link_does_not_carry_the_address(signup, sent_mail):
    signup(until="done")
    token = urlparse(link_in(sent_mail()[0].body, "/email/confirm/")).path.split("/")[3]
    payload = token.split(":")[0].lstrip(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    readable = zlib.decompress(raw) if token.startswith(".") else raw
    assert b"@" not in readable and b"minji" not in readable.lower()
    user = User.objects.get(username="minji")
    assert signing.loads(token, salt=links.CONFIRM_EMAIL_SALT)[0] == user.pk


def forms_of(address):
    """The ways a link or a mail could carry an address: as typed, case-folded, percent-quoted, base64."""
    raw = address.encode()
    encoded = {base64.b64encode(raw), base64.urlsafe_b64encode(raw), base64.b64encode(raw.lower())}
    # base64 of a longer payload holding the address at any offset: its three alignments, trimmed.
    for shift in range(3):
        chunk = base64.urlsafe_b64encode(b"\0" * shift + raw)[4:-4]
        encoded |= {chunk, chunk.replace(b"-", b"+").replace(b"_", b"/")}
    return {raw, raw.lower(), quote(address).encode(), quote(address, safe="").encode(), *encoded} | {
        form.rstrip(b"=") for form in encoded
    }


def test_a_change_email_link_and_its_mail_hold_no_form_of_the_new_address(existing_user, sent_mail):
    """Second review, finding 10: the link carries a random token, the database only its hash."""
    client = Client()
    client.force_login(existing_user)
    new = "Minji.Moved@Example.org"
    client.post("/account/email/", {"email": new, "current_password": PASSWORD})
    new = User.objects.normalize_email(new)  # the domain in lower case, as the mail is addressed
    [mail] = [mail for mail in sent_mail() if mail.to == [new]]
    link = link_in(mail.body, "/account/email/confirm/")
    token = urlparse(link).path.split("/")[4]

    message = mail.message()
    del message["To"]
    whole = message.as_bytes()
    for form in forms_of(new) | forms_of("Minji.Moved@Example.org"):
        assert form not in link.encode() and form not in whole.replace(b"\n", b"")
    for alternative in mail.alternatives:
        assert new not in alternative[0].replace(token, "")
    # 32 random bytes and nothing else (a signed token would hold a payload and a signature), and only
    # their SHA-256 is stored.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    # Random bytes may hold an "@" by chance (one token in eight): look for the address itself.
    assert len(decoded) == 32 and b"minji" not in decoded.lower() and b"example" not in decoded.lower()
    change = EmailChange.objects.get(user=existing_user)
    assert change.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(
        list(EmailChange.objects.values_list())
    )
    assert client.post(urlparse(link).path).status_code == 200
    assert User.objects.get(pk=existing_user.pk).email == new
