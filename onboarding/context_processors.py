"""Template context every page shares: the site's name and tagline."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_TAGLINE = _("Where people gather")


def site(request):
    """The site's identity as `brand.name` and `brand.tagline`.

    Under another name than `site_name`, which Django's auth views (login, password reset) set to the
    request's host and would otherwise show in the header of those pages.
    """
    return {"brand": {"name": settings.SITE_NAME, "tagline": settings.SITE_TAGLINE or DEFAULT_TAGLINE}}
