"""What the production stack shows and keeps (second review, findings 10): no banner, no tokens in the access
log, no file uploads, bounded request heads, 4xx in one log line. Against gunicorn with config/gunicorn.conf.py."""

import http.client
import secrets
from urllib.parse import urlparse

import pytest

from tests.servers import Browser, gunicorn_server, log_tail, production_env

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn-hardening")
    with gunicorn_server(tmp_path, production_env(tmp_path)) as (base_url, log):
        yield base_url, log


def raw(base_url, method, path, body=b"", headers=None):
    """One request over a plain connection, with exactly these headers; (status, headers, body)."""
    address = urlparse(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_no_server_banner(server):
    base_url, _log = server
    response = Browser().get(f"{base_url}/")
    assert response.status == 200
    assert "Server" not in response.headers  # it said "gunicorn"


def test_the_access_log_keeps_no_live_token(server):
    base_url, log = server
    tokens = {
        "/email/confirm/{}/": secrets.token_urlsafe(24),
        "/account/email/confirm/{}/": secrets.token_urlsafe(24),
        "/signup/resume/{}/": secrets.token_urlsafe(24),
        "/password-reset/MQ/{}/": "abc123-" + secrets.token_hex(16),
    }
    browser = Browser()
    for path, token in tokens.items():
        browser.get(f"{base_url}{path.format(token)}", headers={"Referer": f"{base_url}{path.format(token)}"})
    logged = log.read_text()
    for path, token in tokens.items():
        assert token not in logged
        assert path.format("[token]") in logged


def test_a_big_multipart_body_is_refused_before_it_is_read(server):
    base_url, log = server
    boundary = "xyz"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\0" * (2 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _headers, page = raw(
        base_url, "POST", "/login/", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 400, log_tail(log)
    assert "far bigger than this page's form needs" in page.decode()


def csrf_cookie(base_url):
    """A CSRF cookie as a browser holds it: without one, Django refuses the POST before reading its body."""
    browser = Browser()
    page = browser.get(f"{base_url}/login/")
    [cookie] = [cookie for cookie in browser.cookies if cookie.name == "csrftoken"]
    return f"csrftoken={cookie.value}", page.hidden("csrfmiddlewaretoken")


def test_a_small_multipart_body_with_a_file_is_refused(server):
    base_url, log = server
    cookie, token = csrf_cookie(base_url)
    boundary = "xyz"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\nminji\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\nPNG\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie}
    status, _headers, page = raw(base_url, "POST", "/login/", body, headers)
    assert status == 400, log_tail(log)
    assert "Sorry, we could not understand that request" in page.decode()


def test_an_overlong_request_line_is_refused_by_gunicorn(server):
    base_url, _log = server
    # gunicorn's default allows 4094 bytes; ours, 2048.
    status, _headers, _body = raw(base_url, "GET", "/?" + "a" * 3000)
    assert status == 414


def test_client_errors_are_logged_in_one_line_without_a_traceback(server):
    base_url, log = server
    before = len(log.read_text())
    assert raw(base_url, "GET", "/", headers={"Host": "evil.example"})[0] == 400
    cookie, _token = csrf_cookie(base_url)
    boundary = "b"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\nx\r\n--{boundary}--\r\n'
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie}
    assert raw(base_url, "POST", "/login/", body, headers)[0] == 400
    written = log.read_text()[before:]
    assert "Invalid HTTP_HOST header: 'evil.example'" in written
    assert "a file was sent, and no form here takes one: /login/" in written
    assert "Traceback" not in written, written
