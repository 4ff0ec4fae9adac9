"""The heavy pages' rendered parts are kept until the data under them changes (partyhub/pagecache.py, issue 15).

A kept part must never show what the viewer may not see, nor an old figure once the records or the
snapshot have changed; and an unreachable cache makes the pages slower, not broken.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Person
from partyhub import pagecache
from reports.progress import periods, snapshots
from tests.reports.builders import admit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
YEAR = periods.year(2026)
# The CSRF token is masked afresh in each response (a form's field, htmx's header): not part of a kept part.
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


def get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode()), len(queries)


def tiles(body: str) -> str:
    start = body.index('id="admission-tiles"')
    return body[start : body.index("</section>", start)]


def test_a_dashboard_read_again_is_the_same_page_without_reading_the_report(client, cast, today):
    admit(cast.cell_a, [datetime.date(2026, 3, 2)])
    client.force_login(cast.commune_board)
    url = reverse("reports:dashboard", args=[cast.commune_x.pk])
    first, first_queries = get(client, url, ky=YEAR.key)
    again, again_queries = get(client, url, ky=YEAR.key)
    assert again == first
    assert again_queries < first_queries


def test_a_new_snapshot_shows_its_figures_at_once(client, cast, today):
    admit(cast.cell_a, [datetime.date(2026, 3, 2)])
    client.force_login(cast.commune_board)
    url = reverse("reports:dashboard", args=[cast.commune_x.pk])
    before, _ = get(client, url, ky=YEAR.key)
    admit(cast.cell_a, [datetime.date(2026, 4, 6), datetime.date(2026, 5, 4)])
    # Until the snapshot is computed again the page shows the stored figures (with their time)...
    assert tiles(get(client, url, ky=YEAR.key)[0]) == tiles(before)
    # ...and the new snapshot's figures as soon as it is.
    snapshots.compute_and_store(cast.commune_x, YEAR, today)
    after, _ = get(client, url, ky=YEAR.key)
    assert tiles(after) != tiles(before)
    assert ">3</a>" in tiles(after) and ">3</a>" not in tiles(before)


def board_sees_sensitive_rows(client, cast) -> str:
    """A board member opens cell A's dashboard, which has an admission of an ethnic minority and a
    religion, and sees its sensitive rows (the part is now kept); returns the page's address."""
    [member] = admit(cast.cell_a, [datetime.date(2026, 10, 12)], ethnicity="Tày")
    Person.objects.filter(pk=member.person_id).update(religion="Phật giáo")
    url = reverse("reports:dashboard", args=[cast.cell_a.pk])
    client.force_login(cast.commune_board)
    board, _ = get(client, url, ky=YEAR.key)
    assert 'id="breakdown-ethnic_minority"' in board
    return url


def test_the_part_kept_for_a_board_is_not_shown_to_a_secretary(client, cast, today):
    url = board_sees_sensitive_rows(client, cast)
    client.force_login(cast.sec_a)
    secretary, _ = get(client, url, ky=YEAR.key)
    assert 'id="breakdown-ethnic_minority"' not in secretary
    assert "breakdown-sensitive-note" in secretary


def test_the_part_kept_for_a_viewer_of_sensitive_figures_is_not_shown_to_one_without_the_right(
    client, cast, today, monkeypatch
):
    """Two viewers who differ only in the right to see ethnicity and religion (today's roles give it
    with the right to set quotas, so the right is taken away here) get two parts."""
    url = board_sees_sensitive_rows(client, cast)
    monkeypatch.setattr("reports.dashboard.views.scoping.can_see_sensitive", lambda user, organisation: False)
    without_the_right, _ = get(client, url, ky=YEAR.key)
    assert 'id="breakdown-ethnic_minority"' not in without_the_right
    assert "breakdown-sensitive-note" in without_the_right


def test_the_tree_counts_a_member_added_after_it_was_kept(client, cast, today):
    client.force_login(cast.province_board)
    url = reverse("members:tree_children", args=[cast.commune_x.pk])
    first, first_queries = get(client, url)
    again, again_queries = get(client, url)
    assert again == first and again_queries < first_queries
    admit(cast.cell_a, [datetime.date(2026, 3, 2)])
    after, _ = get(client, url)
    assert after != first


def test_the_board_shows_a_candidate_proposed_after_it_was_kept(client, cast, today):
    from recruitment.models import Candidate

    client.force_login(cast.commune_board)
    url = reverse("recruitment:board", args=[cast.commune_x.pk])
    get(client, url)
    person = Person.objects.create(full_name="Lê Thị Mới Đến", gender="female", date_of_birth=datetime.date(2000, 1, 1))
    Candidate.objects.create(
        person=person, cell=cast.cell_a, stage_entered_on=TODAY, proposed_on=TODAY, introduced_by="cell"
    )
    assert "Lê Thị Mới Đến" in get(client, url)[0]


def test_the_deadlines_summary_is_kept_and_read_back(client, cast, today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:deadlines", args=[cast.commune_x.pk])
    first, first_queries = get(client, url)
    again, again_queries = get(client, url)
    assert again == first and again_queries < first_queries


def test_forget_all_drops_every_kept_part(client, cast, today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:deadlines", args=[cast.commune_x.pk])
    _, first_queries = get(client, url)
    pagecache.forget_all()
    assert get(client, url)[1] == first_queries


def test_the_pages_work_when_the_cache_cannot_be_reached(client, cast, today, settings):
    # A Redis nobody listens on: every read and write of the cache fails.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    client.force_login(cast.commune_board)
    for url in (
        reverse("reports:dashboard", args=[cast.commune_x.pk]),
        reverse("members:tree"),
        reverse("members:tree_children", args=[cast.commune_x.pk]),
        reverse("recruitment:board", args=[cast.commune_x.pk]),
        reverse("recruitment:deadlines", args=[cast.commune_x.pk]),
    ):
        for _ in range(2):  # nothing kept, nothing found: each request computes its page
            get(client, url)


def test_the_data_version_moves_with_every_kind_of_write(cast):
    before = pagecache.data_version()
    admit(cast.cell_a, [datetime.date(2026, 3, 2)])  # bulk inserts, no history rows
    after_bulk = pagecache.data_version()
    assert after_bulk != before
    Person.objects.create(full_name="Ai Đó", gender="male", date_of_birth=datetime.date(1990, 1, 1))
    assert pagecache.data_version() != after_bulk
