import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from mariohr.url_safety import is_http_url

register = template.Library()

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@register.filter
def markdown(text: str) -> str:
    """Markdown to HTML, then nh3 strips anything not on the list (scripts, handlers, h1)."""
    html = markdown_lib.markdown(text or "", extensions=["fenced_code", "tables"])
    return mark_safe(  # noqa: S308 - nh3 has just sanitized it
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes={"a": {"href", "title"}, "code": {"class"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


@register.filter
def http_link(url) -> str:
    """A link for an http(s) URL; any other value (javascript:, data:, ...) as plain text."""
    if not is_http_url(url):
        return conditional_escape(url)
    return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', url, url)
