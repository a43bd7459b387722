"""{% pending_queue as queue %}: the signups awaiting review, for the admin's header and index."""

from django import template

from onboarding.review import site

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_queue(context):
    request = context.get("request")
    if request is None:
        return None
    # Once per request, though the header and the index both ask.
    if not hasattr(request, "_pending_queue"):
        request._pending_queue = site.pending_queue(request.user)
    return request._pending_queue
