"""The site's identity and its text pages: SITE_NAME everywhere, the landing page, terms and privacy."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import step_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    # LocaleMiddleware leaves the last request's language active in this thread; later tests expect English.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def text(response):
    return response.content.decode()


def test_the_site_name_is_in_titles_header_footer_and_admin(client, settings, admin_user):
    settings.SITE_NAME = "Hanbit"
    settings.SITE_TAGLINE = "Books for everyone"
    page = text(client.get("/signup/account/"))
    assert "<title>Account – Step 1 of 3 – Sign up – Hanbit</title>" in page
    assert '<span class="site-mark" aria-hidden="true"></span>Hanbit</a>' in page
    assert '<strong>Hanbit</strong> <span class="text-body-secondary">Books for everyone</span>' in page
    # Django's login view sets its own site_name (the host): the header must still say ours.
    assert "<title>Log in – Hanbit</title>" in text(client.get("/login/"))
    client.force_login(admin_user)
    admin = text(client.get("/admin/"))
    assert "Hanbit administration" in admin and "Django administration" not in admin
    assert "Hanbit 관리" in text(client.get("/admin/", headers={"accept-language": "ko"}))


def test_the_default_name_and_tagline(client):
    page = text(client.get("/"))
    assert "<title>Join – Maru</title>" in page
    assert "Where people gather" in page
    assert "사람들이 모이는 곳" in text(client.get("/", headers={"accept-language": "ko"}))


def test_the_landing_page_has_one_call_to_action_and_says_how_long_it_takes(client):
    page = text(client.get("/"))
    assert "Join Maru" in page
    assert "about two minutes" in page
    assert page.count('class="btn btn-primary') == 1
    # Straight to the first step: GET /signup/ would only redirect there.
    assert 'href="/signup/account/"' in page
    assert "/account/" not in page.replace("/signup/account/", "")  # no link to the account home


def test_a_logged_in_person_is_greeted_and_sent_to_their_account(client, django_user_model):
    user = django_user_model.objects.create_user("minji", "minji@example.com", "x")
    client.force_login(user)
    page = text(client.get("/"))
    assert "Welcome back, minji" in page
    assert page.count('class="btn btn-primary') == 1
    assert page.count(">Your account</a>") == 1  # the page's button, not the header's link as well
    assert 'href="/account/"' in page
    assert 'href="/signup/' not in page
    assert ">Your account</a>" in text(client.get("/terms/"))  # the header's link on other pages


@pytest.mark.parametrize(
    ("url", "language", "heading"),
    [
        ("/terms/", "en", "Terms of use"),
        ("/terms/", "ko", "이용약관"),
        ("/privacy/", "en", "Privacy notice"),
        ("/privacy/", "ko", "개인정보 처리방침"),
    ],
)
def test_terms_and_privacy_in_both_languages(client, url, language, heading):
    page = text(client.get(url, headers={"accept-language": language}))
    assert f'<html lang="{language}">' in page
    assert f"<h1>{heading}</h1>" in page
    assert "Maru" in page


def test_a_site_owner_replaces_the_terms_with_a_template_of_their_own(client, settings, tmp_path):
    own = tmp_path / "onboarding" / "legal"
    own.mkdir(parents=True)
    (own / "terms.en.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Our own terms</h1>{% endblock %}', encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert "<h1>Our own terms</h1>" in text(client.get("/terms/"))
    assert "<h1>이용약관</h1>" in text(
        client.get("/terms/", headers={"accept-language": "ko"})
    )  # one file per language


def test_the_confirm_step_names_what_it_accepts_and_links_the_documents(signup):
    client = signup(until="confirm")
    page = text(client.get("/signup/confirm/"))
    assert "I accept the terms of use" in page
    assert 'href="/terms/" target="_blank" rel="noopener"' in page
    assert 'href="/privacy/" target="_blank" rel="noopener"' in page


def test_the_language_switch_on_a_step_keeps_what_was_typed_without_errors(client):
    client.get("/signup/")
    data = step_data("account", username="minji", email="not an email", password1="", password2="")
    response = client.post("/signup/account/", {**data, "language": "ko", "next": "/signup/account/"})
    assert response.status_code == 302 and response["Location"] == "/signup/account/"
    assert response.cookies["django_language"].value == "ko"
    page = text(client.get("/signup/account/"))
    assert '<html lang="ko">' in page
    assert 'value="minji"' in page and 'value="not an email"' in page
    assert "error-summary" not in page


def test_an_unknown_language_is_refused(client):
    client.get("/signup/")
    response = client.post("/signup/account/", {**step_data("account", username="minji"), "language": "xx"})
    assert response.status_code == 400


def test_start_over_asks_only_when_something_is_stored(signup, client):
    assert client.get("/signup/start-over/")["Location"] == "/signup/"  # nothing to clear
    signup(until="profile")
    page = text(client.get("/signup/start-over/"))
    assert "<h1>Start over?</h1>" in page and "Keep my answers" in page
    data = {**step_data("profile", real_name="Kim Minji"), "wizard_start_over": "1"}
    response = client.post("/signup/profile/", data)
    assert response["Location"] == "/signup/start-over/"
    assert 'value="Kim Minji"' in text(client.get("/signup/profile/"))  # kept, as Back keeps it


def test_the_landing_page_says_what_the_site_is(client, settings):
    assert "Maru is a members&#x27; community." in text(client.get("/"))
    assert "Maru 서비스는 회원들이 모이는 커뮤니티입니다." in text(client.get("/", headers={"accept-language": "ko"}))
    settings.SITE_DESCRIPTION = "Maru lends garden tools between neighbours."
    assert "Maru lends garden tools between neighbours." in text(client.get("/"))


@pytest.mark.parametrize("url", ["/terms/", "/privacy/"])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_documents_name_the_operator_the_contact_and_the_date(client, settings, url, language):
    import datetime

    settings.SITE_OPERATOR = "Maru Co., Ltd."
    settings.SIGNUP_CONTACT_EMAIL = "help@maru.example"
    settings.LEGAL_EFFECTIVE_DATE = datetime.date(2027, 3, 1)
    page = text(client.get(url, headers={"accept-language": language}))
    assert "Maru Co., Ltd." in page and 'href="mailto:help@maru.example"' in page
    assert ("2027년 3월 1일" if language == "ko" else "March 1, 2027") in page


def test_the_korean_privacy_notice_has_the_sections_korean_readers_expect(client):
    page = text(client.get("/privacy/", headers={"accept-language": "ko"}))
    for section in ("보유·이용 기간", "파기 절차 및 방법", "개인정보 보호책임자", "시행일"):
        assert f"{section}</h2>" in page, section
    assert "법률 검토를 받기 전의 견본입니다" in page
