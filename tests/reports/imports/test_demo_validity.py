"""The demo is valid whatever day it is built on: every candidate and member row it writes passes the
checks the application itself makes, with the application's own functions.

The demo is built relative to today, and part of it is written in bulk (recruitment.demo.early), so
a rule the services or the import enforce can be missed on one build day and kept on another (a
helper who joined the cell after the proposal, issue 11). Each build day below builds a small demo
and runs, on every row:
- the import's row validators (reports.imports.rows.validate_row) on the province exported in the
  import format: members, movements, organisations, candidates, quotas;
- the import's helper check (reports.imports.apply.attach_helper): the helper was a member of the
  candidate's cell on the proposal day, as the member's movements say;
- the rules (recruitment.rules) each service runs when it records a step, run again on the step as
  recorded: none may block;
- the models' own validation (full_clean) of people, members and candidates.
The `today` case builds on the real today. `make test-dates` leaves it out: on each day of its set the
demo's round trip through the import (tests/reports/imports/test_import_round_trip.py) makes the same checks
through the import itself, at a smaller size.
"""

import datetime
import io

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from members.demo.place_names import PROVINCE_CODE
from members.models import Member, Organisation, Person
from members.services import member_transfer
from members.vocabulary import MemberStatus
from recruitment import rules
from recruitment.models import Candidate, CellVote
from recruitment.services import dossier as dossier_services
from recruitment.services import records
from reports.demo import DemoSize, build_demo
from reports.imports import reader
from reports.imports.apply import Context, RowRefused, attach_helper
from reports.imports.export import export_workbook
from reports.imports.rows import validate_row

pytestmark = pytest.mark.django_db

# Three communes (two of today's tree and the reorganised one), 600 members, some 60 candidates.
SIZE = DemoSize.from_options(communes=3, members=600, scale=0.1)
# Build days besides today: the first day the demo can be built on, and two days on which this build
# drew a helper who came to the cell after the proposal before the fix of issue 11 (a member
# transferred in, found on 1/1/2027 and on 1/7/2030 at this size).
BUILD_DAYS = {
    "day after the reorganisation": datetime.date(2025, 7, 2),
    "1 January 2027": datetime.date(2027, 1, 1),
    "first day of the 2030-2035 term": datetime.date(2030, 7, 1),
}


def at_nine(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_default_timezone())


# --- the checks --------------------------------------------------------------------------------


def import_row_problems(province: Organisation) -> list[str]:
    """What the import's row validators say about the province's rows in the import format."""
    stream = io.BytesIO()
    export_workbook(province, stream)
    workbook, issues = reader.open_workbook(stream.getvalue())
    assert workbook is not None, issues
    problems, seen = [], set()
    try:
        for row in reader.rows(workbook):
            seen.add(row.spec.key)
            _values, found = validate_row(row.spec, row.raw, row.formulas)
            problems += [f"{row.spec.title} row {row.number} [{p.column}]: {p.message}" for p in found]
    finally:
        workbook.close()
    assert seen >= {"organisations", "members", "movements", "candidates", "quotas"}, seen
    return problems


def helper_refusals(today: datetime.date) -> tuple[int, list[str]]:
    """The import's check of each helper (in the candidate's cell on the proposal day); (checked, refusals)."""
    ctx = Context(user=None, roots=None, visible=None, today=today)
    checked, refused = 0, []
    for candidate in Candidate.objects.exclude(helper=None).select_related("helper__person").order_by("pk"):
        # Named as the import format names a member; one with neither is not on the sheet either.
        reference = candidate.helper.person.citizen_id or candidate.helper.card_number
        if not reference:
            continue
        checked += 1
        try:
            with transaction.atomic():
                attach_helper(ctx, candidate.pk, reference)
                transaction.set_rollback(True)
        except RowRefused as refusal:
            refused += [p.message for p in refusal.problems]
    return checked, refused


def recorded_step_findings(candidate: Candidate, today: datetime.date) -> list[tuple[str, rules.Finding]]:
    """The rules each service of recruitment.services runs when it records a step, on the steps as recorded."""
    person = candidate.person
    dossier = getattr(candidate, "dossier", None)
    if dossier is None:
        return []
    found = []
    introducers = list(dossier.introducers.select_related("member__person"))
    found += [
        ("dossier", f)
        for f in rules.check_dates_plausible(today=today, **records.dates_on_record(candidate))
        + rules.check_application_before_history(
            application_date=dossier.application_date, history_date=dossier.personal_history_date
        )
        + dossier_services.introducer_findings(candidate, dossier, introducers, dossier.submitted_on)
    ]
    enrolment = records.passed_enrolment(candidate)
    for vote in candidate.cell_votes.order_by("held_on", "pk"):
        found += [
            ("vote", f)
            for f in rules.check_dates_plausible(
                today=today, **records.dates_on_record(candidate, resolution_date=vote.held_on)
            )
            + rules.check_age(
                birth_date=person.date_of_birth,
                vote_date=vote.held_on,
                over_age_exception=bool(candidate.over_age_exception),
                exception_reference=candidate.over_age_exception,
            )
            + rules.check_education(
                general_education=person.general_education or None,
                hardship_exception=bool(candidate.education_exception),
                exception_reference=candidate.education_exception,
            )
            + rules.check_certificate(
                issued_on=enrolment.certificate_issued_on if enrolment else None, vote_date=vote.held_on
            )
            + dossier_services.introducer_findings(candidate, dossier, introducers, vote.held_on)
            + rules.check_minimum_full_members(full_members=vote.full_members)
            + rules.check_cell_vote(
                votes_for=vote.votes_for, full_members=vote.full_members, absent_exempt=vote.absent_exempt
            )
            + rules.check_dossier_paper_age(
                vote_date=vote.held_on,
                papers={
                    "application": dossier.application_date,
                    "history": dossier.personal_history_date,
                    **{f"introduction {i.pk}": i.introduced_on for i in introducers},
                },
            )
        ]
    vote = candidate.cell_votes.order_by("-held_on", "-pk").first()
    approval = candidate.committee_approvals.order_by("-held_on", "-pk").first()
    for each in candidate.committee_approvals.all():
        found += [
            ("committee", f)
            for f in rules.check_dates_plausible(
                today=today, resolution_date=vote.held_on, committee_approval_date=each.held_on
            )
            + rules.check_committee_approval(votes_for=each.votes_for, committee_members=each.committee_members)
        ]
    decision = getattr(candidate, "decision", None)
    if decision is not None:
        found += [
            ("decision", f)
            for f in rules.check_dates_plausible(
                today=today,
                resolution_date=vote.held_on,
                committee_approval_date=approval.held_on if approval else None,
                decision_date=decision.decided_on,
                decision_received_date=decision.received_on,
            )
            + rules.check_decision_deadline(
                resolution_date=vote.held_on, decision_date=decision.decided_on, extended=decision.extended
            )
        ]
    ceremony = getattr(candidate, "ceremony", None)
    if ceremony is not None:
        found += [
            ("ceremony", f)
            for f in rules.check_dates_plausible(
                today=today,
                decision_date=decision.decided_on,
                decision_received_date=decision.received_on,
                ceremony_date=ceremony.held_on,
            )
            + rules.check_ceremony_deadline(
                decision_received_date=decision.received_on,
                ceremony_date=ceremony.held_on,
                superior_consent=bool(ceremony.superior_consent),
            )
        ]
    recognition = getattr(candidate, "recognition", None)
    if recognition is not None:
        found += [
            ("recognition", f)
            for f in rules.check_dates_plausible(
                today=today, ceremony_date=ceremony.held_on, recognition_date=recognition.meeting_on
            )
            + rules.check_probation_completed(ceremony_date=ceremony.held_on, recognition_date=recognition.meeting_on)
            + rules.check_recognition_deadline(ceremony_date=ceremony.held_on, recognition_date=recognition.meeting_on)
        ]
    return found


def blocking_findings(today: datetime.date) -> list[str]:
    candidates = Candidate.objects.select_related("person", "cell", "decision", "ceremony", "recognition")
    return [
        f"{c.person.full_name} ({c.stage}), {step}: {f.code} {f.message}"
        for c in candidates.select_related("dossier").order_by("pk")
        for step, f in recorded_step_findings(c, today)
        if f.blocks
    ]


def model_errors() -> list[str]:
    errors = []
    for queryset in (Person.objects.all(), Member.objects.select_related("person"), Candidate.objects.all()):
        for obj in queryset.order_by("pk"):
            try:
                obj.full_clean(validate_unique=False)
            except Exception as error:  # noqa: BLE001 - every row's errors are collected and shown together
                errors.append(f"{type(obj).__name__} {obj.pk}: {error}")
    return errors


def check_a_build(day: datetime.date) -> None:
    report = build_demo(SIZE)
    assert not report.refusals, report.refusals
    province = Organisation.objects.get(code=PROVINCE_CODE)
    assert Candidate.objects.filter(stage="full").exists() and Member.objects.count() > SIZE.members
    assert import_row_problems(province) == []
    checked, refused = helper_refusals(day)
    assert checked > 20 and refused == []
    assert blocking_findings(day) == []
    assert model_errors() == []


# --- one test per build day ----------------------------------------------------------------------


@pytest.mark.parametrize("day", list(BUILD_DAYS.values()), ids=list(BUILD_DAYS))
def test_the_demo_built_on_a_day_passes_the_applications_checks(day):
    with time_machine.travel(at_nine(day), tick=False):
        assert timezone.localdate() == day
        check_a_build(day)


def test_the_demo_built_today_passes_the_applications_checks():
    check_a_build(timezone.localdate())


def test_the_checks_can_fail():
    """A helper moved in from another cell after the proposal day, a vote short of two thirds, a member
    recognised before their admission: each check sees its own."""
    day = BUILD_DAYS["1 January 2027"]
    with time_machine.travel(at_nine(day), tick=False):
        build_demo(SIZE)
        candidate = (
            Candidate.objects.exclude(helper=None)
            .exclude(helper__person__citizen_id=None)
            .filter(proposed_on__lt=day - datetime.timedelta(days=30))
            .select_related("cell")
            .order_by("pk")
            .first()
        )
        newcomer = (
            Member.objects.filter(status=MemberStatus.FULL, person__citizen_id__isnull=False)
            .exclude(cell=candidate.cell)
            .order_by("pk")
            .first()
        )
        member_transfer(member=newcomer, to_cell=candidate.cell, on=candidate.proposed_on + datetime.timedelta(days=3))
        Candidate.objects.filter(pk=candidate.pk).update(helper=newcomer)
        _checked, refused = helper_refusals(day)
        assert len(refused) == 1 and newcomer.person.full_name in refused[0]

        vote = CellVote.objects.order_by("pk").first()
        CellVote.objects.filter(pk=vote.pk).update(votes_for=0)
        assert any("R06_VOTE_SHARE" in f for f in blocking_findings(day))

        member = Member.objects.filter(recognition_date__isnull=False, candidate=None).order_by("pk").first()
        Member.objects.filter(pk=member.pk).update(
            recognition_date=member.admission_decision_date - datetime.timedelta(days=1)
        )
        assert any("Đảng viên" in p for p in import_row_problems(Organisation.objects.get(code=PROVINCE_CODE)))
