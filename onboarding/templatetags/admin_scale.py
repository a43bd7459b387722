"""{% calendar_date_hierarchy cl %}: Django's date drill-down with its choices taken from the calendar."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from onboarding.review.scale import calendar_date_hierarchy

register = template.Library()


@register.tag(name="calendar_date_hierarchy")
def calendar_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=calendar_date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
