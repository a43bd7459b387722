"""The admin: review of new signups, the signup funnel, and the site's name on every admin page."""

from . import funnel, site, users  # noqa: F401  (registering is what importing them does)
