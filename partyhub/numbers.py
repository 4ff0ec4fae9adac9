"""The one way PartyHub writes a number for people to read, in each language.

Vietnamese groups thousands with "." and writes decimals after ",": 1.234 người, 29,2%.
English does the opposite: 1,234 and 29.2%. Every page, email and PDF goes through `number` and
`percent` (as template filters `|number` and `|percent`, partyhub/templatetags/numbers.py); Excel
cells hold numbers with a number format instead (`EXCEL_INTEGER`, `EXCEL_PERCENT`), which Excel shows
in the reader's own separators.

Percentages: one rule everywhere, one decimal always written ("200,0%", "65,0%", "29,2%"), so a
column of rates lines up and a reader never wonders whether "65%" was rounded. Values are on the
0-100 scale the report keeps ("45.0" in the JSON is 45,0%). Rounding is half away from zero on the
decimal value (2,25 → 2,3; -2,25 → -2,3), never on a binary float's approximation.

None (and "") is written as "" so a template decides what an absent figure looks like.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

# (thousands separator, decimal separator) per language; any other language reads as English.
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
PERCENT_DECIMALS = 1

# Excel number formats (cells hold numbers; a percentage cell holds the fraction, 0.292 for 29,2%).
EXCEL_INTEGER = "#,##0"
EXCEL_DECIMAL = "#,##0.0"
EXCEL_PERCENT = "0.0%"


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or "vi").lower()
    return "vi" if code.startswith("vi") else "en"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = int(value)
    try:
        result = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


def number(value, decimals: int = 0, language: str | None = None) -> str:
    """`value` rounded to `decimals` places, thousands grouped, in the language's separators."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None or value == "" else str(value)
    thousands, point = SEPARATORS[_language(language)]
    quantum = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    if decimals > 0:
        text += point + fraction.ljust(decimals, "0")[:decimals]
    return sign + text


def percent(value, language: str | None = None) -> str:
    """A percentage on the 0-100 scale with one decimal and the sign: "29,2%" (vi), "29.2%" (en)."""
    text = number(value, PERCENT_DECIMALS, language)
    return f"{text}%" if text and _decimal(value) is not None else text


def excel_fraction(value) -> float | None:
    """A percentage on the 0-100 scale ("45.0", 45) as the fraction an `EXCEL_PERCENT` cell holds."""
    amount = _decimal(value)
    return None if amount is None else float(amount / 100)
