"""load_demo: a small demo province with every level and sector, built once, the same for the same seed.

The admission pipeline the build adds (recruitment.demo) has its own tests in
tests/recruitment/test_demo_candidates.py; here it only shows in the counts and the digest.
"""

import datetime
import hashlib
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.test import override_settings
from django.utils import timezone

from members import services
from members.demo.dates import REORGANISATION_DAY, add_years
from members.demo.place_names import PROVINCE_CODE
from members.demo.users import (
    CELL_SECRETARY,
    COMMUNE_SECRETARY,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    OTHER_CELL_SECRETARY,
)
from members.models import Member, MemberMovement, Organisation, Person, RoleAssignment
from members.selectors import member_count_on
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
from recruitment.models import Candidate, Enrolment, PartyClass, StageEntry

# Three communes (two of today's tree and the reorganised one), two villages each, 400 members:
# about a second per build.
SMALL = ("--communes", "3", "--members", "400", "--scale", "0.1")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def table_sizes() -> dict[str, int]:
    models = [Organisation, Person, Member, MemberMovement, RoleAssignment, get_user_model()]
    models += [Candidate, PartyClass, Enrolment, StageEntry]
    sizes = {m.__name__: m.objects.count() for m in models}
    sizes |= {f"history of {m.__name__}": m.history.count() for m in models if hasattr(m, "history")}
    return sizes


def parent_of(unit: Organisation) -> Organisation:
    return Organisation.objects.get(path=unit.path[: -Organisation.steplen])


def digest() -> str:
    """What a reader of the demo sees: unit codes and names, people's IDs and names, where each
    candidate stands and since when."""
    units = sorted(Organisation.objects.values_list("code", "name"))
    people = sorted(Person.objects.values_list("citizen_id", "full_name"), key=lambda p: (p[0] or "", p[1]))
    candidates = sorted(
        Candidate.objects.values_list("person__full_name", "cell__code", "stage", "stage_entered_on", "open_findings"),
        key=repr,
    )
    return hashlib.sha256(repr((units, people, candidates)).encode()).hexdigest()


@pytest.fixture(scope="class")
def small_province(django_db_setup, django_db_blocker):
    """One small build shared by the read-only tests of a class, rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        output = load_demo()
        yield output
        transaction.set_rollback(True)


# calendar: the demo is built on today (make test-dates builds it on each day of its set). The other
# tests here pin their own day or check what no day changes (the same seed builds the same data).
@pytest.mark.calendar
@pytest.mark.django_db
@pytest.mark.usefixtures("small_province")
class TestASmallDemoProvince:
    def test_it_sets_quotas_of_every_kind_with_a_carry_over(self):
        from reports.models import Quota

        assert set(Quota.objects.values_list("value_kind", flat=True)) == {"exact", "range", "rate"}
        assert set(Quota.objects.values_list("source", flat=True)) == {"resolution", "assigned", "plan"}
        assert Quota.objects.filter(metric="share", share_attribute="youth_union_introduced").exists()
        assert Quota.objects.filter(carry_over=True).exists()
        assert Quota.objects.filter(organisation__level="cell").exists()

    def test_it_has_every_level_and_every_sector(self):
        assert set(Organisation.objects.values_list("level", flat=True)) == set(Level.values)
        active_cells = Organisation.objects.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True)
        assert set(active_cells.values_list("sector", flat=True)) == set(Sector.values)

    def test_todays_communes_sit_directly_under_the_province(self):
        province = Organisation.objects.get(code=PROVINCE_CODE)
        communes = Organisation.objects.filter(level=Level.COMMUNE, dissolved_on__isnull=True)
        assert communes.count() == 3
        assert all(parent_of(c) == province for c in communes)
        residential = Organisation.objects.filter(level=Level.CELL, sector=Sector.RESIDENTIAL)
        assert all(parent_of(c).level == Level.COMMUNE for c in residential)

    def test_the_2025_reorganisation_dissolved_the_district_and_merged_its_communes(self):
        district = Organisation.objects.get(level=Level.DISTRICT)
        assert district.dissolved_on == REORGANISATION_DAY and district.merged_into is None
        old_communes = Organisation.objects.filter(level=Level.COMMUNE, path__startswith=district.path)
        assert old_communes.count() == 3
        new_commune = old_communes[0].merged_into
        assert {c.merged_into for c in old_communes} == {new_commune}
        assert new_commune.founded_on == REORGANISATION_DAY and parent_of(new_commune).level == Level.PROVINCE
        old_cells = Organisation.objects.filter(path__startswith=district.path, level__in=CELL_LEVELS)
        assert all(c.dissolved_on == REORGANISATION_DAY for c in old_cells)
        assert not Member.objects.filter(cell__in=old_cells, status__in=ACTIVE_MEMBER_STATUSES).exists()
        moved_out = MemberMovement.objects.filter(
            kind=MovementKind.TRANSFERRED_OUT, date=REORGANISATION_DAY, organisation__path__startswith=district.path
        )
        moved_in = MemberMovement.objects.filter(
            kind=MovementKind.TRANSFERRED_IN, date=REORGANISATION_DAY, organisation__path__startswith=new_commune.path
        )
        assert moved_in.count() == moved_out.count() > 0

    def test_member_counts_from_movements_match_the_rolls(self):
        today = timezone.localdate()
        for unit in Organisation.objects.filter(Q(level=Level.PROVINCE) | Q(level=Level.COMMUNE, dissolved_on=None)):
            on_roll = Member.objects.filter(cell__path__startswith=unit.path, status__in=ACTIVE_MEMBER_STATUSES)
            assert member_count_on(organisation=unit, day=today) == on_roll.count(), unit.name
        assert Member.objects.filter(status__in=ACTIVE_MEMBER_STATUSES).count() > 350

    def test_every_member_was_admitted_once_on_their_decision_date(self):
        admitted = MemberMovement.objects.filter(kind=MovementKind.ADMITTED)
        # The 400 of the rolls, and those the demo pipeline admitted at their ceremonies.
        through_pipeline = Candidate.objects.filter(member__isnull=False).count()
        assert through_pipeline > 0
        assert admitted.count() == Member.objects.count() == 400 + through_pipeline
        assert not admitted.exclude(date=F("member__admission_decision_date")).exists()

    def test_statuses_follow_the_dates_and_nothing_is_in_the_future(self):
        today = timezone.localdate()
        # The rolls recognise a year after the decision; pipeline members follow their ceremony
        # (tests/recruitment/test_demo_candidates.py).
        for member in Member.objects.filter(candidate__isnull=True).prefetch_related("movements"):
            # Admitted once, transfers in pairs, one exit at most: on the roll is a net of 1.
            net = sum(MOVEMENT_SIGN[m.kind] for m in member.movements.all())
            if member.status == MemberStatus.LEFT:
                assert net == 0
            elif add_years(member.admission_decision_date, 1) > today:
                assert net == 1 and member.recognition_date is None and member.status == MemberStatus.PROBATIONARY
            else:
                assert net == 1 and member.recognition_date and member.status == MemberStatus.FULL
        for model, fields in (
            (MemberMovement, ["date"]),
            (Member, ["admission_decision_date", "ceremony_date", "recognition_date"]),
            (Person, ["date_of_birth"]),
            (Organisation, ["founded_on", "dissolved_on"]),
        ):
            for field in fields:
                assert not model.objects.filter(**{f"{field}__gt": today}).exists(), (model, field)

    def test_people_look_like_a_vietnamese_province(self):
        people = Person.objects.all()
        total = people.count()
        women = people.filter(gender="female").count() / total
        assert 0.25 < women < 0.5
        assert people.filter(ethnicity="Kinh").count() / total > 0.6
        with_id = list(people.exclude(citizen_id=None).values_list("citizen_id", flat=True))
        assert len(with_id) / total > 0.9 and len(set(with_id)) == len(with_id)
        assert all(len(c) == 12 and c.isdigit() for c in with_id)
        years = [d.year for d in people.values_list("date_of_birth", flat=True)]
        assert min(years) >= 1950

    def test_each_role_has_a_demo_login_with_the_shared_password(self):
        for login in DEMO_LOGINS:
            user = authenticate(username=login.username, password=DEMO_PASSWORD)
            assert user is not None, login.username
            assert user.first_name and user.last_name
            assert RoleAssignment.objects.filter(user=user, role=login.role).exists()
        admin = get_user_model().objects.get(username="quantri")
        assert admin.is_superuser and admin.roles.get().organisation.code == PROVINCE_CODE
        assert {ra.role for ra in RoleAssignment.objects.all()} == set(Role.values)

    def test_the_two_cell_secretaries_hold_residential_cells_of_the_commune_login(self):
        commune = RoleAssignment.objects.get(user__username=COMMUNE_SECRETARY).organisation
        cells = [
            RoleAssignment.objects.get(user__username=name).organisation
            for name in (CELL_SECRETARY, OTHER_CELL_SECRETARY)
        ]
        assert cells[0] != cells[1]
        for cell in cells:
            assert parent_of(cell) == commune and cell.sector == Sector.RESIDENTIAL and cell.is_active

    def test_a_second_run_changes_nothing_and_says_so(self):
        before = table_sizes()
        output = load_demo()
        assert "Dữ liệu mẫu đã có" in output and "không thay đổi gì" in output
        assert table_sizes() == before

    def test_if_empty_skips_silently_when_the_demo_is_there(self):
        before = table_sizes()
        assert load_demo("--if-empty") == ""
        assert table_sizes() == before

    def test_demo_logins_prints_every_login_and_the_password(self):
        out = StringIO()
        call_command("demo_logins", stdout=out)
        for username in DEMO_USERNAMES:
            assert username in out.getvalue()
        assert DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_province_and_another_seed_does_not():
    def build(seed: int) -> str:
        with transaction.atomic():
            load_demo("--seed", str(seed))
            result = digest()
            transaction.set_rollback(True)
        assert not Organisation.objects.exists()
        return result

    first = build(11)
    assert build(11) == first
    assert build(12) != first


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_other_organisations_alone():
    services.organisation_create(code="HN", name="Đảng bộ thành phố Hà Nội", level=Level.PROVINCE)
    assert load_demo("--if-empty") == ""
    assert Organisation.objects.count() == 1
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


@pytest.mark.django_db
def test_demo_logins_explains_when_there_is_no_demo():
    out, err = StringIO(), StringIO()
    call_command("demo_logins", stdout=out, stderr=err)
    assert out.getvalue() == "" and "load_demo" in err.getvalue()


@pytest.mark.django_db
def test_dates_follow_a_frozen_today():
    frozen = datetime.datetime(2025, 9, 15, 3, tzinfo=datetime.UTC)
    with time_machine.travel(frozen, tick=False):
        today = timezone.localdate()
        load_demo("--members", "200")
        assert not MemberMovement.objects.filter(date__gt=today).exists()
        assert not Member.objects.filter(admission_decision_date__gt=today).exists()
        probationary = Member.objects.filter(status=MemberStatus.PROBATIONARY, candidate__isnull=True)
        assert probationary.exists()
        assert all(add_years(m.admission_decision_date, 1) > today for m in probationary)
