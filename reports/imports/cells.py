"""Cell parsers: one raw value as openpyxl gives it -> a Python value, or `CellError` saying why not.

Pure functions (no database), so the fuzz test can feed them anything. Committees type dates as
text as often as real dates, and Excel turns a 12-digit citizen ID into a number that loses its
leading zeros; both are accepted. Text is normalised to Unicode NFC so that a name typed with
combining accents (NFD, as some Vietnamese keyboards produce) matches the same name typed in NFC, and
text holding a control or hidden character (a zero-width space, a bidirectional override) is refused:
the rule is members/validation.py's, the one the model fields and their forms apply.
"""

import datetime
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import translation

from members import validation

from ..progress import periods
from . import hidden

# Short names of the format rules, shown in the report's "rule" column.
RULE_REQUIRED = "Cột bắt buộc"
RULE_DATE = "Ngày dạng dd/mm/yyyy hoặc ô kiểu ngày"
RULE_INT = "Số nguyên không âm"
RULE_DECIMAL = "Số thập phân"
RULE_BOOL = "Có / Không"
RULE_CHOICE = "Giá trị trong danh mục"
RULE_CITIZEN_ID = "Số CCCD gồm 12 chữ số"
RULE_LENGTH = "Độ dài tối đa"
RULE_FORMULA = "Ô chứa giá trị, không chứa công thức"
RULE_PERIOD = "Kỳ chỉ tiêu (nhiệm kỳ, năm hoặc khoảng ngày)"
RULE_HIDDEN = "Không có ký tự điều khiển hoặc ký tự ẩn"

_DATE_TEXT = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Plausible dates for anything in this domain (births from 1900, records to 2100).
_EARLIEST, _LATEST = validation.EARLIEST_DATE, validation.LATEST_DATE


class CellError(ValueError):
    def __init__(self, message: str, rule: str):
        super().__init__(message)
        self.message = message
        self.rule = rule


def shown(raw) -> str:
    """The value as the report shows it (dates as dd/mm/yyyy, never "2024-02-01 00:00:00")."""
    if raw is None:
        return ""
    if isinstance(raw, datetime.datetime):
        raw = raw.date() if raw.time() == datetime.time() else raw
        return raw.strftime("%d/%m/%Y") if isinstance(raw, datetime.date) else raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, datetime.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = validation.normalise_text(str(raw))
    # A hidden character is shown by its code point: quoted as it is, a right-to-left override
    # would turn the rest of the message around, and a zero-width space would not be seen at all.
    return "".join(
        f"[U+{ord(c):04X}]" if c not in validation.LINE_BREAKS and validation.is_hidden_character(c) else c
        for c in text
    )[:200]


def normal_text(raw) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed; numbers written without a trailing ".0"."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "Có" if raw else "Không"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (datetime.date, datetime.datetime)):
        return shown(raw)
    return " ".join(validation.normalise_text(str(raw)).split())


# The five tone marks of Vietnamese, as combining characters. Each syllable carries one; where it
# sits is only a spelling convention ("Hoà" in the old placement, "Hòa" in the new; "Thuý" / "Thúy").
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_SYLLABLES = re.compile(r"(\w+)")


def _tone_last(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = "".join(c for c in decomposed if c in _TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS) + tones)


def fold(text: str) -> str:
    """Comparison key: case-folded, single spaces, each syllable's tone mark moved to its end so that
    both placements compare equal. Diacritics are kept: "Bình" is not "Binh", "An" is not "Ân"."""
    if type(text) is str:
        # A sheet repeats the same few choices (a gender, a stage, a result) on every row. Only exact
        # strings are remembered: a cache would take 1, 1.0 and True for the same key.
        return _fold_text(text)
    return _fold(text)


@functools.lru_cache(maxsize=4096)
def _fold_text(text: str) -> str:
    return _fold(text)


def _fold(text) -> str:
    text = normal_text(text).casefold()
    return "".join(_tone_last(part) if i % 2 else part for i, part in enumerate(_SYLLABLES.split(text)))


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_text(raw, max_length: int | None = None) -> str:
    if isinstance(raw, str):
        # Line breaks (Alt+Enter in a cell) and tabs become single spaces; anything else hidden is refused.
        found = validation.hidden_characters(raw, allow=validation.LINE_BREAKS) if hidden.may_hide(raw) else []
        if found:
            with translation.override("vi"):
                raise CellError(validation.hidden_characters_message(found), RULE_HIDDEN)
    text = normal_text(raw)
    if max_length is not None and len(text) > max_length:
        raise CellError(f"Dài {len(text)} ký tự, tối đa {max_length} ký tự.", RULE_LENGTH)
    return text


def parse_code(raw, max_length: int | None = None) -> str:
    return parse_text(raw, max_length).replace(" ", "")


def parse_date(raw) -> datetime.date:
    if isinstance(raw, bool):
        raise CellError("Không phải ngày.", RULE_DATE)
    if isinstance(raw, datetime.datetime):
        day = raw.date()
    elif isinstance(raw, datetime.date):
        day = raw
    elif isinstance(raw, (int, float)):
        raise CellError(
            f"“{shown(raw)}” là số, không phải ngày; hãy ghi dạng dd/mm/yyyy hoặc định dạng ô là ngày.", RULE_DATE
        )
    else:
        text = normal_text(raw)
        if m := _DATE_TEXT.fullmatch(text):
            d, mo, y = (int(g) for g in m.groups())
        elif m := _ISO_DATE.fullmatch(text):
            y, mo, d = (int(g) for g in m.groups())
        else:
            raise CellError(f"“{shown(raw)}” không phải ngày dạng dd/mm/yyyy.", RULE_DATE)
        try:
            day = datetime.date(y, mo, d)
        except ValueError:
            raise CellError(f"Ngày {d:02d}/{mo:02d}/{y} không có trong lịch.", RULE_DATE) from None
    if not _EARLIEST <= day <= _LATEST:
        raise CellError(f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng 1900–2100.", RULE_DATE)
    return day


def parse_int(raw) -> int:
    if isinstance(raw, bool):
        raise CellError("Không phải số.", RULE_INT)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(f"“{shown(raw)}” không phải số nguyên.", RULE_INT)
        value = int(raw)
    else:
        text = normal_text(raw).replace(".", "").replace(",", "") if not isinstance(raw, datetime.date) else "x"
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise CellError(f"“{shown(raw)}” không phải số nguyên.", RULE_INT)
        value = int(text)
    if value < 0:
        raise CellError(f"Số {value} âm.", RULE_INT)
    if value > validation.LARGEST_NUMBER:
        raise CellError(f"Số {value} quá lớn.", RULE_INT)
    return value


def parse_decimal(raw) -> Decimal:
    if isinstance(raw, (bool, datetime.date, datetime.datetime)):
        raise CellError("Không phải số.", RULE_DECIMAL)
    text = normal_text(raw).replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{shown(raw)}” không phải số.", RULE_DECIMAL) from None
    if not value.is_finite() or value < 0 or value > 1000:
        raise CellError(f"“{shown(raw)}” không phải một tỷ lệ phần trăm hợp lệ.", RULE_DECIMAL)
    return value.quantize(Decimal("0.01"))


# The words for yes and no, as `fold` gives them (compared with folded cells).
_TRUE = frozenset(map(fold, ("có", "co", "x", "1", "true", "đúng", "dung", "yes", "c")))
_FALSE = frozenset(map(fold, ("không", "khong", "0", "false", "sai", "no", "k")))


def parse_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    key = fold(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(f"“{shown(raw)}” không phải Có / Không.", RULE_BOOL)


def choice_labels(choices: type[models.TextChoices]) -> list[str]:
    with translation.override("vi"):
        return [str(label) for label in choices.labels]


@functools.cache
def _choice_keys(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice's folded label and code -> its code; the first choice wins, as in the list's order."""
    keys: dict[str, str] = {}
    with translation.override("vi"):
        for value, label in choices.choices:
            keys.setdefault(fold(str(label)), value)
            keys.setdefault(fold(value), value)
    return keys


def parse_choice(raw, choices: type[models.TextChoices]) -> str:
    value = _choice_keys(choices).get(fold(raw))
    if value is not None:
        return value
    allowed = "; ".join(choice_labels(choices))
    raise CellError(f"“{shown(raw)}” không có trong danh mục ({allowed}).", RULE_CHOICE)


def parse_citizen_id(raw) -> str:
    if isinstance(raw, bool):
        raise CellError("Không phải số CCCD.", RULE_CITIZEN_ID)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float) and not raw.is_integer():
            raise CellError(f"“{shown(raw)}” không phải số CCCD.", RULE_CITIZEN_ID)
        # Excel stored the ID as a number and dropped its leading zeros (province codes 001-096).
        text = str(int(raw))
        if 10 <= len(text) <= 12:
            text = text.zfill(12)
    else:
        text = normal_text(raw).replace(" ", "").replace(".", "")
    if not re.fullmatch(r"\d{12}", text):
        raise CellError(f"“{shown(raw)}” không phải số CCCD gồm đúng 12 chữ số.", RULE_CITIZEN_ID)
    return text


def parse_period(raw) -> periods.Period:
    if isinstance(raw, (bool, datetime.date, datetime.datetime)):
        raise CellError(f"“{shown(raw)}” không phải kỳ chỉ tiêu.", RULE_PERIOD)
    text = normal_text(raw).replace("–", "-").replace("—", "-").replace(" ", "")
    if ".." in text:
        # Custom ranges are written in the Vietnamese order (dd/mm/yyyy..dd/mm/yyyy) or ISO.
        first, _sep, last = text.partition("..")
        try:
            start, end = parse_date(first), parse_date(last)
        except CellError:
            raise CellError(f"“{shown(raw)}” không phải khoảng ngày dd/mm/yyyy..dd/mm/yyyy.", RULE_PERIOD) from None
        text = f"{start.isoformat()}..{end.isoformat()}"
    try:
        period = periods.parse(text)
    except (periods.PeriodError, ValueError):
        raise CellError(
            f"“{shown(raw)}” không phải kỳ chỉ tiêu (ví dụ “2025-2030”, “2026” hoặc “01/01/2026..30/06/2026”).",
            RULE_PERIOD,
        ) from None
    if period.kind == "month":
        raise CellError("Chỉ tiêu giao theo nhiệm kỳ, năm hoặc khoảng ngày, không theo tháng.", RULE_PERIOD)
    return period
