"""The admin lives in review/ (the review queue, its actions and export, the funnel page, groups, the site's
name). Django's autodiscovery imports this module; importing those modules is what registers them."""

from onboarding.review import funnel_page, groups, site, users  # noqa: F401
