"""Names and other free text on entry (members/validation.py): control, bidirectional and zero-width
characters are refused with their code point; NFC and the trimmed ends are normalised silently."""

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.urls import reverse

from members import services
from members.models import Organisation, Person
from members.validation import hidden_characters, normalise_text, validate_plain_text
from members.vocabulary import Level

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
PersonForm = modelform_factory(Person, fields=["full_name", "gender", "date_of_birth", "ethnicity", "religion"])
HOA_NFD = "Nguyễn Thị Hoa\u0300"  # "Hoà" typed as "a" and a combining grave accent


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


def person_data(**overrides) -> dict:
    return {
        "full_name": "Trần Văn An",
        "gender": "male",
        "date_of_birth": "1990-05-17",
        "ethnicity": "Kinh",
    } | overrides


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Trần\u200b Văn An", "U+200B ZERO WIDTH SPACE"),
        ("Trần Văn \u202eAn", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Trần Văn\x07 An", "U+0007"),
        ("\ufeffTrần Văn An", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Trần Văn An\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Trần\u200e Văn An", "U+200E LEFT-TO-RIGHT MARK"),
        ("Trần\u2060Văn An", "U+2060 WORD JOINER"),
        ("Trần\nVăn An", "U+000A"),
    ],
)
def test_the_person_form_refuses_a_hidden_character_naming_it(text, named):
    form = PersonForm(data=person_data(full_name=text))
    assert not form.is_valid()
    assert form.errors["full_name"] == [f"Có ký tự điều khiển hoặc ký tự ẩn ({named}); hãy gõ lại."]


def test_ordinary_names_and_formula_like_text_are_accepted():
    for name in ("Đặng Thị Thuý Hằng", "H'Hen Niê", "Nguyễn Văn A-Lâm", "=1+1", "@SUM(A1)"):
        validate_plain_text(name)
    assert hidden_characters("Nguyễn Văn An") == []
    # Vietnamese tone marks are combining characters (Mn), not hidden ones.
    assert hidden_characters(unicodedata.normalize("NFD", "Nguyễn Thị Hoà")) == []


def test_a_decomposed_name_is_stored_composed_and_trimmed():
    form = PersonForm(data=person_data(full_name=f"  {HOA_NFD} "))
    assert form.is_valid(), form.errors
    person = form.save()
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Thị Hoà"
    assert person.full_name == unicodedata.normalize("NFC", person.full_name)
    assert "\u0300" not in person.full_name

    created = services.person_create(**person_data(full_name=HOA_NFD, date_of_birth=datetime.date(1991, 1, 1)))
    created.refresh_from_db()
    assert created.full_name == "Nguyễn Thị Hoà"


def test_two_names_differing_by_a_zero_width_space_cannot_both_be_entered():
    services.person_create(**person_data(date_of_birth=datetime.date(1990, 5, 17)))
    with pytest.raises(ValidationError) as refused:
        services.person_create(**person_data(full_name="Trần Văn\u200b An", date_of_birth=datetime.date(1990, 5, 17)))
    assert "U+200B" in refused.value.message_dict["full_name"][0]
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Trần Văn An"]


def test_other_free_text_of_the_member_models_follows_the_same_rule():
    with pytest.raises(ValidationError) as refused:
        services.organisation_create(code="Z1", name="Đảng bộ xã \u202eNam", level=Level.PROVINCE)
    assert "U+202E" in refused.value.message_dict["name"][0]
    assert not Organisation.objects.filter(code="Z1").exists()
    form = PersonForm(data=person_data(religion="Phật\u200dgiáo"))
    assert "U+200D" in form.errors["religion"][0]


def test_normalise_text_leaves_other_values_alone():
    assert normalise_text(None) is None
    assert normalise_text(12) == 12
    assert normalise_text(" Hoa\u0300 ") == "Hoà"


def test_the_proposal_of_a_candidate_refuses_a_hidden_character(client, cast):
    """recruitment's proposal form is a model form of Person: the field validators apply there too."""
    client.force_login(cast.sec_a)
    data = {
        **person_data(full_name="Đỗ Thị\u200b Mai", date_of_birth="2001-05-04"),
        "general_education": "upper_secondary",
        "introduced_by": "youth_union",
        "proposed_on": "2026-10-01",
    }
    response = client.post(reverse("recruitment:propose", args=[cast.cell_a.pk]), data)
    assert response.status_code == 200
    assert "U+200B ZERO WIDTH SPACE" in response.context["form"].errors["full_name"][0]
    assert not Person.objects.filter(full_name__startswith="Đỗ Thị").exists()

    response = client.post(
        reverse("recruitment:propose", args=[cast.cell_a.pk]), {**data, "full_name": f"Đỗ Thị {HOA_NFD[-4:]}"}
    )
    assert response.status_code == 302
    assert Person.objects.filter(full_name="Đỗ Thị Hoà").exists()
