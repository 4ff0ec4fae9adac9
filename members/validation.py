"""Field validators shared by models and forms, and the one rule for free text (hidden characters, NFC)."""

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_not_in_future(value) -> None:
    today = timezone.localdate()
    if value and value > today:
        raise ValidationError(
            _("Ngày %(value)s ở tương lai (hôm nay là %(today)s); ngày này phải là ngày đã qua."),
            code="future_date",
            params={"value": value.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")},
        )


# --- plausible values ------------------------------------------------------------------------------
# Every date typed in a form or a workbook lies in these years, and every number below this bound
# (a database integer holds up to 2,147,483,647; nothing counted here comes near a billion). Forms
# get both checks on every date and number field (partyhub/apps.py); the import's cells the same
# bounds (reports/imports/cells.py).
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
LARGEST_NUMBER = 10**9


def validate_plausible_date(value) -> None:
    if value and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Ngày %(value)s nằm ngoài khoảng năm %(first)s–%(last)s; hãy kiểm tra lại năm."),
            code="implausible_date",
            params={"value": value.strftime("%d/%m/%Y"), "first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
        )


def _number_text(value) -> str:
    """Vietnamese digit grouping of a whole number (a value past a billion has no useful decimals)."""
    return f"{int(value):,}".replace(",", ".")


def validate_plausible_number(value) -> None:
    if value is not None and abs(value) > LARGEST_NUMBER:
        raise ValidationError(
            _("Số %(value)s quá lớn; tối đa %(largest)s."),
            code="implausible_number",
            params={"value": _number_text(value), "largest": _number_text(LARGEST_NUMBER)},
        )


# --- free text: hidden characters and normalisation ---------------------------------------------
#
# Names and other free text are typed by hand, pasted from documents and imported from workbooks.
# Characters that show nothing (zero-width spaces, a byte-order mark), that reorder what is shown
# (bidirectional overrides and isolates) or that are not text at all (control characters) would let
# two records look identical while differing, and so slip past duplicate detection; they are refused,
# naming the code point, so that the user retypes the value. What only the spelling differs in
# (combining accents typed separately, spaces at the ends) is normalised silently: Unicode NFC, trimmed.

# Invisible characters outside the Cc / Cf / Zl / Zp categories that `hidden_characters` refuses.
_INVISIBLE = frozenset(
    [
        0x034F,  # COMBINING GRAPHEME JOINER
        0x115F,  # HANGUL CHOSEONG FILLER
        0x1160,  # HANGUL JUNGSEONG FILLER
        0x3164,  # HANGUL FILLER
        0xFFA0,  # HALFWIDTH HANGUL FILLER
        *range(0xFE00, 0xFE10),  # variation selectors
        *range(0xE0100, 0xE01F0),  # variation selectors supplement
    ]
)
# Whitespace a multi-line value may hold (a line break typed with Alt+Enter in an Excel cell).
LINE_BREAKS = frozenset("\t\n\r")


def is_hidden_character(char: str) -> bool:
    """Control (Cc), format (Cf: zero-width U+200B-U+200D, U+2060, U+FEFF, bidirectional marks,
    embeddings, overrides and isolates U+200E/U+200F, U+202A-U+202E, U+2066-U+2069, soft hyphen...),
    line and paragraph separators (Zl, Zp) and the few invisible letters and selectors above."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or ord(char) in _INVISIBLE


def hidden_characters(text: str, *, allow: frozenset[str] = frozenset()) -> list[str]:
    """The distinct hidden characters of `text`, in order of appearance (those in `allow` excepted)."""
    found: list[str] = []
    for char in text:
        if char not in allow and char not in found and is_hidden_character(char):
            found.append(char)
    return found


def code_point(char: str) -> str:
    """ "U+200B ZERO WIDTH SPACE"; control characters have no name in Unicode: "U+0007"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def describe(found: list[str]) -> str:
    """ "U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE": the first three, then "…"."""
    return ", ".join(code_point(c) for c in found[:3]) + (", …" if len(found) > 3 else "")


HIDDEN_CHARACTERS_MESSAGE = _("Có ký tự điều khiển hoặc ký tự ẩn (%(chars)s); hãy gõ lại.")


def hidden_characters_message(found: list[str]) -> str:
    """The refusal as the import reports it (the validator below lets Django format it)."""
    return str(HIDDEN_CHARACTERS_MESSAGE) % {"chars": describe(found)}


def validate_plain_text(value) -> None:
    """Field validator of free text (names, numbers of documents, notes): no hidden character."""
    if not isinstance(value, str):
        return
    found = hidden_characters(value)
    if found:
        raise ValidationError(HIDDEN_CHARACTERS_MESSAGE, code="hidden_character", params={"chars": describe(found)})


def normalise_text(value):
    """Unicode NFC, trimmed: "Hoà" typed with a combining grave accent becomes the one character "à".
    Anything but a string is returned as it is."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value).strip()


def normalise_fields(instance, *names: str) -> None:
    """`normalise_text` on the named attributes of a model instance (from the model's `clean()`)."""
    for name in names:
        setattr(instance, name, normalise_text(getattr(instance, name)))


# simple-history's `history_change_reason` is a varchar(100): PostgreSQL refuses a longer one (SQLite
# would keep it), so every reason a service writes goes through this.
HISTORY_REASON_MAX = 100


def history_reason(text: str) -> str:
    """A history row's reason, cut to the column's length with an ellipsis."""
    return text if len(text) <= HISTORY_REASON_MAX else text[: HISTORY_REASON_MAX - 1] + "…"
