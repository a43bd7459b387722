"""Where a passkey was made, in words ("Chrome on Android"), read from the browser's User-Agent header.

Deliberately small: the first browser and system names that match, checked in an order where the specific
ones (Edge, Samsung Internet, Opera) come before the Chrome they also claim to be. A full parser (ua-parser)
can replace `made_with` without changing its callers.
"""

import re

BROWSERS = (
    ("Edge", r"\bEdg(e|A|iOS)?/"),
    ("Samsung Internet", r"\bSamsungBrowser/"),
    ("Opera", r"\b(OPR|Opera)/"),
    ("Firefox", r"\b(Firefox|FxiOS)/"),
    ("Chrome", r"\b(Chrome|CriOS|HeadlessChrome)/"),
    ("Safari", r"\bVersion/[\d.]+.*Safari/"),
)
SYSTEMS = (
    ("Android", r"\bAndroid\b"),
    ("iPhone", r"\biPhone\b"),
    ("iPad", r"\biPad\b"),
    ("ChromeOS", r"\bCrOS\b"),
    ("Windows", r"\bWindows\b"),
    ("macOS", r"\bMacintosh\b"),
    ("Linux", r"\bLinux\b"),
)


def _first(patterns, user_agent):
    return next((name for name, pattern in patterns if re.search(pattern, user_agent)), "")


def made_with(user_agent):
    """'Chrome on Android', 'Safari on iPhone', 'Firefox', 'Windows' or '' for a header we cannot read."""
    user_agent = (user_agent or "")[:512]
    browser, system = _first(BROWSERS, user_agent), _first(SYSTEMS, user_agent)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system


def made_with_request(request):
    return made_with(request.META.get("HTTP_USER_AGENT", ""))
