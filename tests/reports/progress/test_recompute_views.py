"""The "recompute now" button and its progress bar, for each member of the cast."""

from unittest import mock

import pytest
from django.urls import reverse

from partyhub.celery import app
from reports.models import ProgressSnapshot
from reports.progress import jobs, snapshots

# calendar: the standard periods (this term, this year) follow today (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache"), pytest.mark.calendar]
HTMX = {"HTTP_HX_REQUEST": "true"}


def recompute_url(organisation):
    return reverse("reports:recompute", args=[organisation.pk])


def status_url(run_id):
    return reverse("reports:recompute_status", args=[run_id])


def test_the_commune_board_recomputes_its_commune_and_the_page_reloads_when_done(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(recompute_url(cast.commune_x), {"period": "2023"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert "100%" in response.content.decode()
    keys = set(ProgressSnapshot.objects.filter(organisation=cast.commune_x).values_list("period_key", flat=True))
    assert keys == {*jobs.standard_period_keys(snapshots.timezone.localdate()), "2023"}


def test_without_a_worker_only_the_unit_on_screen_is_recomputed_inside_the_request(client, cast):
    client.force_login(cast.commune_board)
    client.post(recompute_url(cast.commune_x), **HTMX)
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == {cast.commune_x.pk}


def test_with_a_worker_the_unit_and_its_whole_subtree_are_queued(client, cast):
    client.force_login(cast.commune_board)
    app.conf.task_always_eager = False  # eager_celery puts it back
    with mock.patch("reports.progress.tasks.recompute_pass_task.apply_async") as queued:
        response = client.post(recompute_url(cast.commune_x), **HTMX)
    queued_ids = [pk for call in queued.call_args_list for pk in call.kwargs["kwargs"]["org_ids"]]
    assert queued_ids == [cast.commune_x.pk, cast.cell_a.pk, cast.cell_b.pk]
    assert "HX-Refresh" not in response
    body = response.content.decode()
    assert 'hx-trigger="load delay:1s"' in body
    assert "0/1" in body


def test_a_cell_secretary_may_not_start_a_recompute(client, cast):
    client.force_login(cast.sec_a)
    assert client.post(recompute_url(cast.cell_a), **HTMX).status_code == 403
    assert not ProgressSnapshot.objects.exists()


@pytest.mark.parametrize(("user", "unit"), [("outsider", "commune_x"), ("commune_board", "commune_y")])
def test_a_unit_outside_the_users_subtree_is_not_found(client, cast, user, unit):
    client.force_login(getattr(cast, user))
    assert client.post(recompute_url(getattr(cast, unit)), **HTMX).status_code == 404


def test_starting_a_recompute_is_post_only_and_needs_a_login(client, cast):
    response = client.post(recompute_url(cast.commune_x))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(cast.commune_board)
    assert client.get(recompute_url(cast.commune_x)).status_code == 405


def test_a_bad_period_is_refused_in_vietnamese(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(recompute_url(cast.commune_x), {"period": "2023-13"}, **HTMX)
    assert response.status_code == 400
    assert "Tháng không hợp lệ" in response.content.decode()


def test_without_htmx_the_button_goes_back_to_the_page_it_was_on(client, cast):
    client.force_login(cast.commune_board)
    here = f"/to-chuc/{cast.commune_x.pk}/"
    response = client.post(recompute_url(cast.commune_x), {"next": here})
    assert response.status_code == 302
    assert response.url == here
    response = client.post(recompute_url(cast.commune_x), {"next": "https://example.com/"})
    assert response.url == cast.commune_x.get_absolute_url()


# --- following a run --------------------------------------------------------------------------


@pytest.fixture
def run(cast):
    """A run of four chunks over commune X, started by its board staff, one chunk done."""
    jobs.run_register(run_id="run-x", total=4, organisation_id=cast.commune_x.pk, user_id=cast.commune_board.pk)
    jobs.chunk_mark_done("run-x", 0)
    return "run-x"


def test_the_progress_bar_polls_until_the_run_is_finished(client, cast, run, django_assert_max_num_queries):
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(4):
        response = client.get(status_url(run), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-valuenow="25"' in body
    assert f'hx-get="{status_url(run)}"' in body
    assert "HX-Refresh" not in response
    for index in (1, 2, 3):
        jobs.chunk_mark_done(run, index)
    response = client.get(status_url(run), **HTMX)
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("commune_board", 200),  # started it
        ("commune_sec", 200),  # sees commune X
        ("province_board", 200),
        ("sec_a", 404),  # sees only cell A
        ("outsider", 404),
    ],
)
def test_a_run_is_followed_by_whoever_started_it_or_sees_its_unit(client, cast, run, user, status):
    client.force_login(getattr(cast, user))
    assert client.get(status_url(run), **HTMX).status_code == status


def test_an_unknown_run_is_not_found(client, cast):
    client.force_login(cast.province_board)
    assert client.get(status_url("no-such-run"), **HTMX).status_code == 404


def test_a_run_over_everything_is_followed_only_by_its_starter(client, cast):
    jobs.run_register(run_id="all", total=1, user_id=cast.commune_sec.pk)
    client.force_login(cast.commune_sec)
    assert client.get(status_url("all"), **HTMX).status_code == 200
    client.force_login(cast.province_board)
    assert client.get(status_url("all"), **HTMX).status_code == 404


def test_following_a_run_needs_a_login(client, run):
    response = client.get(status_url(run))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_button_shows_how_fresh_the_figures_are_and_only_to_a_committee(rf, cast):
    from django.template.loader import render_to_string
    from django.utils import timezone

    from reports.progress import periods
    from reports.progress.views import recompute_button_context

    for user, shown in ((cast.commune_board, True), (cast.sec_a, False)):
        request = rf.get("/")
        request.user = user
        context = recompute_button_context(user, cast.commune_x, periods.year(2024), timezone.now())
        html = render_to_string("reports/_recompute_button.html", context, request=request)
        assert "Số liệu tính lúc" in html
        assert (recompute_url(cast.commune_x) in html) is shown
        assert ('value="2024"' in html) is shown
