"""An import never says anything about a record outside the uploader's subtree (docs/security.md).

The probe: board staff of commune X upload a workbook of 500 rows naming people and units of
commune Y (same province) and of another province, by citizen ID, party card number and code, with
wrong names: in the movements sheet, as helpers and introducers of candidates, as cells, parents,
class organisers and quota units. Every such row is paired with a control row naming an identifier
that exists nowhere; the two must be answered alike, and nothing in the run's report or its marked
workbook may carry a name, a unit name or a citizen ID the uploader did not type.
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Member, Organisation
from members.vocabulary import Level, Sector
from recruitment import services as steps
from reports.imports.apply.context import NUMBER_TAKEN
from reports.imports.columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, QUOTAS, SHEETS
from reports.imports.marked import marked_workbook
from reports.imports.service import import_workbook
from reports.models import ImportRun
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory
from tests.reports.workbooks import workbook_bytes

pytestmark = pytest.mark.django_db

PROBE_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    """What commune X's board must learn nothing about, and the identifiers that exist nowhere."""

    names: list[str] = field(default_factory=list)  # people outside commune X
    units: list[str] = field(default_factory=list)  # units outside commune X
    member_ids: list[str] = field(default_factory=list)  # outside members' citizen IDs, typed in the probe
    member_cards: list[str] = field(default_factory=list)  # other outside members' card numbers, typed
    untyped_ids: list[str] = field(default_factory=list)  # citizen IDs of those card holders: never typed
    candidate_ids: list[str] = field(default_factory=list)  # outside candidates' citizen IDs
    orphan_ids: list[str] = field(default_factory=list)  # people recorded with no member or candidate
    codes: list[str] = field(default_factory=list)  # outside units' codes
    nowhere_ids: list[str] = field(default_factory=list)
    nowhere_cards: list[str] = field(default_factory=list)
    nowhere_codes: list[str] = field(default_factory=list)


def build_world(cast, per_cell: int = 20) -> World:
    """Commune Y's cell C (the cast) and a cell D of another province, each with members who have a
    citizen ID and a card number, candidates, and a few people recorded with neither."""
    other = OrganisationFactory(code="Q", name="Đảng bộ tỉnh Khác", level=Level.PROVINCE)
    commune_z = OrganisationFactory(code="Z", name="Đảng bộ xã Zét", level=Level.COMMUNE, parent=other)
    cell_d = OrganisationFactory(
        code="D", name="Chi bộ thôn Đoài", level=Level.CELL, parent=commune_z, sector=Sector.RESIDENTIAL
    )
    world = World()
    world.units = [o.name for o in (cast.province, cast.commune_y, cast.cell_c, other, commune_z, cell_d)]
    world.codes = [o.code for o in (cast.province, cast.commune_y, cast.cell_c, other, commune_z, cell_d)]
    world.names.append(cast.member_c.person.full_name)
    for tag, cell, prefix in (("C", cast.cell_c, "046"), ("D", cell_d, "047")):
        for n in range(per_cell):
            person = PersonFactory(full_name=f"Hồ Thị Ngoại {tag}{n:03d}", citizen_id=f"{prefix}0{n:08d}")
            MemberFactory(cell=cell, person=person, card_number=f"{prefix}{n:06d}")
            world.names.append(person.full_name)
            # Half are probed by citizen ID; the other half by card number, their citizen ID never typed.
            if n % 2:
                world.member_cards.append(f"{prefix}{n:06d}")
                world.untyped_ids.append(person.citizen_id)
            else:
                world.member_ids.append(person.citizen_id)
        for n in range(4):
            candidate = steps.candidate_propose(
                cell=cell,
                introduced_by="youth_union",
                proposed_on=datetime.date(2024, 3, 1),
                by=None,
                person_fields={
                    "citizen_id": f"{prefix}1{n:08d}",
                    "full_name": f"Đinh Văn Khuất {tag}{n:03d}",
                    "gender": "male",
                    "date_of_birth": datetime.date(2001, 1, 1),
                    "general_education": "upper_secondary",
                },
            )
            world.names.append(candidate.person.full_name)
            world.candidate_ids.append(candidate.person.citizen_id)
    for n in range(3):
        person = PersonFactory(full_name=f"Tạ Thị Ẩn {n:03d}", citizen_id=f"0480{n:08d}")
        world.names.append(person.full_name)
        world.orphan_ids.append(person.citizen_id)
    world.nowhere_ids = [f"0990{n:08d}" for n in range(100)]
    world.nowhere_cards = [f"99{n:06d}" for n in range(100)]
    world.nowhere_codes = [f"KHONG-{n}" for n in range(20)]
    return world


# --- the probe workbook -------------------------------------------------------------------------------


@dataclass
class Probe:
    sheets: dict = field(default_factory=lambda: {spec: [] for spec in SHEETS})
    # (sheet title, row) -> (pair number, "outside" / "nowhere", the identifier typed)
    pairs: dict = field(default_factory=dict)
    # (sheet title, row) of rows whose answer is necessarily "taken" (a citizen ID being created)
    creations: list = field(default_factory=list)

    def add(self, spec, row: dict, pair: tuple | None = None) -> tuple[str, int]:
        self.sheets[spec].append(row)
        where = (spec.title, len(self.sheets[spec]) + 1)
        if pair is not None:
            self.pairs[where] = pair
        return where

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.sheets.values())

    def data(self) -> bytes:
        return workbook_bytes({spec: rows for spec, rows in self.sheets.items() if rows})


def _person(n: int, prefix: str) -> dict:
    return {
        "citizen_id": f"{prefix}{n:08d}",
        "full_name": f"Người Mới {prefix}{n:04d}",
        "gender": "Nữ",
        "date_of_birth": "10/04/2002",
        "general_education": "Trung học phổ thông",
        "is_youth_union_member": "Có",
    }


def candidate(n: int, **more) -> dict:
    """A new candidate of cell A, proposed in 2024."""
    return {
        **_person(n, "0012"),
        "cell_code": "A",
        "stage": "Quần chúng ưu tú",
        "introduced_by": "Đoàn TNCS Hồ Chí Minh",
        "proposed_on": "10/01/2024",
        **more,
    }


CLASS = {
    "class_name": "Lớp bồi dưỡng 1/2025",
    "class_organiser_code": "X",
    "class_starts_on": "03/03/2025",
    "class_ends_on": "07/03/2025",
}
DOSSIER = {
    **CLASS,
    "stage": "Đang hoàn thiện hồ sơ",
    "class_result": "Đạt",
    "certificate_number": "12/CN-NTVĐ",
    "certificate_issued_on": "07/03/2025",
    "application_date": "01/04/2025",
    "personal_history_date": "03/04/2025",
    "route": "Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức",
    "body_introduction_date": "10/04/2025",
    "submitted_on": "15/04/2025",
    "introducer1_known_since": "01/01/2023",
    "introducer1_on": "10/04/2025",
}


def member(n: int, **more) -> dict:
    return {
        **_person(n, "0013"),
        "gender": "Nam",
        "date_of_birth": "15/03/1985",
        "cell_code": "A",
        "admission_decision_date": "12/05/2010",
        "recognition_date": "20/05/2011",
        **more,
    }


def quota(code: str) -> dict:
    return {
        "organisation_code": code,
        "period": "2026",
        "source": "Cấp trên giao",
        "metric": "Kết nạp đảng viên",
        "value_kind": "Số cụ thể",
        "value": 2,
    }


def build_probe(cast, world: World, total: int = PROBE_ROWS) -> Probe:
    probe = Probe()
    pairs, serial, members, wrong = (iter(range(10**6)) for _ in range(4))
    people = [(i, "citizen_id") for i in world.member_ids + world.candidate_ids + world.orphan_ids]
    people += [(c, "card_number") for c in world.member_cards]
    nowhere = {"citizen_id": iter(world.nowhere_ids * 10), "card_number": iter(world.nowhere_cards * 10)}
    codes = iter(world.nowhere_codes)

    def both(spec, make, reference, column):
        """A row naming the outside identifier, and the same row naming one that exists nowhere."""
        p = next(pairs)
        probe.add(spec, make(reference, column), (p, "outside", reference))
        control = next(nowhere[column])
        probe.add(spec, make(control, column), (p, "nowhere", control))

    # Candidates: outside members, candidates and people as helpers ...
    for reference, column in people:
        both(CANDIDATES, lambda ref, _col: candidate(next(serial), helper=ref), reference, column)
    # ... and as introducers, a few (each walks the class and the dossier first).
    for reference, column in people[:6] + people[-4:]:
        both(CANDIDATES, lambda ref, _col: candidate(next(serial), **DOSSIER, introducer1=ref), reference, column)
    # Units by code: class organisers, cells of members, parents, quota units, transfer targets.
    for code in world.codes:
        if code != cast.province.code:  # commune X's own province may organise its classes
            p = next(pairs)
            for role, value in (("outside", code), ("nowhere", next(codes))):
                row = candidate(
                    next(serial), **{**CLASS, "class_organiser_code": value}, stage="Đang học lớp bồi dưỡng"
                )
                probe.add(CANDIDATES, row, (p, role, value))
    codes = iter(world.nowhere_codes)
    who = {"citizen_id": cast.member_a.person.citizen_id, "full_name": cast.member_a.person.full_name}
    transfer = {**who, "kind": "Chuyển sinh hoạt trong tỉnh", "date": "01/02/2020"}
    unit = {"name": "Chi bộ mới", "level": "Chi bộ trực thuộc", "sector": "Nông thôn, khu dân cư"}
    for code in world.codes:
        control = next(codes)
        for spec, make in (
            (MEMBERS, lambda value: member(next(members), cell_code=value)),
            (QUOTAS, quota),
            (ORGANISATIONS, lambda value: {**unit, "code": f"X-MOI-{next(members)}", "parent_code": value}),
            (MOVEMENTS, lambda value: {**transfer, "to_cell_code": value}),
        ):
            p = next(pairs)
            for role, value in (("outside", code), ("nowhere", control)):
                probe.add(spec, make(value), (p, role, value))
    # Members: an outside person's citizen ID on a new member row can only be refused (one number,
    # one person); those rows are not paired, but their answer must name no one.
    for reference in world.member_ids[:4] + world.candidate_ids[:2] + world.orphan_ids[:1]:
        where = probe.add(MEMBERS, member(next(members), citizen_id=reference, full_name=f"Tên Sai {next(wrong):04d}"))
        probe.creations.append(where)
    # Movements: the rest of the rows, outside people by citizen ID or card number with wrong names,
    # each beside an identifier that exists nowhere.
    kinds = ["Từ trần", "Xóa tên", "Chuyển đi nơi khác", "Khai trừ"]
    for n in range(10**6):
        if probe.rows + 2 > total:
            break
        reference, column = people[n % len(people)]
        kind, name = kinds[n % len(kinds)], f"Tên Sai {next(wrong):04d}"  # the same wrong name in both rows

        def movement(ref, col, kind=kind, name=name):
            return {col: ref, "full_name": name, "kind": kind, "date": "01/02/2024"}

        both(MOVEMENTS, movement, reference, column)
    if probe.rows < total:  # an odd count: one more row, of nobody
        probe.add(
            MOVEMENTS,
            {
                "citizen_id": next(nowhere["citizen_id"]),
                "full_name": "Tên Sai",
                "kind": "Từ trần",
                "date": "01/02/2024",
            },
        )
    assert probe.rows == total
    return probe


# --- reading the answers ------------------------------------------------------------------------------


def _masked(issue, identifier: str) -> tuple:
    def mask(text: str) -> str:
        return text.replace(identifier, "◊") if identifier else text

    return (issue.column, mask(issue.value), mask(issue.message), issue.rule)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _texts_of_workbook(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def _finder(needles):
    """Whether a text holds one of the needles as a whole word (“Đảng viên C” is not in “… chính thức”)."""
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(_fold(n))}(?!\w)" for n in needles))
    return lambda text: bool(pattern.search(_fold(text)))


def figures(world: World, probe: Probe, issues, marked: bytes | None = None) -> dict:
    """How much the answers say about the outside: issues naming an outside person, unit or a citizen
    ID the uploader did not type, cells of the marked workbook doing the same, and pairs of rows
    answered differently (the outside identifier against one that exists nowhere)."""
    finders = {"names": _finder(world.names), "units": _finder(world.units), "citizen_ids": _finder(world.untyped_ids)}
    texts = [" | ".join((i.column, i.value, i.message, i.rule)) for i in issues]
    found = {key: sum(1 for t in texts if hit(t)) for key, hit in finders.items()}
    if marked is not None:
        cells = _texts_of_workbook(marked)
        found["marked_cells"] = sum(1 for t in cells if any(hit(t) for hit in finders.values()))
    by_row: dict[tuple, list] = {}
    for issue in issues:
        by_row.setdefault((issue.sheet, issue.row), []).append(issue)
    answers: dict[int, dict[str, list]] = {}
    for where, (p, role, identifier) in probe.pairs.items():
        answers.setdefault(p, {})[role] = sorted(_masked(i, identifier) for i in by_row.get(where, []))
    found["existence_answers"] = sum(1 for a in answers.values() if a["outside"] != a["nowhere"])
    found["pairs"] = len(answers)
    return found


@pytest.fixture
def world(cast):
    return build_world(cast)


def test_the_probe_learns_nothing_about_people_and_units_outside_the_subtree(cast, world):
    probe = build_probe(cast, world)
    data = probe.data()
    result = import_workbook(data, user=cast.commune_board)
    assert result.rows == PROBE_ROWS and not result.imported
    found = figures(world, probe, result.issues, marked_workbook(data, result.issues))
    print("probe figures:", found)
    assert found == {
        "names": 0,
        "units": 0,
        "citizen_ids": 0,
        "marked_cells": 0,
        "existence_answers": 0,
        "pairs": found["pairs"],
    }
    assert found["pairs"] > 200
    # Every outside reference was refused: not one row of the probe went through on an outside record.
    refused = {(i.sheet, i.row) for i in result.issues}
    outside = [w for w, (_p, role, _i) in probe.pairs.items() if role == "outside"]
    assert set(outside) <= refused
    # The rows creating a person whose citizen ID is taken elsewhere get one message, naming no one.
    answers = {(i.sheet, i.row): i for i in result.issues}
    assert {answers[w].message for w in probe.creations} == {NUMBER_TAKEN}


def test_a_lookup_outside_says_what_a_lookup_of_nothing_says(cast, world):
    """The same, one case at a time, for a clear failure message: movement, helper, introducer."""
    outside_member = Member.objects.get(person__citizen_id=world.member_ids[0])
    card_holder = Member.objects.get(card_number=world.member_cards[0])

    def movement(**who):
        return {**who, "full_name": "Tên Sai", "kind": "Từ trần", "date": "01/02/2024"}

    rows = [
        movement(citizen_id=outside_member.person.citizen_id),
        movement(citizen_id=world.nowhere_ids[0]),
        movement(card_number=card_holder.card_number),
        movement(card_number=world.nowhere_cards[0]),
    ]
    result = import_workbook(workbook_bytes({MOVEMENTS: rows}), user=cast.commune_board)
    messages = [i.message for i in result.issues]
    assert len(messages) == 4 and len(set(messages)) == 1, messages
    assert outside_member.person.full_name not in messages[0]

    references = [card_holder.card_number, world.nowhere_cards[0], outside_member.person.citizen_id]
    helpers = [candidate(n, helper=ref) for n, ref in enumerate(references)]
    result = import_workbook(workbook_bytes({CANDIDATES: helpers}), user=cast.commune_board)
    answers = {_masked(i, ref) for i, ref in zip(result.issues, references, strict=True)}
    assert len(answers) == 1, answers
    assert not any(m.person.full_name in str(answers) for m in (card_holder, outside_member))


def test_a_citizen_id_taken_outside_gets_the_message_of_one_taken_by_someone_else_inside(cast, world):
    outside = Member.objects.get(person__citizen_id=world.member_ids[0]).person
    rows = [
        member(1, citizen_id=outside.citizen_id, full_name="Tên Sai"),
        # The right name and birth date change nothing: the uploader learns no more by guessing them.
        member(2, citizen_id=outside.citizen_id, full_name=outside.full_name, date_of_birth=outside.date_of_birth),
        member(3, citizen_id=cast.member_a.person.citizen_id, full_name="Tên Sai"),
    ]
    result = import_workbook(
        workbook_bytes({MEMBERS: rows[:1] + rows[2:]}), user=cast.commune_board
    )  # the second row is apart: it would name the person in the file itself
    right = import_workbook(workbook_bytes({MEMBERS: [rows[1]]}), user=cast.commune_board)
    messages = [i.message for i in result.issues + right.issues]
    assert len(messages) == 3 and len(set(messages)) == 1, messages
    assert not any(name in messages[0] for name in (outside.full_name, cast.member_a.person.full_name))
    assert not re.search(r"\d{2}/\d{2}/\d{4}", messages[0])


def test_name_and_birth_date_match_only_people_inside(cast, world):
    """Without an ID, an outside person of the same name and birth date is somebody else: the row is a
    new member, as it would be if nobody had that name."""
    outside = Member.objects.get(person__citizen_id=world.member_ids[0]).person
    row = member(1, citizen_id=None, full_name=outside.full_name, date_of_birth=outside.date_of_birth)
    result = import_workbook(workbook_bytes({MEMBERS: [row]}), user=cast.commune_board, dry_run=True)
    assert result.ok, result.issues
    assert result.counts["Đảng viên"].created == 1


def test_a_unit_seen_by_the_uploader_outside_the_page_is_still_named_as_such(cast, world):
    """From commune X's page the province board may not write in Y, which it sees: it is told so."""
    result = import_workbook(workbook_bytes({QUOTAS: [quota("Y")]}), user=cast.province_board, within=cast.commune_x)
    [issue] = result.issues
    assert "ngoài phạm vi" in issue.message
    # Someone else's province is not seen, from any page: answered as a code that exists nowhere.
    nowhere = import_workbook(workbook_bytes({QUOTAS: [quota("KHONG-1")]}), user=cast.province_board)
    other = import_workbook(workbook_bytes({QUOTAS: [quota("Q")]}), user=cast.province_board)
    assert _masked(other.issues[0], "Q") == _masked(nowhere.issues[0], "KHONG-1")


def test_the_unit_above_the_uploaders_own_is_not_named(cast):
    """A row of commune X itself with another parent: X's parent (the province, outside X's subtree) is
    given by its code, which the export of X writes anyway, never by its name."""
    row = {"code": "X", "name": cast.commune_x.name, "level": cast.commune_x.get_level_display()}
    result = import_workbook(workbook_bytes({ORGANISATIONS: [row]}), user=cast.commune_board)
    [issue] = result.issues
    assert "tổ chức mã P" in issue.message and cast.province.name not in issue.message
    # The province board sees the province: it is named.
    result = import_workbook(workbook_bytes({ORGANISATIONS: [row]}), user=cast.province_board)
    assert cast.province.name in result.issues[0].message


# --- through the browser ------------------------------------------------------------------------------


@pytest.mark.usefixtures("eager_celery", "isolated_cache")
def test_the_run_page_and_the_marked_workbook_name_no_one_outside(client, cast):
    world = build_world(cast, per_cell=2)
    probe = build_probe(cast, world, total=120)
    client.force_login(cast.commune_board)
    response = client.post(
        reverse("reports:import_upload", args=[cast.commune_x.pk]),
        {"file": SimpleUploadedFile("tham-do.xlsx", probe.data(), content_type=XLSX)},
    )
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    page = client.get(reverse("reports:import_run", args=[run.pk])).content.decode()
    assert "Không có dữ liệu nào được ghi." in page
    marked = client.get(reverse("reports:import_marked", args=[run.pk]))
    assert marked.status_code == 200
    texts = [page, *_texts_of_workbook(marked.content)]
    for secret in world.names + world.units + world.untyped_ids:
        assert not any(_finder([secret])(t) for t in texts), secret
    assert Organisation.objects.filter(code__startswith="X-MOI").count() == 0
