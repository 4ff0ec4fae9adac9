"""Finding 8 of issue 14: a background import's history rows name the uploader and the run
(reports/audit/authors.py; docs/security.md "Audit")."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from recruitment.models import Candidate
from reports.audit.authors import current, history_author, import_reason
from reports.imports.columns import CANDIDATES, MEMBERS, ORGANISATIONS, QUOTAS
from reports.models import ImportRun, ImportStatus
from tests.factories import MemberFactory, PersonFactory
from tests.reports.imports.test_import_bulk import voted_row
from tests.reports.imports.test_import_views import NEW_CELL, member_row, quota_row, upload
from tests.reports.workbooks import workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]


def history_models():
    return [
        model
        for app in ("members", "recruitment", "reports")
        for model in apps.get_app_config(app).get_models()
        if model.__name__.startswith("Historical")
    ]


def history_ids() -> dict:
    return {model: set(model.objects.values_list("history_id", flat=True)) for model in history_models()}


def test_every_history_row_of_a_background_import_names_the_uploader_and_the_run(
    client, cast, settings, django_capture_on_commit_callbacks
):
    for i in range(5):  # the cell's full members, who vote (and introduce) in the candidates' rows
        MemberFactory(cell=cast.cell_a, person=PersonFactory(citizen_id=f"0011900{i:05d}"))
    data = workbook_bytes(
        {
            ORGANISATIONS: [NEW_CELL],
            MEMBERS: [member_row(1), member_row(2)],
            QUOTAS: [quota_row()],
            CANDIDATES: [voted_row(i) for i in range(3)],
        }
    )
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0  # to the worker (eager Celery), outside the request
    client.force_login(cast.commune_board)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(client, cast.commune_x, data, name="chi-bo-moi.xlsx")
    run = ImportRun.objects.latest("pk")
    before = history_ids()
    queued[0]()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.result
    assert Candidate.objects.filter(stage="cell_resolution").count() == 3  # the bulk path wrote them

    written = [
        (model.__name__, row.history_user_id, row.history_change_reason)
        for model, ids in before.items()
        for row in model.objects.exclude(history_id__in=ids)
    ]
    kinds = {name for name, _user, _reason in written}
    # Units, quotas, people, members, candidates and their steps: saves and the bulk path's own rows.
    assert {"HistoricalOrganisation", "HistoricalQuota", "HistoricalPerson", "HistoricalMember"} <= kinds
    assert {"HistoricalCandidate", "HistoricalCellVote", "HistoricalDossier"} <= kinds
    reason = f"Nhập từ tệp chi-bo-moi.xlsx, lần chạy #{run.pk}"
    assert import_reason("chi-bo-moi.xlsx", run.pk) == reason
    assert [w for w in written if w[1] != cast.commune_board.pk or w[2] != reason] == []


def test_the_author_is_set_only_inside_the_block_and_a_long_name_is_cut_to_the_column():
    user = get_user_model()(pk=1)
    assert current() is None
    with history_author(user, import_reason("x" * 300, 12)) as author:
        assert current() is author and author.user is user
        assert len(author.reason) == 100 and author.reason.endswith("…, lần chạy #12")
    assert current() is None
