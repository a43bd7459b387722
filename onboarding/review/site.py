"""The admin carries the site's name, in the reader's language, and knows how many signups await review."""

from django.contrib import admin
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy

from onboarding.mail.queue import site_name
from onboarding.models import Profile, ReviewStatus, User

# Counting stops here: a queue longer than this shows as "10000+" instead of costing a long count.
PENDING_COUNT_CAP = 10_000


def _site_header():
    return gettext("%(site_name)s administration") % {"site_name": site_name()}


def _site_title():
    return gettext("%(site_name)s admin") % {"site_name": site_name()}


# Lazy: the name and the language are those of the request that shows the page.
admin.site.site_header = lazy(_site_header, str)()
admin.site.site_title = lazy(_site_title, str)()
admin.site.index_title = gettext_lazy("Review and reports")
# The list of apps down the side would squeeze the users list below 1280 px.
admin.site.enable_nav_sidebar = False


def pending_url():
    """The users list filtered to signups awaiting review."""
    opts = User._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{changelist}?{urlencode({'profile__review_status__exact': ReviewStatus.PENDING})}"


def pending_count():
    """How many signups await review, counted up to PENDING_COUNT_CAP (one query on the status index).

    Staff accounts are not reviewed ("open next" and the review actions skip them), so they are not counted.
    """
    pending = Profile.objects.filter(
        review_status=ReviewStatus.PENDING, user__is_staff=False, user__is_superuser=False
    ).values("pk")[: PENDING_COUNT_CAP + 1]
    return pending.count()


def pending_queue(user):
    """The header's and the index's "awaiting review" link for staff who may see users, else None."""
    app = User._meta.app_label
    if not (user.is_active and user.is_staff) or not (
        user.has_perm(f"{app}.view_user") or user.has_perm(f"{app}.change_user")
    ):
        return None
    count = pending_count()
    return {
        "count": count,
        "capped": count > PENDING_COUNT_CAP,
        "shown": f"{PENDING_COUNT_CAP:,}+" if count > PENDING_COUNT_CAP else f"{count:,}",
        "url": pending_url(),
    }
