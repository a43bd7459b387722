"""Headers (finding 10): Permissions-Policy denies what the site does not use; personalised pages are private."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_page_denies_browser_features_the_site_does_not_use(client):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "browsing-topics=()"):
        assert feature in policy


def test_pages_showing_who_is_logged_in_are_private(client, django_user_model):
    user = django_user_model.objects.create_user("minji", "minji@example.com", PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert "Logged in as" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/login/", "/signup/account/", "/admin/login/"])
def test_pages_with_a_form_or_a_session_are_private_for_visitors_too(path):
    response = Client().get(path, follow=True)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_the_policy_built_once_is_django_csps_and_a_view_may_still_change_its_own(rf, settings):
    from csp.decorators import csp_update
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    from onboarding.infra.middleware import ContentSecurityPolicyMiddleware

    def page(request):
        return HttpResponse("ok")

    @csp_update({"img-src": ["https://images.example.com"]})
    def changed(request):
        return HttpResponse("ok")

    for view in (page, changed, page):
        ours, stock = ContentSecurityPolicyMiddleware(view), CSPMiddleware(view)
        assert ours(rf.get("/"))["Content-Security-Policy"] == stock(rf.get("/"))["Content-Security-Policy"]
    assert "images.example.com" in ContentSecurityPolicyMiddleware(changed)(rf.get("/"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}  # a changed setting is read again
    assert ContentSecurityPolicyMiddleware(page)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


def test_passkeys_may_be_used_on_our_own_pages_only(client):
    policy = client.get("/login/")["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in policy
