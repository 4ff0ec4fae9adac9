"""load_demo's admission pipeline (recruitment.demo): every stage and exit, classes with results,
the warnings of the rules left open, the committee path, returns and background checks; built
through the services without a refusal, nothing in the future, the same for the same seed.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from members.demo.place_names import PROVINCE_CODE
from members.models import Member, MemberMovement, Organisation
from members.structure import grassroots_committee_of
from members.vocabulary import MemberStatus, MovementKind, Sector
from recruitment import rule_numbers as N
from recruitment import rules, services
from recruitment.demo.small_cell import NAME as SMALL_CELL_NAME
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    DossierReturn,
    Enrolment,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    StageEntry,
    VerificationRequest,
)
from recruitment.vocabulary import EXITS, PIPELINE, Stage
from recruitment.working_days import working_days_between

# The small province of tests/members/test_load_demo.py: three communes, 400 members, about 40
# candidates (the showcase of recruitment.demo.mix and a few more).
SMALL = ("--communes", "3", "--members", "400", "--scale", "0.1")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REFUSED = "Bước bị từ chối"
ADMITTED = (Stage.PROBATIONARY, Stage.FULL, Stage.STRUCK_OFF)


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def open_codes(stage: str | None = None) -> set[str]:
    candidates = Candidate.objects.exclude(open_findings=[])
    if stage:
        candidates = candidates.filter(stage=stage)
    return {f["code"] for findings in candidates.values_list("open_findings", flat=True) for f in findings}


def pipeline_digest() -> list:
    return sorted(
        Candidate.objects.values_list(
            "person__full_name", "person__citizen_id", "cell__code", "stage", "stage_entered_on", "open_findings"
        ),
        key=repr,
    ) + sorted(PartyClass.objects.values_list("organiser__code", "name", "starts_on"))


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        output = load_demo()
        yield output
        transaction.set_rollback(True)


# calendar: the demo is built on today (make test-dates builds it on each day of its set). The other
# tests here pin their own day or check what no day changes (the same seed builds the same data).
@pytest.mark.calendar
@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemoPipeline:
    def test_every_step_went_through_the_services_without_a_refusal(self, demo_output):
        assert REFUSED not in demo_output
        assert "Quần chúng ưu tú:" in demo_output and "Lớp bồi dưỡng nhận thức về Đảng:" in demo_output

    def test_every_stage_and_every_exit_is_present(self):
        stages = set(Candidate.objects.values_list("stage", flat=True))
        assert stages == set(PIPELINE) | set(EXITS)
        assert Candidate.objects.count() >= 35
        for candidate in Candidate.objects.filter(stage__in=EXITS).select_related("exit"):
            assert candidate.exit.kind == candidate.stage and candidate.exit.reason

    def test_classes_are_run_by_communes_with_passes_failures_and_one_in_session(self):
        today = timezone.localdate()
        classes = PartyClass.objects.select_related("organiser")
        assert classes.count() >= 3
        assert {c.organiser.level for c in classes} == {"commune"}
        assert Enrolment.objects.filter(passed=True).exclude(certificate_number="").exists()
        failed = Enrolment.objects.filter(passed=False)
        assert failed.exists() and not failed.exclude(certificate_number="").exists()
        in_session = Enrolment.objects.filter(passed=None)
        assert in_session.exists()
        assert set(in_session.values_list("candidate__stage", flat=True)) == {Stage.TRAINING}
        assert all(today.year - 3 <= c.starts_on.year <= today.year for c in classes)
        for enrolment in Enrolment.objects.filter(passed=True).select_related(
            "candidate__cell", "party_class__organiser"
        ):
            assert enrolment.candidate.cell.path.startswith(enrolment.party_class.organiser.path)
            assert enrolment.party_class.ends_on <= enrolment.certificate_issued_on <= today

    def test_each_warning_is_left_open_on_the_stage_it_belongs_to(self):
        assert {"R04_SAME_DAY"} <= open_codes(Stage.DOSSIER)
        assert {"R07_TOO_FEW_FULL_MEMBERS", "R14_PAPER_TOO_OLD", "R01_OVER_AGE_EXCEPTION"} <= open_codes(
            Stage.CELL_RESOLUTION
        )
        assert "R08_DECISION_EXTENDED" in open_codes(Stage.DECIDED)
        assert "R09_LATE_WITH_CONSENT" in open_codes(Stage.PROBATIONARY)
        assert "R11_RECOGNITION_LATE" in open_codes(Stage.FULL)
        for findings in Candidate.objects.exclude(open_findings=[]).values_list("open_findings", flat=True):
            assert all(f["severity"] in ("warns", "notes") and f["message"] for f in findings)

    def test_the_warnings_come_from_the_recorded_figures(self):
        small = CellVote.objects.filter(full_members__lt=N.MIN_FULL_MEMBERS_FOR_VOTE)
        assert small.exists()
        extended = AdmissionDecision.objects.filter(extended=True).select_related("candidate")
        assert extended.exists()
        for decision in extended:
            vote = decision.candidate.cell_votes.order_by("-held_on").first()
            used = working_days_between(vote.held_on, decision.decided_on)
            assert N.DECISION_WORKING_DAYS < used <= N.DECISION_WORKING_DAYS + N.DECISION_EXTENSION_WORKING_DAYS
        assert Ceremony.objects.exclude(superior_consent="").exists()

    def test_the_company_cell_has_two_full_members_after_one_left(self):
        cell = Organisation.objects.get(name=SMALL_CELL_NAME)
        assert cell.sector == Sector.NON_STATE_ENTERPRISE
        assert Member.objects.filter(cell=cell, status=MemberStatus.FULL).count() == 2
        moves = MemberMovement.objects.filter(organisation=cell)
        assert moves.filter(kind=MovementKind.TRANSFERRED_IN).count() == 3
        assert moves.filter(kind=MovementKind.TRANSFERRED_OUT).count() == 1
        vote = CellVote.objects.filter(candidate__cell=cell).order_by("held_on").last()
        assert vote.full_members == 2

    def test_candidates_under_a_grassroots_committee_were_approved_by_it(self):
        past_the_committee = (Stage.COMMITTEE_REVIEW, Stage.DECIDED, *ADMITTED)
        seen = 0
        for candidate in Candidate.objects.filter(stage__in=past_the_committee).select_related("cell"):
            committee = grassroots_committee_of(candidate.cell)
            approvals = list(candidate.committee_approvals.all())
            if committee is None:
                assert not approvals
                continue
            seen += 1
            assert approvals and all(a.committee == committee for a in approvals)
            assert all(a.votes_for >= rules.required_votes(a.committee_members) for a in approvals)
        assert seen and CommitteeApproval.objects.exists()

    def test_a_committee_sent_a_dossier_back(self):
        assert DossierReturn.objects.filter(from_stage=Stage.CELL_RESOLUTION, to_stage=Stage.DOSSIER).exists()
        waiting = Candidate.objects.exclude(returned_reason="")
        assert waiting.exists() and set(waiting.values_list("stage", flat=True)) == {Stage.DOSSIER}

    def test_background_checks_were_sent_and_one_is_overdue(self):
        today = timezone.localdate()
        requests = VerificationRequest.objects.all()
        assert requests.filter(replied_on__isnull=False).exists()
        overdue = requests.filter(replied_on=None, reply_due_on__lt=today, candidate__stage__in=PIPELINE[:7])
        assert overdue.exists()

    def test_helpers_and_introducers_are_members_of_the_candidates_cell(self):
        for candidate in Candidate.objects.exclude(helper=None).select_related("helper"):
            assert candidate.helper.cell_id == candidate.cell_id
        introducers = Introducer.objects.select_related("member", "dossier__candidate")
        assert introducers.exists()
        for introducer in introducers:
            assert introducer.member.cell_id == introducer.dossier.candidate.cell_id
            assert introducer.member.status == MemberStatus.FULL
            assert rules.full_months_between(introducer.known_since, introducer.introduced_on) >= 12
        routes = set(Dossier.objects.values_list("route", flat=True))
        assert {"youth_union", "members"} <= routes

    def test_candidates_are_mostly_young_and_proposed_by_the_youth_union(self):
        candidates = list(Candidate.objects.select_related("person"))
        ages = [(c.proposed_on - c.person.date_of_birth).days // 365 for c in candidates]
        assert min(ages) >= 18
        assert sum(18 <= a <= 35 for a in ages) / len(ages) > 0.75
        youth_union = sum(c.introduced_by == "youth_union" for c in candidates)
        assert youth_union / len(candidates) > 0.5

    def test_the_admitted_are_members_on_the_rolls_decided_since_two_years_back(self):
        today = timezone.localdate()
        admitted = Candidate.objects.filter(stage__in=ADMITTED).select_related("member", "decision", "ceremony")
        assert admitted.exists()
        for candidate in admitted:
            member, decision = candidate.member, candidate.decision
            assert datetime.date(today.year - 2, 1, 1) <= decision.decided_on <= today
            assert member.admission_decision_date == decision.decided_on
            assert member.ceremony_date == candidate.ceremony.held_on
            assert member.movements.filter(kind=MovementKind.ADMITTED, date=decision.decided_on).count() == 1
            expected = {
                Stage.PROBATIONARY: MemberStatus.PROBATIONARY,
                Stage.FULL: MemberStatus.FULL,
                Stage.STRUCK_OFF: MemberStatus.LEFT,
            }[candidate.stage]
            assert member.status == expected
            if candidate.stage == Stage.FULL:
                assert member.recognition_date == rules.probation_end(candidate.ceremony.held_on)

    def test_stage_entries_follow_each_candidate_to_where_it_stands(self):
        for candidate in Candidate.objects.prefetch_related("stage_entries"):
            entries = list(candidate.stage_entries.all())
            assert entries[0].stage == Stage.SOURCE and entries[0].entered_on == candidate.proposed_on
            assert entries[-1].stage == candidate.stage and entries[-1].entered_on == candidate.stage_entered_on
            assert [e.entered_on for e in entries] == sorted(e.entered_on for e in entries)

    def test_nothing_is_dated_after_today(self):
        today = timezone.localdate()
        for model, fields in (
            (Candidate, ["proposed_on", "stage_entered_on"]),
            (StageEntry, ["entered_on"]),
            (PartyClass, ["starts_on", "ends_on"]),
            (Enrolment, ["certificate_issued_on"]),
            (Dossier, ["application_date", "personal_history_date", "submitted_on", "verification_completed_on"]),
            (VerificationRequest, ["sent_on", "replied_on"]),
            (CellVote, ["held_on"]),
            (CommitteeApproval, ["held_on"]),
            (AdmissionDecision, ["decided_on", "received_on"]),
            (Ceremony, ["held_on"]),
            (Recognition, ["meeting_on", "effective_on"]),
            (Exit, ["on"]),
            (DossierReturn, ["on"]),
        ):
            for field in fields:
                assert not model.objects.filter(**{f"{field}__gt": today}).exists(), (model, field)

    def test_the_demo_logins_are_the_authors_in_their_own_cell_and_commune(self):
        authors = set(Candidate.history.exclude(history_user=None).values_list("history_user__username", flat=True))
        assert "bantochuc.xa" in authors and authors & {"bithu.chibo", "bithu.chibo2"}
        decisions = AdmissionDecision.objects.filter(created_by__username="bantochuc.xa")
        assert decisions.exists()

    def test_the_steps_written_in_bulk_are_those_the_services_write(self):
        """recruitment.demo.early writes proposals, enrolments and results in bulk: same rows, same history."""
        bulk = Candidate.objects.filter(stage=Stage.TRAINED).annotate(n=Count("enrolments")).filter(n=1).first()
        taken = bulk.enrolments.get()
        walked = services.candidate_propose(
            cell=bulk.cell,
            introduced_by=bulk.introduced_by,
            proposed_on=bulk.proposed_on,
            helper=bulk.helper,
            person_fields={"full_name": "Lò Văn Sáng", "gender": "male", "date_of_birth": datetime.date(2001, 5, 2)},
            by=None,
        )
        party_class = services.class_create(
            organiser=taken.party_class.organiser,
            name="Lớp đối chứng",
            starts_on=taken.party_class.starts_on,
            ends_on=taken.party_class.ends_on,
            by=None,
        )
        services.candidate_enroll_in_class(candidate=walked, party_class=party_class, by=None)
        result = services.ClassResult(walked.pk, True, "001/CN", taken.certificate_issued_on)
        services.class_record_results(party_class=party_class, results=[result], by=None)

        def shape(candidate: Candidate):
            candidate.refresh_from_db()
            history = candidate.history.order_by("history_id")
            enrolments = Enrolment.history.filter(candidate_id=candidate.pk).order_by("history_id")
            return (
                [(h.history_type, h.stage, h.stage_entered_on, h.open_findings, h.returned_reason) for h in history],
                [(h.history_type, h.passed, bool(h.certificate_number)) for h in enrolments],
                [(e.stage, e.entered_on, e.note) for e in candidate.stage_entries.all()],
                candidate.person.history.count(),
            )

        assert shape(walked) == shape(bulk)

    def test_a_second_run_adds_no_candidate(self):
        before = (Candidate.objects.count(), PartyClass.objects.count(), StageEntry.objects.count())
        assert "Dữ liệu mẫu đã có" in load_demo()
        assert (Candidate.objects.count(), PartyClass.objects.count(), StageEntry.objects.count()) == before


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_pipeline():
    def build(seed: int) -> list:
        with transaction.atomic():
            load_demo("--seed", str(seed))
            result = pipeline_digest()
            transaction.set_rollback(True)
        assert not Organisation.objects.filter(code=PROVINCE_CODE).exists()
        return result

    first = build(5)
    assert first and build(5) == first


@pytest.mark.django_db
def test_a_frozen_today_gives_a_pipeline_that_ends_that_day():
    frozen = datetime.datetime(2025, 9, 15, 3, tzinfo=datetime.UTC)
    with time_machine.travel(frozen, tick=False):
        today = timezone.localdate()
        output = load_demo("--members", "250")
        assert REFUSED not in output
        assert set(Candidate.objects.values_list("stage", flat=True)) >= {Stage.SOURCE, Stage.PROBATIONARY}
        assert not StageEntry.objects.filter(entered_on__gt=today).exists()
        assert not PartyClass.objects.filter(ends_on__gt=today).exists()
        decided = AdmissionDecision.objects.values_list("decided_on", flat=True)
        assert all(datetime.date(2023, 1, 1) <= d <= today for d in decided)


@pytest.mark.django_db
def test_candidates_zero_builds_no_pipeline():
    load_demo("--candidates", "0")
    assert not Candidate.objects.exists() and not PartyClass.objects.exists()
    assert not Organisation.objects.filter(name=SMALL_CELL_NAME).exists()
