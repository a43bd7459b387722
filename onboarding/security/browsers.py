"""Browser and system names from a User-Agent, as a person recognises them ("Chrome 130", "Windows 10")."""

from functools import lru_cache

from ua_parser import parse

from onboarding.limits import client_ip

# A User-Agent is whatever the client sends: past this length it is cut before parsing.
LONGEST_USER_AGENT = 1000


@lru_cache(maxsize=512)
def describe(user_agent):
    """(browser, system), each "" when unknown: parsed once per distinct User-Agent (a few milliseconds)."""
    result = parse((user_agent or "")[:LONGEST_USER_AGENT])
    browser = system = ""
    if result.user_agent and result.user_agent.family != "Other":
        browser = " ".join(filter(None, (result.user_agent.family, result.user_agent.major)))
    if result.os and result.os.family != "Other":
        system = " ".join(filter(None, (result.os.family, result.os.major)))
    return browser[:100], system[:100]


def client_of(request):
    """What the security pages and mails say about a request's client: {"browser", "system", "ip"}."""
    if request is None:
        return {"browser": "", "system": "", "ip": ""}
    browser, system = describe(request.META.get("HTTP_USER_AGENT", ""))
    ip = client_ip(request) if request.META.get("REMOTE_ADDR") else ""
    return {"browser": browser, "system": system, "ip": ip[:45]}
