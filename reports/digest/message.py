"""The digest as an email: three templates, one builder.

subject.txt, body.txt and body.html under reports/digest/templates/reports/digest/, rendered in the
recipient's language; the HTML's stylesheet is inlined (css-inline) because phone mail apps drop
<style> blocks. The headers carry a Message-ID derived from the delivery row, so a resend of the
same row is recognisably the same message, and the one-click unsubscribe of RFC 8058.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .content import Digest, absolute

UNSUBSCRIBE_SALT = "reports.digest.unsubscribe"
TEMPLATES = "reports/digest/"
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


# --- the one-click unsubscribe token ------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    """A signed token naming the user; it does not expire, since old emails must still work."""
    return signing.dumps({"u": int(user_id)}, salt=UNSUBSCRIBE_SALT)


def user_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value.get("u") if isinstance(value, dict) and isinstance(value.get("u"), int) else None


def unsubscribe_url(user_id: int) -> str:
    return absolute(reverse("reports:digest_unsubscribe", args=[unsubscribe_token(user_id)]))


def preferences_url() -> str:
    return absolute(reverse("reports:digest_preferences"))


def list_unsubscribe(user_id: int) -> str:
    targets = [f"<{unsubscribe_url(user_id)}>"]
    if settings.DIGEST_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.DIGEST_UNSUBSCRIBE_MAILTO}?subject=unsubscribe-{user_id}>")
    return ", ".join(targets)


# --- the message ------------------------------------------------------------------------------


def message_id(delivery_pk: int, digest: Digest) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "partyhub"
    return f"<digest-{delivery_pk}-{digest.edition:%Y%m}@{domain}>"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(digest: Digest) -> Rendered:
    context = {
        "digest": digest,
        "unsubscribe_url": unsubscribe_url(digest.user_id),
        "preferences_url": preferences_url(),
    }
    with translation.override(digest.language):
        # A subject is one line: names with newlines or runs of spaces are folded.
        subject = " ".join(render_to_string(TEMPLATES + "subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(TEMPLATES + "body.txt", context)
        html = _inliner.inline(render_to_string(TEMPLATES + "body.html", context))
    return Rendered(subject=subject, text=text, html=html)


def email_message(digest: Digest, delivery_pk: int, *, connection=None) -> EmailMultiAlternatives:
    rendered = render(digest)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.email],
        connection=connection,
        headers={
            "Message-ID": message_id(delivery_pk, digest),
            "List-Unsubscribe": list_unsubscribe(digest.user_id),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-PartyHub-Digest": f"{digest.edition:%Y-%m}",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
