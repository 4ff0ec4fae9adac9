"""The candidates sheet's bulk path (reports/imports/apply/bulk_candidates.py) against the per-row path
through the services: on the same sheet, the same records, stage entries, history rows (and their
authors), counts and findings; and its queries grow with batches, not with rows."""

import datetime
import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.import_bench import Cells, candidate_rows, workbook
from members.models import Member, MemberMovement, Organisation, Person, RoleAssignment
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    Enrolment,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    StageEntry,
)
from reports.imports.columns import CANDIDATES
from reports.imports.service import import_workbook
from tests.factories import MemberFactory, PersonFactory
from tests.reports.workbooks import workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

DEMO = ("--scale", "0.03", "--members", "250", "--candidates", "45")
MODELS = [
    Person,
    Member,
    MemberMovement,
    Candidate,
    StageEntry,
    PartyClass,
    Enrolment,
    Dossier,
    Introducer,
    CellVote,
    CommitteeApproval,
    AdmissionDecision,
    Ceremony,
    Recognition,
    Exit,
]
SKIP = {"id", "created_at"}


class Naturals:
    """Each record named by what it is, not by its primary key (which differs between the two paths)."""

    def __init__(self):
        self.cache: dict[type, dict[int, object]] = {}

    def of(self, model, pk):
        if pk is None:
            return None
        if model not in self.cache:
            self.cache[model] = {o.pk: self.name(o) for o in model._default_manager.all()}
        return self.cache[model].get(pk, ("?", model.__name__, pk))

    def name(self, obj):
        if isinstance(obj, Person):
            return ("person", obj.citizen_id or obj.full_name, obj.date_of_birth)
        if isinstance(obj, Member | Candidate):
            return (type(obj).__name__, self.of(Person, obj.person_id))
        if isinstance(obj, Organisation):
            return obj.code
        if isinstance(obj, PartyClass):
            return (self.of(Organisation, obj.organiser_id), obj.name, obj.starts_on)
        if isinstance(obj, Dossier):
            return ("dossier", self.of(Candidate, obj.candidate_id))
        if isinstance(obj, get_user_model()):
            return obj.username
        return (type(obj).__name__, self.values(obj))

    def values(self, obj) -> tuple:
        out = []
        for f in type(obj)._meta.concrete_fields:
            if f.name in SKIP:
                continue
            value = getattr(obj, f.attname)
            out.append((f.name, self.of(f.related_model, value) if f.is_relation else value))
        return tuple(out)


def recorded() -> dict:
    """Every record of the pipeline's tables, and each record's history in order, without keys or times."""
    names = Naturals()
    records = {m.__name__: sorted(map(repr, (names.values(o) for o in m.objects.all()))) for m in MODELS}
    for model in MODELS:
        if not hasattr(model, "history"):
            continue
        rows: dict = {}
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP]
        for h in model.history.order_by("history_id"):
            values = tuple(
                (f.name, names.of(f.related_model, getattr(h, f.attname)) if f.is_relation else getattr(h, f.attname))
                for f in fields
            )
            rows.setdefault(repr(names.of(model, getattr(h, model._meta.pk.attname))), []).append(
                (h.history_type, h.history_user_id, h.history_change_reason, values)
            )
        records[f"history of {model.__name__}"] = sorted(map(repr, rows.items()))
    return records


def _dump_difference(a, b):
    import os

    if not os.environ.get("BULK_DIFF"):
        return
    with open(os.environ["BULK_DIFF"], "w") as out:
        for key in a:
            if a[key] != b[key]:
                sa, sb = set(a[key]), set(b[key])
                out.write(f"== {key}: {len(a[key])} vs {len(b[key])}\n")
                for x in sorted(sa - sb)[:3]:
                    out.write(f"- {x}\n")
                for x in sorted(sb - sa)[:3]:
                    out.write(f"+ {x}\n")


def both_ways(data: bytes, **kwargs):
    """(result, records) of the per-row path, then of the bulk path, each from the same database."""
    outcomes = []
    for bulk in (False, True):
        with transaction.atomic():
            result = import_workbook(data, bulk=bulk, **kwargs)
            outcomes.append((result, recorded()))
            transaction.set_rollback(True)
    return outcomes


def issues_of(result) -> list:
    return [(i.sheet, i.row, i.column, i.value, i.message, i.rule) for i in result.issues]


@pytest.fixture
def demo(db):
    call_command("load_demo", *DEMO, stdout=StringIO())
    return Cells()


def sheet(rows: list[dict]) -> bytes:
    return workbook(rows)


def generated(cells: Cells, n: int, seed: int = 3) -> list[dict]:
    return list(candidate_rows(n, cells, timezone.localdate(), random.Random(seed)))


def test_the_bulk_path_writes_what_the_services_write(demo):
    rows = generated(demo, 120)
    # Every stage the generator makes (withdrawn, failed class, each step up to a full member) is there.
    assert {r["stage"] for r in rows} >= {"source", "training", "trained", "dossier", "cell_resolution", "decided"}
    assert {"probationary", "full", "withdrawn"} & {r["stage"] for r in rows}
    # A row without a citizen ID (found or created by name and birth date) goes row by row.
    rows.append({**rows[0], "citizen_id": None, "full_name": "Phan Thị Không Số", "card_number": None})
    (slow, slow_records), (fast, fast_records) = both_ways(sheet(rows))
    assert slow.ok, issues_of(slow)[:5]
    assert fast.ok, issues_of(fast)[:5]
    assert fast.counts == slow.counts
    assert fast.counts["Quần chúng"].created == len(rows)
    _dump_difference(slow_records, fast_records)
    assert fast_records == slow_records
    # The records are there (the comparison is not of two empty imports).
    with transaction.atomic():
        import_workbook(sheet(rows))
        assert Candidate.objects.filter(person__citizen_id__startswith="0999").count() == len(rows) - 1
        assert Candidate.objects.filter(helper__isnull=False, person__citizen_id__startswith="0999").exists()
        assert Member.objects.filter(person__citizen_id__startswith="0999").exists()
        transaction.set_rollback(True)


def test_refused_rows_are_reported_as_the_services_report_them(demo):
    rows = generated(demo, 60, seed=5)
    voted = [r for r in rows if r.get("vote_held_on")]
    trained = [r for r in rows if r["stage"] == "trained"]
    assert len(voted) >= 3 and trained
    voted[0]["votes_for"] = 0  # rule 6: not enough votes
    voted[1]["introducer1"] = "000000000000"  # no such member
    voted[2]["application_date"] = voted[2]["personal_history_date"] + datetime.timedelta(days=3)  # rule 4
    trained[0]["certificate_issued_on"] = timezone.localdate() + datetime.timedelta(days=3)  # in the future
    rows[5]["stage"] = "decided" if rows[5]["stage"] != "decided" else "source"  # the steps say otherwise
    rows.append({**rows[7]})  # the same person twice
    rows[8]["helper"] = rows[8]["introducer1"] = None
    rows[9]["cell_code"] = "KHONG-CO"
    (slow, slow_records), (fast, fast_records) = both_ways(sheet(rows))
    assert not slow.ok
    assert len(slow.issues) >= 6
    assert issues_of(fast) == issues_of(slow)
    assert fast_records == slow_records


def test_a_board_outside_the_rows_subtree_learns_the_same_from_both_paths(demo):
    rows = generated(demo, 40, seed=11)
    cell_codes = {r["cell_code"] for r in rows}
    commune_role = (
        RoleAssignment.objects.select_related("organisation", "user")
        .filter(organisation__depth=2)
        .exclude(organisation__code__in=cell_codes)
        .order_by("pk")
        .first()
    )
    assert commune_role is not None
    user = commune_role.user
    (slow, _), (fast, _) = both_ways(sheet(rows), user=user)
    assert not slow.ok
    assert issues_of(fast) == issues_of(slow)
    (slow, _), (fast, _) = both_ways(sheet(rows), user=user, within=commune_role.organisation)
    assert issues_of(fast) == issues_of(slow)


# The query count: a hand-built cell with six full members, candidates walked to the cell's vote.


def _members(cast) -> None:
    for i in range(5):
        MemberFactory(cell=cast.cell_a, person=PersonFactory(citizen_id=f"0011900{i:05d}"))


def voted_row(n: int) -> dict:
    return {
        "citizen_id": f"0012020{n:05d}",
        "full_name": f"Trần Thị Bình {n}",
        "gender": "Nữ",
        "date_of_birth": "10/04/2002",
        "general_education": "Trung học phổ thông",
        "is_youth_union_member": "Có",
        "cell_code": "A",
        "stage": "Chi bộ đã ra nghị quyết",
        "introduced_by": "Đoàn TNCS Hồ Chí Minh",
        "proposed_on": "10/01/2025",
        "class_name": "Lớp bồi dưỡng 1/2025",
        "class_organiser_code": "X",
        "class_starts_on": "03/03/2025",
        "class_ends_on": "07/03/2025",
        "class_result": "Đạt",
        "certificate_number": f"{n}/CN-NTVĐ",
        "certificate_issued_on": "07/03/2025",
        "application_date": "01/04/2025",
        "personal_history_date": "03/04/2025",
        "route": "Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức",
        "body_introduction_date": "10/04/2025",
        "submitted_on": "15/04/2025",
        "introducer1": "001190000001",
        "introducer1_known_since": "01/01/2023",
        "introducer1_on": "10/04/2025",
        "vote_held_on": "05/05/2025",
        # The cast's member of cell A and the five above: the roll on the day (rule 6).
        "votes_for": 6,
        "full_members": 6,
    }


def queries_for(n: int, user) -> int:
    data = workbook_bytes({CANDIDATES: [voted_row(i) for i in range(n)]})
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            result = import_workbook(data, user=user)
        assert result.ok, issues_of(result)
        assert result.counts["Quần chúng"].created == n
        assert Candidate.objects.filter(stage="cell_resolution").count() == n
        transaction.set_rollback(True)
    # Every query but the INSERTs, which SQLite splits by its 999-parameter limit (more rows, more batches).
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith("INSERT"))


@pytest.mark.parametrize("n", [5])
def test_importing_four_times_the_rows_runs_the_same_queries(cast, n):
    _members(cast)

    # A first run warms what the process reads once (content types); each measured run then gets a fresh
    # user, so what is read once per user (the roles, cached on the user object) falls in both.
    def fresh():
        return type(cast.commune_board).objects.get(pk=cast.commune_board.pk)

    queries_for(n, fresh())
    few, many = queries_for(n, fresh()), queries_for(4 * n, fresh())
    assert many == few
    # The per-row path, for scale: several queries a step, for each row.
    data = workbook_bytes({CANDIDATES: [voted_row(i) for i in range(4 * n)]})
    with transaction.atomic():
        with CaptureQueriesContext(connection) as per_row:
            import_workbook(data, user=cast.commune_board, bulk=False)
        transaction.set_rollback(True)
    assert len(per_row) > many + 4 * n * 10
