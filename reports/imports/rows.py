"""Row validators: a row's raw cells -> typed values, or the problems with them, without the database.

Everything that can be said about a row from the row alone is said here (formats, required cells,
dates in order on the row, a step's cells given together); what needs the database (codes, people,
the pipeline's rules) is said when the row is applied (`apply`). A validator never raises: every
cell gets its own problem, so one pass reports all of a row's mistakes.
"""

import datetime
import functools
from dataclasses import dataclass

from recruitment.vocabulary import EXITS, Stage

from ..vocabulary import ValueKind
from . import cells
from .columns import (
    BOOL,
    CANDIDATES,
    CHOICE,
    CITIZEN_ID,
    CODE,
    DATE,
    DECIMAL,
    INT,
    MEMBERS,
    MOVEMENTS,
    ORGANISATIONS,
    PERIOD,
    QUOTAS,
    Column,
    MovementChoice,
    SheetSpec,
)

RULE_ROW = "Dữ liệu trên cùng một dòng"


@dataclass(frozen=True)
class Problem:
    column: str  # the column's key ("" for the whole row)
    message: str
    rule: str


def parse_cell(column: Column, raw):
    """The typed value of one cell (None when blank); raises cells.CellError."""
    if cells.is_blank(raw):
        return None
    kind = column.kind
    if kind == DATE:
        return cells.parse_date(raw)
    if kind == INT:
        return cells.parse_int(raw)
    if kind == DECIMAL:
        return cells.parse_decimal(raw)
    if kind == BOOL:
        return cells.parse_bool(raw)
    if kind == CHOICE:
        return cells.parse_choice(raw, column.choices)
    if kind == CITIZEN_ID:
        return cells.parse_citizen_id(raw)
    if kind == PERIOD:
        return cells.parse_period(raw)
    if kind == CODE:
        return cells.parse_code(raw, column.max_length) or None
    return cells.parse_text(raw, column.max_length) or None


# The kinds whose cells repeat down a sheet (dates, choices, yes/no, counts) and whose typed values are
# immutable: each (kind, choices, raw value) parsed once. Only the parsed values are remembered (a
# CellError is raised again each time), keyed by the raw value's type too (1, 1.0 and True are equal keys).
_REPEATING = frozenset({DATE, INT, BOOL, CHOICE})
_HASHED = frozenset({str, int, float, bool, datetime.date, datetime.datetime})


@functools.lru_cache(maxsize=16384)
def _parse_repeating(kind: str, choices, _raw_type: type, raw):
    """`parse_cell(column, raw)` for a column of a kind in _REPEATING (which reads only its kind and choices)."""
    if cells.is_blank(raw):
        return None
    if kind == DATE:
        return cells.parse_date(raw)
    if kind == INT:
        return cells.parse_int(raw)
    if kind == BOOL:
        return cells.parse_bool(raw)
    return cells.parse_choice(raw, choices)


def validate_row(spec: SheetSpec, raw: dict, formulas: frozenset[str] = frozenset()) -> tuple[dict, list[Problem]]:
    """(typed values by column key, problems). Values of cells with a problem are left out."""
    values: dict = {}
    problems: list[Problem] = []
    for column in spec.columns:
        value = raw.get(column.key)
        if value is None and not formulas:
            # A blank cell (most of a wide sheet's): as `parse_cell` below, which gives None for it.
            if column.required:
                problems.append(Problem(column.key, "Ô bắt buộc đang để trống.", cells.RULE_REQUIRED))
            else:
                values[column.key] = None
            continue
        if column.key in formulas:
            problems.append(
                Problem(
                    column.key, "Ô chứa công thức; hãy sao chép rồi dán giá trị (Paste Values).", cells.RULE_FORMULA
                )
            )
            continue
        try:
            if column.kind in _REPEATING and type(value) in _HASHED:
                typed = _parse_repeating(column.kind, column.choices, type(value), value)
            else:
                typed = parse_cell(column, value)
        except cells.CellError as error:
            problems.append(Problem(column.key, error.message, error.rule))
            continue
        except Exception:  # noqa: BLE001 - a value no parser foresaw is still the user's to fix, not a crash
            problems.append(Problem(column.key, "Giá trị không đọc được.", cells.RULE_CHOICE))
            continue
        if typed is None and column.required:
            problems.append(Problem(column.key, "Ô bắt buộc đang để trống.", cells.RULE_REQUIRED))
            continue
        values[column.key] = typed
    failed = {p.column for p in problems}
    problems += CROSS_CHECKS[spec.key](values, failed)
    return values, problems


# --- what a row says about itself -------------------------------------------------------------


def _needs(values: dict, failed: set, when: str, *keys: str, because: str) -> list[Problem]:
    """Cells `keys` are required once `when` is filled."""
    if values.get(when) is None:
        return []
    return [
        Problem(k, f"Ô bắt buộc khi có {because}.", RULE_ROW) for k in keys if values.get(k) is None and k not in failed
    ]


def _order(values: dict, *keys_and_labels: tuple[str, str]) -> list[Problem]:
    """Dates on the row in the order the steps happen (equal dates allowed)."""
    problems = []
    known = [(k, label, values[k]) for k, label in keys_and_labels if values.get(k) is not None]
    for (_k1, l1, d1), (k2, l2, d2) in zip(known, known[1:], strict=False):
        if d2 < d1:
            problems.append(Problem(k2, f"{l2} ({d2:%d/%m/%Y}) trước {l1} ({d1:%d/%m/%Y}).", RULE_ROW))
    return problems


def _organisation(values: dict, failed: set) -> list[Problem]:
    problems = []
    if values.get("merged_into_code") and values.get("dissolved_on") is None and "dissolved_on" not in failed:
        problems.append(Problem("dissolved_on", "Ghi ngày sáp nhập khi có “Sáp nhập vào”.", RULE_ROW))
    if values.get("merged_into_code") and values.get("merged_into_code") == values.get("code"):
        problems.append(Problem("merged_into_code", "Một tổ chức không thể sáp nhập vào chính nó.", RULE_ROW))
    if values.get("parent_code") and values.get("parent_code") == values.get("code"):
        problems.append(Problem("parent_code", "Mã tổ chức cấp trên trùng mã của chính tổ chức.", RULE_ROW))
    problems += _order(values, ("founded_on", "Ngày thành lập"), ("dissolved_on", "Ngày giải thể / sáp nhập"))
    return problems


def _member(values: dict, failed: set) -> list[Problem]:
    return _order(
        values,
        ("date_of_birth", "Ngày sinh"),
        ("admission_decision_date", "Ngày quyết định kết nạp"),
        ("ceremony_date", "Ngày lễ kết nạp"),
        ("recognition_date", "Ngày công nhận chính thức"),
    )


def _movement(values: dict, failed: set) -> list[Problem]:
    problems = []
    unknown = not values.get("citizen_id") and not values.get("card_number") and values.get("date_of_birth") is None
    if unknown and not {"citizen_id", "card_number", "date_of_birth"} & failed:
        problems.append(
            Problem("citizen_id", "Cần số CCCD, số thẻ đảng hoặc ngày sinh để nhận ra đảng viên.", RULE_ROW)
        )
    if values.get("kind") in (MovementChoice.TRANSFER, MovementChoice.TRANSFERRED_IN):
        problems += _needs(values, failed, "kind", "to_cell_code", because="chuyển sinh hoạt / chuyển đến")
    return problems


# Each step of the pipeline: the cells that make it, the first of which says the step happened.
CANDIDATE_STEPS: dict[str, tuple[str, ...]] = {
    "class": ("class_name", "class_organiser_code", "class_starts_on", "class_ends_on"),
    "dossier": ("application_date", "personal_history_date", "route", "submitted_on"),
    "vote": ("vote_held_on", "votes_for", "full_members"),
    "committee": ("committee_held_on", "committee_votes_for", "committee_members"),
    "decision": ("decided_on", "decision_number", "decision_received_on"),
    "ceremony": ("ceremony_on",),
    "recognition": ("recognition_meeting_on", "recognition_number"),
}
STEP_LABELS = {
    "class": "lớp bồi dưỡng",
    "dossier": "hồ sơ",
    "vote": "ngày chi bộ họp xét",
    "committee": "ngày đảng ủy cơ sở xét",
    "decision": "quyết định kết nạp",
    "ceremony": "lễ kết nạp",
    "recognition": "công nhận chính thức",
}


def _candidate(values: dict, failed: set) -> list[Problem]:
    problems = []
    for step, keys in CANDIDATE_STEPS.items():
        if any(values.get(k) is not None for k in keys):
            problems += [
                Problem(k, f"Ô bắt buộc khi có {STEP_LABELS[step]}.", RULE_ROW)
                for k in keys
                if values.get(k) is None and k not in failed
            ]
    if values.get("class_result") == "passed":
        problems += _needs(
            values, failed, "class_result", "certificate_number", "certificate_issued_on", because="kết quả Đạt"
        )
    for n in ("1", "2"):
        problems += _needs(
            values,
            failed,
            f"introducer{n}",
            f"introducer{n}_known_since",
            f"introducer{n}_on",
            because=f"người giới thiệu {n}",
        )
    if values.get("stage") in EXITS:
        problems += [
            Problem(k, "Ô bắt buộc với giai đoạn dừng theo dõi, không được kết nạp hoặc xóa tên.", RULE_ROW)
            for k in ("exit_on", "exit_reason")
            if values.get(k) is None and k not in failed
        ]
    elif values.get("exit_on") is not None and values.get("stage") is not None:
        problems.append(
            Problem(
                "exit_on", "Chỉ ghi ngày này khi giai đoạn là dừng theo dõi, không được kết nạp hoặc xóa tên.", RULE_ROW
            )
        )
    if values.get("stage") == Stage.STRUCK_OFF and values.get("ceremony_on") is None and "ceremony_on" not in failed:
        problems.append(Problem("ceremony_on", "Chỉ xóa tên đảng viên dự bị đã kết nạp.", RULE_ROW))
    problems += _order(
        values,
        ("date_of_birth", "Ngày sinh"),
        ("proposed_on", "Ngày đưa vào diện quần chúng ưu tú"),
        ("class_starts_on", "Ngày khai giảng"),
        ("class_ends_on", "Ngày bế giảng"),
        ("submitted_on", "Ngày nộp hồ sơ"),
        ("vote_held_on", "Ngày chi bộ họp xét"),
        ("committee_held_on", "Ngày đảng ủy cơ sở xét"),
        ("decided_on", "Ngày quyết định kết nạp"),
        ("ceremony_on", "Ngày lễ kết nạp"),
        ("recognition_meeting_on", "Ngày chi bộ xét công nhận chính thức"),
    )
    return problems


def _quota(values: dict, failed: set) -> list[Problem]:
    kind = values.get("value_kind")
    problems = []
    if kind in (ValueKind.EXACT, ValueKind.RANGE) and values.get("value") is None and "value" not in failed:
        problems.append(Problem("value", "Ghi số lượng (hoặc cận dưới) của chỉ tiêu.", RULE_ROW))
    if kind == ValueKind.RANGE and values.get("upper") is None and "upper" not in failed:
        problems.append(Problem("upper", "Chỉ tiêu dạng khoảng cần cận trên.", RULE_ROW))
    if kind == ValueKind.RATE and values.get("rate_percent") is None and "rate_percent" not in failed:
        problems.append(Problem("rate_percent", "Chỉ tiêu dạng tỷ lệ cần tỷ lệ (%).", RULE_ROW))
    return problems


CROSS_CHECKS = {
    ORGANISATIONS.key: _organisation,
    MEMBERS.key: _member,
    MOVEMENTS.key: _movement,
    CANDIDATES.key: _candidate,
    QUOTAS.key: _quota,
}
