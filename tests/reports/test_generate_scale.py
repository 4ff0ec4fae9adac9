"""generate_scale: a province shaped like the real ones, valid for every rule, the same for the same seed.

One build of 3,000 members on a frozen day is shared by the read-only tests of the class.
"""

import datetime
import hashlib
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings

from members import services as member_services
from members.demo.dates import REORGANISATION_DAY, add_years
from members.demo.scale import SCALE_LOGINS
from members.demo.users import DEMO_PASSWORD
from members.models import Member, MemberMovement, Organisation, Person, RoleAssignment
from members.selectors import member_count_on
from members.structure import grassroots_committee_of
from members.vocabulary import (
    ACTIVE_MEMBER_STATUSES,
    CELL_LEVELS,
    MOVEMENT_SIGN,
    Level,
    MemberStatus,
    MovementKind,
    Role,
    Sector,
)
from recruitment import rules
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    CommitteeApproval,
    Dossier,
    Enrolment,
    PartyClass,
    StageEntry,
)
from recruitment.services.dossier import introducer_findings
from recruitment.services.records import dates_on_record
from recruitment.vocabulary import OPEN_STAGES, PIPELINE, Stage
from reports.models import Quota
from reports.progress import periods

TODAY = datetime.date(2026, 12, 5)
FROZEN = datetime.datetime(2026, 12, 5, 3, tzinfo=datetime.UTC)
MEMBERS = 3000
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_scale", *args, stdout=out)
    return out.getvalue()


def active(qs=None):
    return (qs if qs is not None else Member.objects.all()).filter(status__in=ACTIVE_MEMBER_STATUSES)


def digest() -> str:
    units = sorted(Organisation.objects.values_list("code", "name", "level", "founded_on", "dissolved_on"))
    people = sorted(Person.objects.values_list("citizen_id", "full_name", "date_of_birth"), key=repr)
    members = sorted(Member.objects.values_list("cell__code", "status", "admission_decision_date"), key=repr)
    candidates = sorted(Candidate.objects.values_list("person__full_name", "cell__code", "stage", "stage_entered_on"))
    return hashlib.sha256(repr((units, people, members, candidates)).encode()).hexdigest()


@pytest.fixture(scope="class")
def province(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        time_machine.travel(FROZEN, tick=False),
        transaction.atomic(),
    ):
        output = generate("--members", str(MEMBERS), "--seed", "3")
        yield output
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("province")
class TestAScaleProvince:
    def test_it_prints_its_phases_counts_and_logins(self, province):
        assert "Ghi hồ sơ đảng viên và biến động:" in province and "giây" in province
        assert "members: 3.000" in province
        assert DEMO_PASSWORD in province and "bithu.dangbocs" in province

    def test_every_level_and_every_sector(self):
        assert set(Organisation.objects.values_list("level", flat=True)) == set(Level.values)
        cells = Organisation.objects.filter(level__in=CELL_LEVELS, dissolved_on=None)
        assert set(cells.values_list("sector", flat=True)) == set(Sector.values)

    def test_about_one_organisation_per_80_members(self):
        on_roll = active().count()
        units = Organisation.objects.filter(dissolved_on=None).exclude(level=Level.CELL).count()
        assert 0.65 < on_roll / units / 80 < 1.35, (on_roll, units)
        assert MEMBERS * 0.9 < on_roll < MEMBERS

    def test_cells_hold_5_to_60_members_and_communes_100_to_3000(self):
        per_cell = Counter(dict(active().values_list("cell").annotate(n=Count("id")).values_list("cell", "n")))
        cells = Organisation.objects.filter(level__in=CELL_LEVELS, dissolved_on=None)
        assert set(per_cell) == set(cells.values_list("pk", flat=True))
        assert all(5 <= n <= 60 for n in per_cell.values()), sorted(per_cell.values())
        grassroots = cells.filter(level=Level.GRASSROOTS_CELL).values_list("pk", flat=True)
        assert all(per_cell[pk] < 30 for pk in grassroots)
        province = Organisation.objects.get(level=Level.PROVINCE)
        communes = Organisation.objects.filter(level=Level.COMMUNE, dissolved_on=None)
        assert communes.count() >= 2
        for commune in communes:
            assert commune.path[: -Organisation.steplen] == province.path
            on_roll = Member.objects.filter(cell__path__startswith=commune.path).count()
            assert 100 <= on_roll <= 3000, (commune.name, on_roll)

    def test_the_2025_reorganisation(self):
        districts = Organisation.objects.filter(level=Level.DISTRICT)
        assert districts.exists()
        assert set(districts.values_list("dissolved_on", flat=True)) == {REORGANISATION_DAY}
        for district in districts:
            under = Organisation.objects.filter(path__startswith=district.path).exclude(pk=district.pk)
            assert under.exists() and not under.filter(merged_into=None).exists()
            assert set(under.values_list("dissolved_on", flat=True)) == {REORGANISATION_DAY}
            assert not active().filter(cell__path__startswith=district.path).exists()
            for old in under:
                new = old.merged_into
                assert new.founded_on == REORGANISATION_DAY and new.is_active
                assert new.level == old.level
        new_communes = Organisation.objects.filter(level=Level.COMMUNE, founded_on=REORGANISATION_DAY)
        assert new_communes.exists() and all(c.predecessors.count() >= 2 for c in new_communes)
        moves = MemberMovement.objects.filter(date=REORGANISATION_DAY)
        out = moves.filter(kind=MovementKind.TRANSFERRED_OUT, organisation__dissolved_on=REORGANISATION_DAY)
        into = moves.filter(kind=MovementKind.TRANSFERRED_IN, organisation__founded_on=REORGANISATION_DAY)
        assert out.count() == into.count() > 100

    def test_movements_add_up_to_the_rolls(self):
        for unit in Organisation.objects.exclude(level__in=CELL_LEVELS).filter(dissolved_on=None):
            on_roll = active().filter(cell__path__startswith=unit.path).count()
            assert member_count_on(organisation=unit, day=TODAY) == on_roll, unit.name
        admitted = MemberMovement.objects.filter(kind=MovementKind.ADMITTED)
        assert admitted.count() == Member.objects.count() == MEMBERS
        assert not admitted.exclude(date=F("member__admission_decision_date")).exists()
        for member in Member.objects.prefetch_related("movements"):
            net = sum(MOVEMENT_SIGN[m.kind] for m in member.movements.all())
            assert net == (0 if member.status == MemberStatus.LEFT else 1), member.pk
            days = [m.date for m in member.movements.all()]
            assert days == sorted(days) and days[0] == member.admission_decision_date
            if member.status != MemberStatus.LEFT:
                assert (member.recognition_date is not None) == (add_years(member.admission_decision_date, 1) <= TODAY)
                assert member.status == (MemberStatus.FULL if member.recognition_date else MemberStatus.PROBATIONARY)
        kinds = set(MemberMovement.objects.values_list("kind", flat=True))
        # Leaving at one's own request (added with the member pages) is not generated: too rare to matter at scale.
        assert kinds == set(MovementKind.values) - {MovementKind.LEFT_PARTY}

    def test_admissions_run_at_about_two_and_a_half_percent_a_year(self):
        on_roll = active().count()
        for year in range(2020, TODAY.year + 1):
            admitted = MemberMovement.objects.filter(kind=MovementKind.ADMITTED, date__year=year).count()
            assert 0.018 < admitted / on_roll < 0.036, (year, admitted)

    def test_nothing_after_today(self):
        for model, fields in (
            (MemberMovement, ["date"]),
            (Member, ["admission_decision_date", "ceremony_date", "recognition_date"]),
            (Person, ["date_of_birth"]),
            (Organisation, ["founded_on", "dissolved_on"]),
            (StageEntry, ["entered_on"]),
            (Candidate, ["proposed_on", "stage_entered_on"]),
            (Enrolment, ["certificate_issued_on"]),
            (PartyClass, ["starts_on", "ends_on"]),
            (AdmissionDecision, ["decided_on", "received_on"]),
        ):
            for field in fields:
                assert not model.objects.filter(**{f"{field}__gt": TODAY}).exists(), (model, field)

    def test_records_pass_model_validation(self):
        for model in (Organisation, Person, Member, MemberMovement, Candidate, Dossier, CellVote, Quota):
            for obj in model.objects.order_by("?")[:60]:
                obj.full_clean(exclude=["created_by"], validate_unique=False)

    def test_every_open_stage_with_its_entries_in_order(self):
        assert set(OPEN_STAGES) <= set(Candidate.objects.values_list("stage", flat=True))
        assert Candidate.objects.count() >= MEMBERS * 0.03
        for candidate in Candidate.objects.prefetch_related("stage_entries"):
            entries = [(e.stage, e.entered_on) for e in candidate.stage_entries.all()]
            stages = [s for s, _d in entries]
            assert stages == list(PIPELINE[: PIPELINE.index(candidate.stage) + 1]) or (
                Stage.COMMITTEE_REVIEW not in stages
                and stages
                == [s for s in PIPELINE[: PIPELINE.index(candidate.stage) + 1] if s != Stage.COMMITTEE_REVIEW]
            ), stages
            days = [d for _s, d in entries]
            assert days == sorted(days)
            assert entries[0] == (Stage.SOURCE, candidate.proposed_on)
            assert entries[-1] == (candidate.stage, candidate.stage_entered_on)
            assert candidate.cell.is_active and candidate.cell.founded_on < candidate.proposed_on

    def test_each_step_has_its_record_and_the_rules_accept_it(self):
        order = list(PIPELINE)
        for candidate in Candidate.objects.select_related("person", "cell"):
            reached = order.index(candidate.stage)
            enrolment = Enrolment.objects.filter(candidate=candidate).select_related("party_class").first()
            assert (enrolment is not None) == (reached >= order.index(Stage.TRAINING) and enrolment is not None)
            if reached == order.index(Stage.TRAINING):
                assert enrolment.passed is None
            elif reached > order.index(Stage.TRAINING):
                assert enrolment.passed and enrolment.certificate_number
                assert enrolment.party_class.ends_on <= enrolment.certificate_issued_on
                assert candidate.cell.path.startswith(enrolment.party_class.organiser.path)
            has_dossier = Dossier.objects.filter(candidate=candidate).exists()
            assert has_dossier == (reached >= order.index(Stage.DOSSIER))
            if not has_dossier:
                continue
            dossier = candidate.dossier
            introducers = list(dossier.introducers.select_related("member__person"))
            day = dossier.submitted_on
            vote = CellVote.objects.filter(candidate=candidate).first()
            assert (vote is not None) == (reached >= order.index(Stage.CELL_RESOLUTION))
            findings = introducer_findings(candidate, dossier, introducers, day)
            findings += rules.check_dates_plausible(today=TODAY, **dates_on_record(candidate))
            findings += rules.check_application_before_history(
                application_date=dossier.application_date, history_date=dossier.personal_history_date
            )
            findings += rules.check_certificate(issued_on=enrolment.certificate_issued_on, vote_date=day)
            if vote:
                day = vote.held_on
                findings += introducer_findings(candidate, dossier, introducers, day)
                findings += rules.check_age(birth_date=candidate.person.date_of_birth, vote_date=day)
                findings += rules.check_education(general_education=candidate.person.general_education)
                findings += rules.check_cell_vote(
                    votes_for=vote.votes_for, full_members=vote.full_members, absent_exempt=vote.absent_exempt
                )
                findings += rules.check_dates_plausible(today=TODAY, **dates_on_record(candidate, resolution_date=day))
            approval = CommitteeApproval.objects.filter(candidate=candidate).first()
            committee = grassroots_committee_of(candidate.cell)
            assert (approval is not None) == (committee is not None and reached >= order.index(Stage.COMMITTEE_REVIEW))
            if approval:
                assert approval.committee == committee and vote.held_on <= approval.held_on
                findings += rules.check_committee_approval(
                    votes_for=approval.votes_for, committee_members=approval.committee_members
                )
            decision = AdmissionDecision.objects.filter(candidate=candidate).first()
            assert (decision is not None) == (reached >= order.index(Stage.DECIDED))
            if decision:
                assert decision.decided_on <= rules.decision_deadline(vote.held_on)
                assert decision.issuing_committee.level == Level.COMMUNE
            blocking = [f.code for f in findings if f.blocks]
            assert not blocking, (candidate.pk, candidate.stage, blocking)

    def test_quotas_for_every_unit_every_year_and_the_term(self):
        term = periods.term_containing(TODAY)
        have = set(Quota.objects.values_list("organisation", "period_kind", "period_start"))
        for unit in Organisation.objects.filter(dissolved_on=None):
            for year in range(max(2020, unit.founded_on.year), TODAY.year + 1):
                assert (unit.pk, "year", datetime.date(year, 1, 1)) in have, (unit.name, year)
            assert (unit.pk, "term", term.start) in have, unit.name
        assert Quota.objects.filter(value_kind="rate").exists()
        assert Quota.objects.filter(metric="share").exists()

    def test_a_login_for_every_role_at_every_level(self):
        for login in SCALE_LOGINS:
            user = authenticate(username=login.username, password=DEMO_PASSWORD)
            assert user is not None and user.first_name, login.username
            assignment = RoleAssignment.objects.get(user=user)
            assert (assignment.role, assignment.organisation.level) == (login.role, login.post)
        assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
        levels = set(RoleAssignment.objects.values_list("organisation__level", flat=True))
        assert levels == set(Level.values) - {Level.DISTRICT, Level.SUB_COMMITTEE}

    def test_it_refuses_a_database_that_has_organisations(self):
        before = Organisation.objects.count()
        with pytest.raises(CommandError, match="cơ sở dữ liệu trống"):
            generate("--members", "1000")
        assert generate("--members", "1000", "--if-empty") == ""
        assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_province_and_another_seed_does_not(settings):
    settings.PASSWORD_HASHERS = FAST_HASHER

    def build(seed: int) -> str:
        with transaction.atomic():
            generate("--members", "1200", "--seed", str(seed))
            result = digest()
            transaction.set_rollback(True)
        assert not Organisation.objects.exists()
        return result

    first = build(5)
    assert build(5) == first
    assert build(6) != first


@pytest.mark.django_db
def test_it_refuses_a_database_with_another_province():
    member_services.organisation_create(code="HN", name="Đảng bộ thành phố Hà Nội", level=Level.PROVINCE)
    with pytest.raises(CommandError, match="đã có tổ chức đảng"):
        generate("--members", "1000")
    assert generate("--members", "1000", "--if-empty") == ""
    assert Organisation.objects.count() == 1
