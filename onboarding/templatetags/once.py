"""{% once "name" key ... %}...{% endonce %}: a fragment that is the same for everyone, rendered once per process.

For the parts of a page that depend on nothing but the language, the settings and the keys named, from a
fixed set (the wizard's step): the header's links, the footer, the wizard's progress. They cost a third
of a step page's template time, for the same HTML every time. Nothing that varies by visitor may sit
inside: no CSRF token, no user, no request path, no typed value.

The fragments are kept per (name, page template, language, keys): a block inside is the one its page fills
in. A changed setting (tests) forgets them, and with DEBUG on (`make run`, where templates are edited)
nothing is kept.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_fragments = {}
# The keys come from fixed sets, so this is never reached; past it the fragments are forgotten, not grown.
MAX_FRAGMENTS = 1000


class OnceNode(template.Node):
    def __init__(self, nodelist, name, keys):
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context):
        if settings.DEBUG:
            return self.nodelist.render(context)
        page = context.template.origin.name if context.template else None
        key = (self.name, page, get_language(), *(key.resolve(context) for key in self.keys))
        html = _fragments.get(key)
        if html is None:
            if len(_fragments) >= MAX_FRAGMENTS:
                _fragments.clear()
            html = _fragments[key] = mark_safe(self.nodelist.render(context))
        return html


@register.tag
def once(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% once %} takes a quoted name, then the keys: {% once "footer" %}')
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])


def forget_fragments(**kwargs):
    _fragments.clear()  # a test changed a setting, such as SITE_NAME, that a fragment shows


setting_changed.connect(forget_fragments)
