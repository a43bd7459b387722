"""The admin lives in review/ (the review queue, its actions and export, the funnel page, groups, the site's
name) and access/ (invitations, the waitlist). Django's autodiscovery imports this module; importing those
modules is what registers them."""

from onboarding.access import admin as access_admin  # noqa: F401
from onboarding.review import funnel_page, groups, site, users  # noqa: F401
