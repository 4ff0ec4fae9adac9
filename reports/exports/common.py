"""What the exports share: the ASCII-safe file name, the place name of a unit and the date line."""

import datetime
import re

from django.utils.text import slugify

from members.models import Organisation
from members.vocabulary import Level

# Leading words of a unit's name that are not the place ("Đảng bộ xã Minh Sơn" -> "Minh Sơn").
_PREFIXES = re.compile(
    r"^(đảng bộ|chi bộ|đảng ủy|đảng uỷ)\s+(cơ sở\s+)?"
    r"(tỉnh|thành phố|huyện|thị xã|quận|xã|phường|đặc khu|thị trấn|thôn|bản|ấp|khu phố|tổ dân phố|khối)?\s*",
    re.IGNORECASE,
)
COMMITTEE_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.GRASSROOTS_COMMITTEE, Level.SUB_COMMITTEE)


def ascii_filename(*parts: str, ext: str) -> str:
    """`bao-cao-tien-do-X01-2025-2030.xlsx`: no diacritics, no spaces, safe in any header."""
    text = "-".join(p for p in parts if p).replace("đ", "d").replace("Đ", "D")
    stem = slugify(text.replace("..", "-")) or "export"
    return f"{stem}.{ext}"


def place_name(organisation: Organisation) -> str:
    return _PREFIXES.sub("", organisation.name).strip() or organisation.name


def committee_name(organisation: Organisation) -> str:
    """The body that signs: "Đảng ủy xã Minh Sơn" for a Party committee, the cell's own name for a cell."""
    name = organisation.name
    if organisation.level in COMMITTEE_LEVELS and name.lower().startswith("đảng bộ"):
        return "Đảng ủy" + name[len("Đảng bộ") :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """Days below 10 and months below 3 take a leading zero, as the rules for official documents say."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
