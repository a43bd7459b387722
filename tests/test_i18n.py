"""Languages through Django's test client: Accept-Language, the switch, and Korean labels of our models."""

import pytest
from django.utils import translation

from onboarding.models import Profile, User
from tests.conftest import WIZARD_KEY, step_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept_language", "lang", "heading"),
    [
        ("ko-KR,ko;q=0.9,en;q=0.8", "ko", "Maru 가입하기"),
        ("en-GB,en;q=0.9", "en", "Join Maru"),
        ("fr", "en", "Join Maru"),
    ],
)
def test_the_language_follows_accept_language(client, accept_language, lang, heading):
    page = client.get("/", headers={"accept-language": accept_language}).content.decode()
    assert f'<html lang="{lang}">' in page
    assert heading in page


def test_switching_language_keeps_the_wizard_and_its_step(signup):
    client = signup(until="profile")
    stored = client.session[WIZARD_KEY]

    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/signup/profile/"})
    assert response.status_code == 302 and response["Location"] == "/signup/profile/"

    page = client.get("/signup/profile/").content.decode()
    assert '<html lang="ko">' in page
    assert "<title>프로필 – 3단계 중 2단계 – 회원가입 – Maru</title>" in page
    assert client.session[WIZARD_KEY]["step_data"] == stored["step_data"]
    assert client.get("/signup/")["Location"] == "/signup/profile/"


def test_the_switch_refuses_to_send_people_to_another_site(client):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_korean_change_links_put_the_answer_before_the_verb(signup):
    client = signup(until="confirm")
    page = client.get("/signup/confirm/", headers={"accept-language": "ko"}).content.decode()
    assert '<span class="visually-hidden">아이디 </span>변경</a>' in page
    page = client.get("/signup/confirm/", headers={"accept-language": "en"}).content.decode()
    assert 'Change<span class="visually-hidden"> username</span></a>' in page


def test_korean_errors_for_the_fields_and_the_password_rules(client):
    client.get("/signup/")
    data = step_data("account", username="민지 김", email="x", password1="password", password2="password")
    page = client.post("/signup/account/", data, headers={"accept-language": "ko"}).content.decode()
    assert "<title>오류: 계정 – 3단계 중 1단계 – 회원가입 – Maru</title>" in page
    # ours, once: the space is the only problem, so the message about spaces, not the character list too
    assert "아이디에 공백이나 보이지 않는 문자가 들어 있습니다. 눈에 보이는 문자만 써 주세요." in page
    assert "아이디에는 공백 없이 문자, 숫자, @ . + - _ 만 사용해 주세요." not in page
    # The rule the password failed, marked where it is listed, saying what to do (onboarding/passwords.py)
    assert '<span class="password-rule-mark">미충족</span>' in page
    assert "비밀번호가 8자입니다. 15자 이상으로 만들어 주세요." in page


def test_admin_labels_of_our_models_are_korean():
    with translation.override("ko"):
        assert str(Profile._meta.verbose_name) == "프로필"
        assert str(Profile._meta.get_field("real_name").verbose_name) == "이름"
        assert str(Profile._meta.get_field("phone").verbose_name) == "전화번호"
        assert str(User._meta.get_field("email").verbose_name) == "이메일 주소"
        assert str(User._meta.verbose_name) == "사용자"  # from Django's own catalogue


def test_the_language_choice_is_remembered_in_a_lasting_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "ko"
    assert cookie["max-age"] == 60 * 60 * 24 * 365
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert '<html lang="ko">' in client.get("/", headers={"accept-language": "en"}).content.decode()
