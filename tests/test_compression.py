"""Pages travel gzipped to browsers that ask for it, and whole; files already compressed travel as they are."""

import datetime
import gzip
import re

import time_machine
from django.urls import reverse

# The per-request part of a page: its CSRF token, masked anew for each response.
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|hx-headers=\'\{"X-CSRFToken": )"[^"]+"')


def _without_tokens(page: str) -> str:
    return TOKEN.sub(r"\1", page)


def test_a_page_is_gzipped_when_the_browser_asks_and_decompresses_to_the_same_page(client, cast):
    client.force_login(cast.commune_board)
    url = reverse("members:organisation", args=[cast.commune_x.pk])
    # The clock stopped, so that nothing but the tokens may differ between the two responses.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC), tick=False):
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert cast.commune_x.name in page
    assert TOKEN.search(page)
    assert _without_tokens(page) == _without_tokens(plain.content.decode())
    assert len(packed.content) < len(plain.content) / 3


def test_an_xlsx_download_is_not_compressed_again(client, cast):
    client.force_login(cast.commune_board)
    response = client.get(reverse("reports:export_people_xlsx", args=[cast.commune_x.pk]), HTTP_ACCEPT_ENCODING="gzip")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert content[:2] == b"PK"  # the .xlsx (a zip archive) itself
