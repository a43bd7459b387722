"""Fragments rendered once per process ({% once %}) look exactly as if rendered for each page."""

import pytest
from django.conf import settings
from django.test import Client

from onboarding.templatetags import once

pytestmark = pytest.mark.django_db


def page(path, language="en"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path).content.decode()


def test_kept_fragments_follow_the_page_the_language_and_the_settings(settings):
    once._fragments.clear()
    assert 'form="language-switch" name="language" value="ko"' in page("/")
    # The wizard's pages fill in the language buttons' form with their own: a fragment per page template.
    assert 'form="wizard-form" name="language" value="ko"' in page("/signup/account/")
    assert 'form="language-switch" name="language" value="ko"' in page("/")
    assert 'value="en" lang="en"' in page("/", "ko") and 'value="ko"' not in page("/", "ko")
    assert 'aria-current="step"' in page("/signup/account/") and "Step 1 of 3" in page("/signup/account/")
    settings.SITE_NAME = "Haneul"  # a changed setting forgets what was kept
    assert "<strong>Haneul</strong>" in page("/")


def test_nothing_is_kept_with_debug_on(settings):
    once._fragments.clear()
    settings.DEBUG = True
    page("/")
    assert once._fragments == {}
