"""Content-Security-Policy (issue 14, finding 7): scripts only from the site's static files.

The header is on every response; no template carries an inline script or an inline event handler
(they would be refused by the browser, so a page would silently lose its behaviour). The browser
tests (tests/browser/conftest.py) fail on any refusal Chromium reports while they click through.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
# Every directory the template loaders read from, the project's own apps included.
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates")), *sorted(ROOT.glob("reports/*/templates"))]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
# Documents that are not pages: the digest's e-mail body (its <style> is inlined into attributes before
# sending) and the PDF exports (WeasyPrint reads their <style>; no browser ever does).
NOT_PAGES = ("digest", "exports")


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


def test_the_scan_reads_the_templates():
    names = {p.name for p in templates()}
    assert {"base.html", "tree.html", "_org_tabs.html", "dashboard.html"} <= names


@pytest.mark.parametrize(
    "pattern, sample",
    [
        (INLINE_SCRIPT, "<script>\nalert(1)</script>"),
        (EVENT_HANDLER, '<button onclick="go()">'),
        (JAVASCRIPT_URL, '<a href="javascript:go()">'),
        (STYLE_ELEMENT, "<style>b{}</style>"),
    ],
)
def test_each_pattern_finds_what_it_looks_for(pattern, sample):
    assert pattern.search(sample)
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')


def test_no_template_has_an_inline_script_handler_or_style_element():
    found = []
    for path in templates():
        text = TEMPLATE_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
        checks = [INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL]
        if not any(part in path.parts for part in NOT_PAGES):
            checks.append(STYLE_ELEMENT)
        for pattern in checks:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0).strip()}")
    assert not found, "\n".join(found)


def test_pages_carry_a_policy_without_inline_scripts(client, cast):
    assert policy(client.get(reverse("login")))["script-src"] == "'self'"
    client.force_login(cast.sec_a)
    for url in (
        reverse("members:tree"),
        reverse("members:organisation", args=[cast.cell_a.pk]),
        reverse("reports:dashboard", args=[cast.cell_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == "'self'", url
        assert "unsafe" not in directives["script-src"], url
        assert directives["object-src"] == "'none'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert "'unsafe-inline'" not in directives["style-src"], url


def test_an_error_page_carries_the_policy_too(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert policy(response)["default-src"] == "'self'"
