"""Template context every page shares: the site's name, tagline and description, who runs it, how long links work."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onboarding import links

DEFAULT_TAGLINE = _("Where people gather")
DEFAULT_DESCRIPTION = _(
    "%(site_name)s is a members' community. With an account you can take part, keep your details up to date "
    "and log in from any device."
)
DEFAULT_OPERATOR = _("the team behind %(site_name)s")


def site(request):
    """The site's identity as `brand.name`, `brand.tagline`, `brand.description`, and `legal` for the documents.

    Under another name than `site_name`, which Django's auth views (login, password reset) set to the
    request's host and would otherwise show in the header of those pages.
    """
    name = {"site_name": settings.SITE_NAME}
    operator = settings.SITE_OPERATOR or DEFAULT_OPERATOR % name
    return {
        "brand": {
            "name": settings.SITE_NAME,
            "tagline": settings.SITE_TAGLINE or DEFAULT_TAGLINE,
            "description": settings.SITE_DESCRIPTION or DEFAULT_DESCRIPTION % name,
        },
        "legal": {
            "operator": operator,
            "contact": settings.SIGNUP_CONTACT_EMAIL,
            "effective_date": settings.LEGAL_EFFECTIVE_DATE,
            "privacy_officer": settings.PRIVACY_OFFICER or operator,
        },
    }


def link_lifetimes(request):
    """How long each emailed link works, as `link_lifetime.confirm_email_days` and the like (links.lifetimes),
    for the pages that say so: the number comes from the constants, never from a sentence."""
    return {"link_lifetime": links.lifetimes()}
