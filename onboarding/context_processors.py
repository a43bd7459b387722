"""Template context every page shares: the site's name and tagline."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_TAGLINE = _("Where people gather")


def site(request):
    return {"site_name": settings.SITE_NAME, "site_tagline": settings.SITE_TAGLINE or DEFAULT_TAGLINE}
