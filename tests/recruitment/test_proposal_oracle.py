"""Issue 14, finding 2: the proposal form must not tell whether a citizen ID exists outside the user's reach.

A cell secretary typing a citizen ID into the proposal form learns nothing about a record they may
not see: an empty-name probe is answered with the missing name alone whatever the ID, and a full
proposal with someone else's ID is refused with one neutral message, the same for a person outside
the subtree, a person with no record anywhere they can see, and a person they may see but whose
citizen ID they may not (a cell secretary does not see citizen IDs). Only a role that may read the
existing person's citizen ID is told whose it is.
"""

import logging
import re

import pytest
from django.urls import reverse

from members.models import Person
from recruitment.forms import ProposeForm
from recruitment.models import Candidate
from recruitment.services import StepRefused
from tests.factories import PersonFactory

from .test_candidate_pages import propose, propose_data

pytestmark = pytest.mark.django_db

OUTSIDE = "001090000777"  # member C's, in commune Y: outside cell A and commune X
INSIDE = "001090000555"  # member A's, in cell A
BARE = "001090000444"  # a person with no member or candidate record
FRESH = "001090000888"  # nobody's
NEUTRAL = "Không thể dùng số CCCD này."


@pytest.fixture
def ids(cast):
    for member, citizen_id in ((cast.member_c, OUTSIDE), (cast.member_a, INSIDE)):
        Person.objects.filter(pk=member.person_id).update(citizen_id=citizen_id)
    PersonFactory(full_name="Người không hồ sơ", citizen_id=BARE)


def post(client, user, org, **data):
    client.force_login(user)
    return client.post(reverse("recruitment:propose", args=[org.pk]), propose_data(**data))


def seen(response, citizen_id: str) -> str:
    """The page as the user sees it, with the ID they typed themselves and the CSRF token blanked."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)
    return html.replace(citizen_id, "<CCCD>")


def answer(response, citizen_id: str):
    form = response.context["form"] if response.context else None
    return (
        response.status_code,
        [str(m) for m in response.context["messages"]] if response.context else [],
        dict(form.errors) if form is not None else None,
        seen(response, citizen_id),
    )


def test_an_empty_name_probe_gets_the_missing_name_alone_whatever_the_id(client, cast, frozen_today, ids):
    fresh = post(client, cast.sec_a, cast.cell_a, full_name="", citizen_id=FRESH)
    assert fresh.status_code == 200
    assert set(fresh.context["form"].errors) == {"full_name"}
    for citizen_id in (OUTSIDE, INSIDE, BARE):
        probe = post(client, cast.sec_a, cast.cell_a, full_name="", citizen_id=citizen_id)
        assert answer(probe, citizen_id) == answer(fresh, FRESH), citizen_id
    assert not Candidate.objects.exists()


def test_an_empty_name_probe_from_the_commune_reveals_nothing_either(client, cast, frozen_today, ids):
    fresh = post(client, cast.commune_sec, cast.commune_x, full_name="", cell=cast.cell_a.pk, citizen_id=FRESH)
    probe = post(client, cast.commune_sec, cast.commune_x, full_name="", cell=cast.cell_a.pk, citizen_id=OUTSIDE)
    assert answer(probe, OUTSIDE) == answer(fresh, FRESH)


def test_a_full_proposal_with_someone_elses_id_gets_one_neutral_answer(client, cast, frozen_today, ids):
    answers = {}
    for citizen_id in (OUTSIDE, BARE, INSIDE):
        response = post(client, cast.sec_a, cast.cell_a, citizen_id=citizen_id)
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["citizen_id"]
        assert response.context["form"].errors["citizen_id"][0].startswith(NEUTRAL)
        html = response.content.decode()
        assert "Đảng viên C" not in html and cast.cell_c.name not in html
        assert "đã có trong hệ thống" not in html
        answers[citizen_id] = answer(response, citizen_id)
    # Outside the subtree, nowhere visible, or visible without the right to read IDs: the same page.
    assert answers[OUTSIDE] == answers[BARE] == answers[INSIDE]
    assert not Candidate.objects.exists()
    assert not Person.objects.filter(full_name="Đỗ Thị Mai").exists()


def test_a_refusal_the_service_gives_first_looks_the_same_whoever_holds_the_id(client, cast, frozen_today, ids):
    # A proposal date in the future is refused by the candidate's own validation, in the service: it
    # must come before the ID is checked, or it would tell an ID on file from a fresh one unrecorded.
    fresh = post(client, cast.sec_a, cast.cell_a, proposed_on="2027-01-05", citizen_id=FRESH)
    assert set(fresh.context["form"].errors) == {"proposed_on"}
    for citizen_id in (OUTSIDE, INSIDE):
        probe = post(client, cast.sec_a, cast.cell_a, proposed_on="2027-01-05", citizen_id=citizen_id)
        assert answer(probe, citizen_id) == answer(fresh, FRESH), citizen_id
    assert not Person.objects.filter(full_name="Đỗ Thị Mai").exists()


def test_a_refused_id_is_logged_with_the_user_but_not_the_id(client, cast, frozen_today, ids, caplog):
    with caplog.at_level(logging.WARNING, logger="recruitment.forms.proposal"):
        post(client, cast.sec_a, cast.cell_a, citizen_id=OUTSIDE)
    [record] = [r for r in caplog.records if r.name == "recruitment.forms.proposal"]
    assert f"user {cast.sec_a.pk}" in record.getMessage()
    assert OUTSIDE not in record.getMessage()


def test_a_fresh_id_is_accepted(client, cast, frozen_today, ids):
    response = post(client, cast.sec_a, cast.cell_a, citizen_id=FRESH)
    assert response.status_code == 302
    assert Candidate.objects.get(person__citizen_id=FRESH).cell == cast.cell_a


def test_a_role_that_may_read_the_id_is_told_whose_it_is_inside_its_subtree(client, cast, frozen_today, ids):
    propose(cast, full_name="Quần chúng B", citizen_id="001090000666", cell=cast.cell_b)
    member = post(client, cast.commune_sec, cast.commune_x, cell=cast.cell_a.pk, citizen_id=INSIDE)
    assert member.context["form"].errors["citizen_id"] == [
        f"Số CCCD này là của “Đảng viên A”, đã có hồ sơ đảng viên tại {cast.cell_a.name}."
    ]
    candidate = post(client, cast.commune_sec, cast.commune_x, cell=cast.cell_a.pk, citizen_id="001090000666")
    assert candidate.context["form"].errors["citizen_id"] == [
        f"Số CCCD này là của “Quần chúng B”, đã có trong danh sách quần chúng ưu tú của {cast.cell_b.name}."
    ]
    # Commune Y is not theirs: the same neutral page as for a person with no visible record.
    outside = post(client, cast.commune_sec, cast.commune_x, cell=cast.cell_a.pk, citizen_id=OUTSIDE)
    bare = post(client, cast.commune_sec, cast.commune_x, cell=cast.cell_a.pk, citizen_id=BARE)
    assert outside.context["form"].errors["citizen_id"][0].startswith(NEUTRAL)
    assert answer(outside, OUTSIDE) == answer(bare, BARE)


def test_an_id_taken_between_the_check_and_the_save_is_refused_neutrally(cast, frozen_today, ids):
    form = ProposeForm(propose_data(citizen_id=FRESH), organisation=cast.cell_a, user=cast.sec_a)
    assert form.is_valid(), form.errors
    PersonFactory(full_name="Người vừa nhập ở xã Yên", citizen_id=FRESH)
    with pytest.raises(StepRefused) as refused:
        form.record(by=cast.sec_a)
    assert refused.value.message_dict["citizen_id"][0].startswith(NEUTRAL)
    assert not Candidate.objects.exists()
