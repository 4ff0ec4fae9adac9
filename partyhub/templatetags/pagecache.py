"""`{% pagecache key %}…{% endpagecache %}`: the part between, rendered once and kept under `key`
(built by the view with partyhub.pagecache.key). An empty key renders the part every time.

Django's own `{% cache %}` tag would do the same but lets a cache error through as the page's 500;
this one treats an unreachable cache as an empty one (partyhub/pagecache.py).
"""

from django import template
from django.utils.safestring import mark_safe

from partyhub import pagecache

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        cache_key = self.key.resolve(context)
        if not cache_key:
            return self.nodelist.render(context)
        html = pagecache.get(cache_key)
        if html is None:
            html = self.nodelist.render(context)
            pagecache.put(cache_key, str(html))
        return mark_safe(html)


@register.tag("pagecache")
def do_pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("pagecache takes one argument: the key")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]))
