"""One complete signup as a browser makes it, shared by the load generator and the counting pass."""

import html
import re
from dataclasses import dataclass, field

PASSWORD = "correct horse battery 42"
STEPS = ("account", "profile", "confirm")
# Every request of one signup, in order, by the label the report uses.
LABELS = (
    "account GET",
    "account POST",
    "profile GET",
    "profile POST",
    "confirm GET",
    "Create account",
    "done GET",
)


@dataclass
class Request:
    label: str
    method: str
    url: str
    data: dict = field(default_factory=dict)


@dataclass
class Response:
    status: int
    location: str
    text: str


class SignupFailed(Exception):
    pass


def answers(username):
    """What one person types, step by step; `username` must be unique."""
    return {
        "account": {
            "account-username": username,
            "account-email": f"{username}@example.com",
            "account-password1": PASSWORD,
            "account-password2": PASSWORD,
        },
        "profile": {
            "profile-real_name": "Bench Person",
            "profile-preferred_name": "Bench",
            "profile-phone": "+82 10 1234 5678",
        },
        "confirm": {"confirm-accept_terms": "on"},
    }


def form_fields(page):
    """What a browser sends from the wizard's form before anything is typed: hidden inputs, empty fields."""
    form = re.search(r'<form[^>]*class="wizard-form"[^>]*>(.*?)</form>', page, re.S)
    if not form:
        raise SignupFailed("no wizard form on the page")
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form.group(1)):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        kind = attrs.get("type", "text")
        if "name" not in attrs or kind in {"submit", "button"}:
            continue
        if kind in {"checkbox", "radio"} and not re.search(r"\schecked\b", tag):
            continue
        fields[attrs["name"]] = html.unescape(attrs.get("value", "on" if kind == "checkbox" else ""))
    if "csrfmiddlewaretoken" not in fields:
        raise SignupFailed("no CSRF token in the wizard form")
    return fields


def signup_flow(username):
    """Yield each request of one signup; send back each response. Raises SignupFailed on a wrong answer."""
    typed = answers(username)

    def expect(request, response, status):
        if response.status != status:
            raise SignupFailed(f"{request.label}: HTTP {response.status}, expected {status}")
        return response

    # Where the landing page's "Sign up" links a new visitor (GET /signup/ would only redirect there).
    url = f"/signup/{STEPS[0]}/"
    for step in STEPS:
        request = Request(f"{step} GET", "GET", url)
        page = expect(request, (yield request), 200).text
        data = {**form_fields(page), **typed[step]}
        request = Request("Create account" if step == STEPS[-1] else f"{step} POST", "POST", url, data)
        url = expect(request, (yield request), 302).location
    request = Request("done GET", "GET", url)
    page = expect(request, (yield request), 200).text
    if username not in page:
        raise SignupFailed("done GET: the page does not show the new username")
