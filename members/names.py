"""People's names: the Vietnamese order of a list of people, and one way of showing a user's name.

Order. A Vietnamese list of people sorts by the given name (the last word), then the middle name,
then the family name: "Nguyễn Văn An" sorts as ("An", "Văn", "Nguyễn"), so all the An come before
all the Bình whatever their family. Each part compares the way a Vietnamese dictionary does, which
is also the CLDR/ICU collation of the locale "vi":

- letters, in the order a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z):
  "Ă", "Â", "Đ", "Ê", "Ô", "Ơ", "Ư" are letters of their own, not accented forms ("Đ…" comes
  after every "D…" and before "E…"; "Ngô" before "Nguyễn" since ô comes before u);
- then, between words of the same letters, the tone marks: none, huyền (à), hỏi (ả), ngã (ã),
  sắc (á), nặng (ạ), e.g. ba, bà, bả, bã, bá, bạ, then bác, bạc;
- then lower case before upper case; a space or a hyphen before any letter.

`sort_key(full_name)` is that order in Python (lists built in memory: deadlines, reconciliation).
`name_order(field)` / `order_by_name(queryset, field)` is the same order in the database:

- on PostgreSQL, the ICU collation `vietnamese` (locale "vi", created by the migration
  members/0005_names_vietnamese_collation) applied to the three parts cut out of the full name by
  regular expressions, so the database sorts and paginates (one query, as before);
- on SQLite (development, tests) a collation `vietnamese_name` registered on each connection
  (members/apps.py), whose comparison is `sort_key` itself.

No stored sort column: the full name stays the one source, so a bulk insert (COPY in
members/demo/bulk.py, the spreadsheet import) or an update of a name cannot leave a stale key.
tests/members/test_names_postgres.py checks that PostgreSQL's order is exactly `sort_key`'s.

Name shown. A user's name reads family name first, the way the navbar shows it: `user_name(user)`
(template filter `user_name` of `{% load names %}`), "Ngô Mạnh Vinh", never Django's
`get_full_name()` ("Vinh Ngô Mạnh", first name first). A person in a pick list reads
`person_label(person, cell)`: "Nguyễn Văn Sáng (1990, Chi bộ 3)", so two people of one name differ.
"""

from __future__ import annotations

import functools
import unicodedata

from django.db import connections
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce, Collate

# The collation names: PostgreSQL's compares one part of a name, SQLite's whole full names.
PG_COLLATION = "vietnamese"
SQLITE_COLLATION = "vietnamese_name"

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {ch: i for i, ch in enumerate(ALPHABET)}
# The combining marks that make a letter of its own (ă â ê ô ơ ư) rather than a tone.
_MAKES_LETTER = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô"}
_MAKES_LETTER |= {("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
# Tones in dictionary order: none (0), huyền, hỏi, ngã, sắc, nặng.
_TONE = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Before every letter (as ICU has them): separators, then digits. Other signs follow, by code point.
_SEPARATORS = " -'."
_DIGITS_AT, _LETTERS_AT, _OTHERS_AT = 100, 200, 1000

PartKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def _primary(ch: str) -> int:
    if ch in _LETTER:
        return _LETTERS_AT + _LETTER[ch]
    if ch.isspace():
        return 0
    if ch in _SEPARATORS:
        return 1 + _SEPARATORS.index(ch)
    if ch.isdigit():
        return _DIGITS_AT + int(unicodedata.digit(ch, 0))
    return _OTHERS_AT + ord(ch)


def part_key(text: str) -> PartKey:
    """One part of a name (or any word) in Vietnamese dictionary order: its letters, then its tones,
    then its case, like ICU's three levels."""
    letters: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    base = ""
    upper = False
    tone = 0

    def flush() -> None:
        if base:
            letters.append(_primary(base))
            tones.append(tone)
            cases.append(1 if upper else 0)

    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if (base, ch) in _MAKES_LETTER:
                base = _MAKES_LETTER[base, ch]
            elif ch in _TONE:
                tone = _TONE[ch]
            else:
                tone = 6 + ord(ch)  # a mark Vietnamese does not use: after the tones
            continue
        flush()
        lower = ch.lower()
        base, upper, tone = lower, lower != ch, 0
    flush()
    return tuple(letters), tuple(tones), tuple(cases)


def name_parts(full_name: str) -> tuple[str, str, str]:
    """(given, middle, family): "Nguyễn Văn An" gives ("An", "Văn", "Nguyễn"); "Tôn Nữ Thị Hà"
    gives ("Hà", "Nữ Thị", "Tôn"); a name of one word is only a given name."""
    words = full_name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[-1], " ".join(words[1:-1]), words[0]


@functools.lru_cache(maxsize=65536)
def sort_key(full_name: str) -> tuple[PartKey, PartKey, PartKey]:
    """The key of a person's full name in a Vietnamese list: given name, middle name, family name."""
    given, middle, family = name_parts(unicodedata.normalize("NFC", full_name or ""))
    return part_key(given), part_key(middle), part_key(family)


def compare(a: str, b: str) -> int:
    """`sort_key` as a comparison (-1, 0, 1): SQLite's collation `vietnamese_name`."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: SQLite learns the collation `vietnamese_name`."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare)


# The parts of a full name in PostgreSQL (names are trimmed on save: members/validation.py).
_GIVEN_RE = r"(\S+)\s*$"
_MIDDLE_RE = r"^\s*\S+\s+(.+?)\s+\S+\s*$"
_FAMILY_RE = r"^\s*(\S+)\s+\S"


def _pg_part(field: str, regex: str):
    cut = Func(F(field), Value(regex), function="substring", output_field=TextField())
    return Collate(Coalesce(cut, Value(""), output_field=TextField()), PG_COLLATION)


def name_order(field: str = "person__full_name", *, using: str = "default") -> list:
    """The ORDER BY expressions of a Vietnamese list of people by `field` (a full name), for
    `order_by(...)`: put the caller's tie-breaker ("pk") after them."""
    if connections[using].vendor == "postgresql":
        return [_pg_part(field, _GIVEN_RE), _pg_part(field, _MIDDLE_RE), _pg_part(field, _FAMILY_RE)]
    return [Collate(F(field), SQLITE_COLLATION)]


def order_by_name(queryset, field: str = "person__full_name", *, before: tuple = (), after: tuple = ("pk",)):
    """`queryset` in Vietnamese name order: `before` (e.g. the cell) first, then the name, then `after`."""
    return queryset.order_by(*before, *name_order(field, using=queryset.db), *after)


def sorted_by_name(items, name=lambda item: item.full_name, *, then=None) -> list:
    """A Python list in Vietnamese name order (`then` breaks ties, e.g. by primary key)."""
    if then is None:
        return sorted(items, key=lambda item: sort_key(name(item)))
    return sorted(items, key=lambda item: (sort_key(name(item)), then(item)))


def user_name(user) -> str:
    """A user's name as the navbar shows it, family name first ("Ngô Mạnh Vinh"); the login name when
    the account has no name; "" for no user. Django's `get_full_name()` puts the given name first."""
    if user is None:
        return ""
    return name_of(user.last_name, user.first_name, user.get_username())


def name_of(last_name: str, first_name: str, username: str = "") -> str:
    """`user_name` from the three columns (for rows read with `values_list`)."""
    return " ".join(f"{last_name or ''} {first_name or ''}".split()) or username


def person_label(full_name: str, date_of_birth=None, cell_name: str = "", *extra: str) -> str:
    """A person in a pick list, told apart from others of the same name: "Nguyễn Văn Sáng (1990, Chi bộ 3)"."""
    details = [str(date_of_birth.year)] if date_of_birth else []
    details += [d for d in (cell_name, *extra) if d]
    return f"{full_name} ({', '.join(details)})" if details else full_name
