"""An invitation in a real Chromium: invited in the admin, mailed over real SMTP, opened and finished in English and
Korean with the address proven; the pages on the way, and the invitation-only page, pass axe."""

import pytest

from onboarding.models import Invitation, InvitationStatus, User
from tests.browser.conftest import assert_fits_width, assert_no_axe_violations, fill_profile, submit
from tests.conftest import PASSWORD
from tests.mailserver import link_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "mode": "Signup is by invitation",
        "subject": "You are invited to sign up to Maru",
        "invited": "You are invited to Maru",
        "accept": "Accept the invitation",
        "create": "Create account",
        "terms": "I accept the terms",
        "used": "This invitation has already been used",
    },
    "ko": {
        "mode": "초대받은 분만 회원가입할 수 있습니다",
        "subject": "[Maru] 회원가입 초대",
        "invited": "Maru에 초대받으셨습니다",
        "accept": "초대 수락",
        "create": "계정 만들기",
        "terms": "이용약관에 동의합니다",
        "used": "이미 사용한 초대입니다",
    },
}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_invitation_is_sent_from_the_admin_and_finished_in_the_browser(
    page_in, smtp_server, sent_mail, settings, language
):
    settings.SIGNUP_MODE = "invite"
    words = WORDS[language]
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    admin = page_in("en")
    admin.goto("/admin/login/")
    admin.fill("#id_username", "boss")
    admin.fill("#id_password", PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.goto("/admin/onboarding/invitation/add/")
    admin.get_by_label("Email addresses").fill("minji@example.com\n")
    admin.get_by_label("Language of the invitation").select_option(language)
    admin.get_by_role("button", name="Send invitations").click()
    admin.wait_for_url("**/admin/onboarding/invitation/")
    assert "Invited 1 address." in admin.locator("body").inner_text()

    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert message["Subject"].strip() == words["subject"]
    link = link_in(text_of(message), "/signup/invitation/")

    person = page_in(language, viewport={"width": 375, "height": 800})
    person.goto("/signup/")
    assert person.get_by_role("heading", level=1).inner_text() == words["mode"]
    assert_no_axe_violations(person)
    assert_fits_width(person)

    person.goto(link)
    assert person.get_by_role("heading", level=1).inner_text() == words["invited"]
    assert_no_axe_violations(person)
    person.get_by_role("button", name=words["accept"]).click()
    person.wait_for_url("**/signup/account/")
    assert person.locator("#id_account-email").input_value() == "minji@example.com"
    assert_no_axe_violations(person)
    assert_fits_width(person)
    person.fill("#id_account-username", "minji")
    person.fill("#id_account-password1", PASSWORD)
    person.fill("#id_account-password2", PASSWORD)
    submit(person)
    person.wait_for_url("**/signup/profile/")
    fill_profile(person)
    submit(person)
    person.wait_for_url("**/signup/confirm/")
    person.get_by_label(words["terms"]).check()
    person.get_by_role("button", name=words["create"]).click()
    person.wait_for_url("**/signup/done/")
    user = User.objects.get(username="minji")
    assert user.email_verified_at is not None and user.profile.language == language
    assert Invitation.objects.get().status == InvitationStatus.USED

    again = page_in(language)
    response = again.goto(link)
    assert response.status == 400
    assert again.get_by_role("heading", level=1).inner_text() == words["used"]
    assert_no_axe_violations(again)
