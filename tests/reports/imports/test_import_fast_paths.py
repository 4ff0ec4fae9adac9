"""The bulk import's quicker pieces against what they replace: the sheet reader against openpyxl's own
read-only rows and dimensions, `checks.clean` against `full_clean`, the multi-row INSERTs against
`bulk_create` and `bulk_history_create`, and rule 15's pairing of dates against a scan of every pair."""

import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.worksheet._reader import WorkSheetParser

from members.models import Person
from recruitment import rules
from recruitment.models import CellVote, Dossier, PartyClass
from reports.imports import reader
from reports.imports.apply import checks, inserts

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


SHARED_STRINGS = f'<sst xmlns="{NS}" count="2" uniqueCount="2"><si><t>chung</t></si><si><t>hai</t></si></sst>'.encode()
SHARED_RELATION = (
    b'<Relationship Id="rIdShared" Target="sharedStrings.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)
SHARED_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def _xlsx(sheet_xml: str) -> bytes:
    """A workbook whose first sheet is `sheet_xml` ."""
    book = openpyxl.Workbook()
    book.active["A1"] = "chung"
    book.active["B1"] = datetime.date(2020, 1, 1)  # the style 1: a date
    stream = io.BytesIO()
    book.save(stream)
    source = zipfile.ZipFile(io.BytesIO(stream.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SHARED_RELATION + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_TYPE + b"</Types>")
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", SHARED_STRINGS)
    source.close()
    return out.getvalue()


def _sheet(dimension: str, rows: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dimension}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="str"><v>chung</v></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> Nguyễn Văn A </t></is></c>'
    '<c r="C2"><v>42</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="str"><v>chung</v></c></row>'
    # Rich text runs and a phonetic run: openpyxl's own reading.
    '<row r="4"><c r="A4" t="inlineStr"><is><r><t>Trần </t></r><r><t>Thị B</t></r>'
    '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
    '<c r="B4" t="inlineStr"><is><t/></is></c><c r="C4"><f>SUM(1,2)</f><v>3</v></c>'
    '<c r="F4" t="inlineStr"><is></is></c></row>'
    # Cells without a reference, a row without a number.
    '<row><c t="inlineStr"><is><t>không số</t></is></c><c><v>7</v></c></row>'
    '<row r="9"><c r="B9" t="str"><v>chuỗi</v></c></row>'
    # Shared strings, numbers (a date's style, floats, exponents, empty), booleans, errors, ISO dates, formulas.
    '<row r="10"><c r="A10" t="s"><v>0</v></c><c r="B10" s="1"><v>45000</v></c><c r="C10" s="1"><v>45000.25</v></c>'
    '<c r="D10" t="n"><v>-1.5</v></c><c r="E10"><v>1E3</v></c><c r="F10"><v/></c><c r="G10" t="b"><v>0</v></c>'
    '<c r="H10" t="e"><v>#N/A</v></c><c r="I10" t="d"><v>2024-02-29T00:00:00</v></c><c r="J10"><f>1+1</f></c>'
    '<c r="K10" t="str"><f>"a"</f><v>a</v></c><c r="L10" t="s"><v>1</v></c><c r="AA10" t="inlineStr"><v>x</v></c>'
    '<c r="AB10"/><c r="AC10" s="1"/><c r="ZZ10" t="n"><v>12</v></c></row>'
    '<row r="11"><c r="AA11"><v>5</v></c><c t="s"><v>0</v></c><c r="B11" t="inlineStr"><is><t>a</t><t>b</t></is></c>'
    '<c r="C11" t="inlineStr"><is><t>y</t></is><f>"y"</f></c>'
    # The same date serials again (converted once), as an integer and as a float.
    '<c r="D11" s="1"><v>45000</v></c><c r="E11" s="1"><v>45000.0</v></c><c r="F11" s="1"><v>45000.25</v></c></row>'
)


def _openpyxl_rows(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            tuple(None if c is EMPTY_CELL else (c.value, c.data_type) for c in row)
            for row in sheet.iter_rows(min_row=2)
        ]
    finally:
        book.close()


def _our_rows(data: bytes) -> list:
    reader._read_dimensions_quickly()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            tuple(None if c is None else (c["value"], c["data_type"]) for c in row)
            for row in reader._sheet_rows(sheet, min_row=2)
        ]
    finally:
        book.close()


@pytest.mark.parametrize(
    "dimension", ["", '<dimension ref="A1:F9"/>', '<dimension ref="A1:C4"/>', '<dimension ref="A1:ZZ11"/>']
)
def test_the_reader_reads_the_rows_openpyxl_reads(dimension):
    data = _xlsx(_sheet(dimension, ROWS))
    expected = _openpyxl_rows(data)
    assert expected  # not two empty readings
    assert _our_rows(data) == expected
    if not dimension:
        # The inline strings, the gaps and the formula are there, as openpyxl gives them.
        assert (" Nguyễn Văn A ", "s") in expected[0]
        assert expected[1] == ()
        assert ("=SUM(1,2)", "f") in expected[2]
        shared = [row for row in expected if len(row) > 1 and row[0] == ("chung", "s")]
        assert shared and (datetime.datetime(2023, 3, 15), "d") in shared[0] and (1000.0, "n") in shared[0]


@pytest.mark.parametrize(
    "dimension", ["", '<dimension ref="A1:F9"/>', '<sheetPr/><dimension ref="B2:C3"/><sheetViews/>']
)
def test_the_dimensions_are_openpyxl_s(dimension):
    xml = _sheet(dimension, ROWS).encode()
    assert reader._sheet_dimensions(io.BytesIO(xml)) == WorkSheetParser(io.BytesIO(xml), []).parse_dimensions()


def _verdict(clean) -> bool:
    try:
        clean()
    except ValidationError:
        return False
    return True


def _person(**changes) -> Person:
    fields = {
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "date_of_birth": datetime.date(2001, 5, 4),
        "citizen_id": "001201000001",
        "general_education": "",
    }
    return Person(**(fields | changes))


TODAY = datetime.date(2026, 12, 6)
PEOPLE = [
    {},
    {"full_name": ""},
    {"full_name": "A" * 121},
    {"full_name": "Nguyễn\u200bVăn"},  # a hidden character
    {"gender": "other"},
    {"gender": None},
    {"date_of_birth": TODAY + datetime.timedelta(days=1)},
    {"date_of_birth": "2001-05-04"},  # not a date object: the field's own clean
    {"citizen_id": "12345"},
    {"citizen_id": None},
    {"general_education": "nope"},
    {"phone": "09 123\t456"},
    {"is_youth_union_member": None},
]


@pytest.mark.django_db
@pytest.mark.parametrize("changes", PEOPLE)
def test_checks_refuse_a_person_as_full_clean_does(changes, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 6, 9, 0), tick=False)
    ours, django = _person(**changes), _person(**changes)
    assert _verdict(lambda: checks.clean(ours, validate_unique=False)) == _verdict(
        lambda: django.full_clean(validate_unique=False)
    )
    assert {f.attname: getattr(ours, f.attname) for f in Person._meta.fields} == {
        f.attname: getattr(django, f.attname) for f in Person._meta.fields
    }


def test_checks_clean_a_person_as_full_clean_does():
    person = _person(full_name="  Nguyễn   Văn An ")
    checks.clean(person, validate_unique=False)
    expected = _person(full_name="  Nguyễn   Văn An ")
    expected.full_clean(validate_unique=False)
    assert person.full_name == expected.full_name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model,fields,exclude",
    [
        (CellVote, {"held_on": datetime.date(2025, 5, 5), "votes_for": 6, "full_members": 6}, ["candidate"]),
        (CellVote, {"held_on": datetime.date(2025, 5, 5), "votes_for": -1, "full_members": 6}, ["candidate"]),
        (CellVote, {"held_on": datetime.date(2025, 5, 5), "votes_for": 6, "full_members": None}, ["candidate"]),
        (CellVote, {"held_on": datetime.date(2027, 5, 5), "votes_for": 6, "full_members": 6}, ["candidate"]),
        (
            CellVote,
            {"held_on": datetime.date(2025, 5, 5), "votes_for": 6, "full_members": 6, "base_reason": "x" * 301},
            [],
        ),
        (
            Dossier,
            {
                "application_date": datetime.date(2025, 4, 1),
                "personal_history_date": datetime.date(2025, 4, 3),
                "route": "members",
                "submitted_on": datetime.date(2025, 4, 15),
            },
            ["candidate"],
        ),
        (
            Dossier,
            {
                "application_date": datetime.date(2025, 4, 1),
                "personal_history_date": datetime.date(2025, 4, 3),
                "route": "nobody",
                "submitted_on": datetime.date(2025, 4, 15),
            },
            ["candidate"],
        ),
        (
            Dossier,
            {
                "application_date": datetime.date(2025, 4, 1),
                "personal_history_date": None,
                "route": "members",
                "submitted_on": datetime.date(2025, 4, 15),
            },
            ["candidate"],
        ),
        (
            PartyClass,
            {"name": "Lớp 1", "starts_on": datetime.date(2025, 3, 3), "ends_on": datetime.date(2025, 3, 7)},
            ["organiser"],
        ),
        (
            PartyClass,
            {"name": "", "starts_on": datetime.date(2025, 3, 3), "ends_on": datetime.date(2025, 3, 7)},
            ["organiser"],
        ),
        (PartyClass, {"name": "Lớp 1", "starts_on": None, "ends_on": datetime.date(2025, 3, 7)}, ["organiser"]),
    ],
)
def test_checks_refuse_records_as_full_clean_does(model, fields, exclude, time_machine):  # fmt: skip
    time_machine.move_to(datetime.datetime(2026, 12, 6, 9, 0), tick=False)
    exclude = [*exclude, "created_by"] if model is CellVote else exclude
    assert _verdict(lambda: checks.clean(model(**fields), exclude=exclude)) == _verdict(
        lambda: model(**fields).full_clean(exclude=exclude)
    )


def _row(obj, skip=("id", "citizen_id", "history_id", "history_date")) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if f.attname not in skip}


@pytest.mark.django_db
def test_inserts_write_what_bulk_create_and_bulk_history_create_write(cast):
    def people(prefix: str) -> list[Person]:
        # What COPY's text format escapes (on PostgreSQL the history rows go by COPY): tabs, line breaks, "\\".
        names = ["Người\t0 \\N\r\n", "Người 1", "Người \\ 2"]
        made = [_person(citizen_id=f"{prefix}{i:07d}", full_name=names[i], phone=str(i)) for i in range(3)]
        made[1]._history_user = cast.commune_board
        return made

    ours, django = people("00120"), people("00121")
    inserts.insert(Person, ours)
    Person.objects.bulk_create(django)
    assert all(p.pk is not None and not p._state.adding for p in ours)
    assert [_row(Person.objects.get(pk=p.pk)) for p in ours] == [_row(Person.objects.get(pk=p.pk)) for p in django]
    inserts.insert_history(Person, ours, update=False, default_user=cast.province_board, default_reason="Nhập từ tệp")
    Person.history.bulk_history_create(
        django, update=False, default_user=cast.province_board, default_change_reason="Nhập từ tệp"
    )
    ours[2].full_name = "Người đổi tên"
    django[2].full_name = "Người đổi tên"
    inserts.insert_history(Person, [ours[2]], update=True)
    Person.history.bulk_history_create([django[2]], update=True)

    def history(people):
        rows = Person.history.filter(id__in=[p.pk for p in people]).order_by("history_id")
        return [(h.history_type, h.history_user_id, h.history_change_reason, _row(h)) for h in rows]

    assert len(history(ours)) == 4
    assert history(ours) == history(django)
    assert {h[1] for h in history(ours)} == {cast.province_board.pk, cast.commune_board.pk, None}


def _naive_pairs(present, earlier, later):
    for e in present:
        if rules._base(e) != earlier:
            continue
        for lt in present:
            if rules._base(lt) != later:
                continue
            e_detail, lt_detail = e.partition(":")[2], lt.partition(":")[2]
            if e_detail and lt_detail and e_detail != lt_detail:
                continue
            yield e, lt


def test_the_quick_hidden_character_test_agrees_with_hidden_characters():
    from members.validation import LINE_BREAKS, hidden_characters  # noqa: PLC0415
    from reports.imports import hidden  # noqa: PLC0415

    rng = random.Random(16)
    hidden_ones = ["\u200b", "\u202e", "\x07", "\t", "\n", "\u2028", "\ufe0f", "\U000e0101", "\u00ad", "\u034f"]
    shown = list("Nguyễn Văn Ánh 0123 -/.,()") + ["\u0301", "\u00a0", "\u3000", "😀"]
    texts = ["", "Nguyễn Văn A", "a\u200bb", "x\ty"]
    for _attempt in range(2000):
        texts.append("".join(rng.choice(shown + hidden_ones[: rng.randint(0, len(hidden_ones))]) for _ in range(8)))
    # Every code point of the Basic Multilingual Plane and a sample beyond it, each on its own.
    texts += [chr(code) for code in range(0x10000)] + [chr(rng.randrange(0x10000, 0x110000)) for _ in range(5000)]
    for text in texts:
        for allow in (frozenset(), LINE_BREAKS):
            found = hidden_characters(text, allow=allow)
            quick = hidden_characters(text, allow=allow) if hidden.may_hide(text) else []
            assert quick == found, repr(text)
    assert hidden.may_hide("a\u200bb") and not hidden.may_hide("Nguyễn Văn A")


@pytest.mark.django_db
def test_insert_plain_writes_what_bulk_create_writes(cast):
    from recruitment import services as steps  # noqa: PLC0415
    from recruitment.models import StageEntry  # noqa: PLC0415
    from reports.imports.apply.bulk_candidates import Entry  # noqa: PLC0415

    candidate = steps.candidate_propose(
        cell=cast.cell_a,
        introduced_by="youth_union",
        proposed_on=datetime.date(2024, 1, 10),
        by=None,
        person_fields={"full_name": "Quần chúng A", "gender": "female", "date_of_birth": datetime.date(2002, 4, 10)},
    )
    made = [
        ("training", datetime.date(2024, 2, 1), "", cast.commune_board),
        ("source", datetime.date(2024, 3, 1), "Chưa đạt lớp bồi dưỡng", None),
    ]
    before = set(StageEntry.objects.values_list("pk", flat=True))
    inserts.insert_plain(StageEntry, [Entry(candidate, *m) for m in made])
    ours = list(StageEntry.objects.exclude(pk__in=before).order_by("pk"))
    before = set(StageEntry.objects.values_list("pk", flat=True))
    StageEntry.objects.bulk_create(
        [
            StageEntry(candidate=candidate, stage=s, entered_on=on, note=note, created_by=who)
            for s, on, note, who in made
        ]
    )
    django = list(StageEntry.objects.exclude(pk__in=before).order_by("pk"))
    skip = ("id", "created_at")
    assert len(ours) == 2
    assert [_row(e, skip) for e in ours] == [_row(e, skip) for e in django]
    assert all(e.created_at is not None for e in ours)


@pytest.mark.django_db
def test_checks_look_up_unique_values_as_full_clean_does(cast):
    from recruitment import services as steps  # noqa: PLC0415
    from recruitment.models import Candidate  # noqa: PLC0415

    taken = cast.member_a
    existing = steps.candidate_propose(
        cell=cast.cell_a,
        introduced_by="youth_union",
        proposed_on=datetime.date(2024, 1, 10),
        by=None,
        person_fields={"full_name": "Quần chúng A", "gender": "female", "date_of_birth": datetime.date(2002, 4, 10)},
    )
    Candidate.objects.filter(pk=existing.pk).update(member=taken)

    def candidate(member):
        return Candidate(
            cell=cast.cell_a,
            stage="source",
            stage_entered_on=datetime.date(2024, 1, 10),
            introduced_by="youth_union",
            proposed_on=datetime.date(2024, 1, 10),
            member=member,
        )

    exclude = ["person", "cell"]
    for member, clean in ((taken, False), (None, True), (cast.member_b, True)):
        assert _verdict(lambda member=member: candidate(member).full_clean(exclude=exclude)) is clean
        assert _verdict(lambda member=member: checks.clean(candidate(member), exclude=exclude)) is clean


def _state(record) -> tuple:
    values = dict(record.__dict__)
    state = values.pop("_state")
    cache = {name: id(other) for name, other in state.fields_cache.items()}
    return values, state.db, state.adding, cache


@pytest.mark.django_db
def test_build_makes_the_records_the_models_make(cast):
    from members.models import Member, MemberMovement  # noqa: PLC0415
    from recruitment.models import (  # noqa: PLC0415
        AdmissionDecision,
        Candidate,
        Ceremony,
        CommitteeApproval,
        Enrolment,
        Exit,
        Introducer,
        Recognition,
    )
    from reports.imports.apply.build import build  # noqa: PLC0415

    day = datetime.date(2025, 3, 3)
    person = _person(citizen_id="001200000099")
    candidate = Candidate(
        cell=cast.cell_a, stage="source", stage_entered_on=day, introduced_by="cell", helper=None, proposed_on=day
    )
    party_class = PartyClass(organiser=cast.commune_x, name="Lớp", starts_on=day, ends_on=day)
    dossier = Dossier(candidate=candidate, application_date=day, route="youth_union", submitted_on=day)
    made = [
        (Person, {"full_name": "Người", "gender": "male", "date_of_birth": day, "citizen_id": None}),
        (
            Candidate,
            {
                "cell": cast.cell_a,
                "stage": "source",
                "stage_entered_on": day,
                "introduced_by": "cell",
                "helper": None,
                "proposed_on": day,
            },
        ),
        (Candidate, {"cell_id": cast.cell_a.pk, "stage": "source", "helper": cast.member_a}),
        (PartyClass, {"organiser": cast.commune_x, "name": "Lớp", "starts_on": day, "ends_on": day}),
        (Enrolment, {"party_class": party_class, "candidate": candidate}),
        (Dossier, {"candidate": candidate, "application_date": day, "route": "youth_union", "submitted_on": day}),
        (Introducer, {"dossier": dossier, "member": cast.member_a, "known_since": day, "introduced_on": day}),
        (CellVote, {"candidate": candidate, "held_on": day, "votes_for": 3, "full_members": 4, "created_by": None}),
        (CommitteeApproval, {"candidate": candidate, "committee": cast.commune_x, "held_on": day, "votes_for": 3}),
        (AdmissionDecision, {"candidate": candidate, "number": "1", "decided_on": day, "extended": False}),
        (Ceremony, {"candidate": candidate, "held_on": day, "superior_consent": "", "created_by": cast.sec_a}),
        (Member, {"person": person, "cell": cast.cell_a, "status": "probationary", "ceremony_date": day}),
        (MemberMovement, {"member": cast.member_a, "kind": "admitted", "date": day, "organisation": cast.cell_a}),
        (Recognition, {"candidate": candidate, "meeting_on": day, "decision_number": "2", "effective_on": day}),
        (Exit, {"candidate": candidate, "kind": "withdrawn", "on": day, "from_stage": "source", "reason": "x"}),
    ]
    for model, fields in made:
        assert _state(build(model, **fields)) == _state(model(**fields)), model
    with pytest.raises(TypeError):
        build(Person, not_a_field=1)


def _chronology_pair_by_pair(dates):
    """Rule 15 as `rules.chronology_findings` was written before its pairs were walked inline: every pair
    of `_CHRONOLOGY` (but the chain's edges) through a scan of every pair of names, then the chain."""
    present = {name: d for name, d in dates.items() if d is not None}
    findings = []
    birth = present.get("birth_date")
    if birth is not None:
        others = [(d, name) for name, d in present.items() if name != "birth_date"]
        if others and min(others)[0] < birth:
            findings.append(rules._order_finding(min(others)[1], min(others)[0], "birth_date", birth))
    for earlier, later, _why in rules._CHRONOLOGY:
        if (earlier, later) in rules._CHAIN_EDGES:
            continue
        for e, lt in _naive_pairs(present, earlier, later):
            findings += rules._in_order(e, present[e], lt, present[lt])
    previous = None
    for name in rules._CHAIN:
        if name in present:
            if previous is not None:
                findings += rules._in_order(previous[0], previous[1], name, present[name])
            previous = (name, present[name])
    return findings + rules._verification_findings(dates)


def test_rule_15_finds_what_a_pair_by_pair_walk_finds():
    rng = random.Random(151)
    bases = sorted({b for pair in rules._CHRONOLOGY for b in pair[:2]} | {"birth_date"})
    found = 0
    for _attempt in range(600):
        dates = {}
        for _n in range(rng.randint(0, 14)):
            base = rng.choice(bases)
            detail = rng.choice(["", "", "Lê Văn A", "Phạm B"])
            day = None if rng.random() < 0.1 else datetime.date(2020, 1, 1) + datetime.timedelta(rng.randint(0, 40))
            dates[f"{base}:{detail}" if detail else base] = day
        ours = rules.chronology_findings(dates)
        assert ours == _chronology_pair_by_pair(dates), dates
        found += len(ours)
    assert found > 600  # the dates were out of order often enough to compare findings, not only empty lists


def test_the_repeating_cells_parse_as_parse_cell():
    from reports.imports import cells as cell_parsers  # noqa: PLC0415
    from reports.imports import rows  # noqa: PLC0415
    from reports.imports.columns import SHEETS  # noqa: PLC0415

    raws = [
        datetime.date(2020, 2, 29),
        datetime.datetime(2021, 3, 4, 5, 6),
        datetime.date(1890, 1, 1),
        "01/02/2020",
        "2020-02-01",
        "31/02/2020",
        " ",
        "",
        "x",
        "Có",
        "không",
        "Nam",
        " nữ ",
        "KHÁC",
        1,
        0,
        -3,
        1.0,
        2.5,
        True,
        False,
        "1.234",
        "12,5",
        10**12,
    ]
    columns = [c for spec in SHEETS for c in spec.columns if c.kind in rows._REPEATING]
    assert {c.kind for c in columns} == set(rows._REPEATING)
    for column in columns:
        raws_here = raws + ([str(label) for label in column.choices.labels] if column.choices else [])
        for raw in raws_here:
            for _twice in range(2):  # the second time from what was remembered
                try:
                    expected = ("value", type(rows.parse_cell(column, raw)), rows.parse_cell(column, raw))
                except cell_parsers.CellError as error:
                    expected = ("error", error.message, error.rule)
                try:
                    typed = rows._parse_repeating(column.kind, column.choices, type(raw), raw)
                    got = ("value", type(typed), typed)
                except cell_parsers.CellError as error:
                    got = ("error", error.message, error.rule)
                assert got == expected, (column.key, raw)


def test_a_date_column_adapts_each_day_as_the_backend_does():
    from django.db import connection  # noqa: PLC0415

    field = Person._meta.get_field("date_of_birth")
    convert = inserts._converter(field)
    for _twice in range(2):
        for day in (datetime.date(2020, 1, 1), datetime.date(1999, 12, 31), datetime.date(2020, 1, 2)):
            assert convert(day) == connection.ops.adapt_datefield_value(day)
        assert convert(datetime.datetime(2020, 1, 1, 7)) == field.get_db_prep_save(
            datetime.datetime(2020, 1, 1, 7), connection
        )


def test_the_guard_counts_a_sheet_s_elements_as_its_general_handler_does(monkeypatch):
    from reports.imports import guard  # noqa: PLC0415

    monkeypatch.setattr(guard, "RECORD_ELEMENTS", 12)
    monkeypatch.setattr(guard, "PART_ELEMENTS", 300)
    monkeypatch.setattr(guard, "ROWS_ALLOWANCE", 2)
    prefixed = f'<x:worksheet xmlns:x="{NS}"><x:sheetData>{{}}</x:sheetData></x:worksheet>'
    sheets = [
        _sheet("", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'),
        _sheet("", ROWS),  # past the limit of elements after the last row
        _sheet("", '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1"><v>3</v></c></row>'),
        _sheet("", "<row>" + "<c><v>1</v></c>" * 7 + "</row>"),  # 14 in one row
        _sheet("", "<row/>" * 2 + '<row r="9"/>'),  # past the ceiling by its number
        _sheet("", "<row/>" * 9),  # past it by count
        _sheet("<a/>" * 300, "<row/>"),  # too many before the first row
        _sheet("", '<row r="x"/>'),
        prefixed.format('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>' * 2),
        prefixed.format('<x:row r="1">' + "<x:c/>" * 13 + "</x:row>"),
    ]

    def outcome(data):
        try:
            guard.check(io.BytesIO(data), max_rows=3, rows_rule="dòng")
        except guard.Refused as refused:
            return refused.message, refused.rule
        return None

    quick = [outcome(_xlsx(sheet)) for sheet in sheets]
    monkeypatch.setattr(guard._Part, "_start_sheet", guard._Part._start)
    assert quick == [outcome(_xlsx(sheet)) for sheet in sheets]
    assert quick[0] is None and sum(o is not None for o in quick) >= 7


def test_the_parser_s_cells_are_openpyxl_s_row_numbers_included():
    sheet = _sheet("", ROWS + '<row r="7"><c r="A7" t="inlineStr"><is><t>x</t></is></c><c r="B7"><v>1</v></c></row>')

    def parsed(parser_class):
        source = io.BytesIO(sheet.encode())
        return list(parser_class(source, ["chung", "hai"], date_formats={1}, timedelta_formats=set()).parse())

    ours = parsed(reader._parser_class())
    assert ours == parsed(WorkSheetParser)
    assert [cell["row"] for _number, cells in ours for cell in cells][-2:] == [7, 7]
