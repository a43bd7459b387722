"""The admin: review of new signups, the signup funnel, and the site's name on every admin page."""

from . import funnel, groups, site, users  # noqa: F401  (registering is what importing them does)
