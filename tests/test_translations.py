"""The English catalogue: complete, compiled, in step with the code, and reachable from the switch.

Source strings are Vietnamese; `locale/en/LC_MESSAGES/django.po` holds their English. After adding
or changing a translatable string, run `make messages`, translate the new entries and commit the
.po and the .mo together.
"""

import ast
import gettext
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# The same flags as `make messages`; the fresh extraction must see exactly what it sees.
IGNORED = [".venv", "staticfiles", "tests"]
MAKEMESSAGES_OPTIONS = {"locale": ["en"], "ignore_patterns": IGNORED, "no_location": True, "verbosity": 0}
# makemessages' default extensions for the django domain, plus the catalogues it merges into.
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}
NOT_COPIED = {".git", "__pycache__", "node_modules", *IGNORED}


# --- a tiny .po reader (the stdlib has none) ---------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def label(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}|{self.msgid}"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a gettext-written .po file, one per blank-line separated block.

    The header (empty msgid) and obsolete entries (every line `#~ ...`) are left out.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, keyword = Entry(), None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                _append(entry, keyword, ast.literal_eval(line))
            else:
                keyword, _, value = line.partition(" ")
                _append(entry, keyword, ast.literal_eval(value))
        if entry.msgid:
            entries.append(entry)
    return entries


def _append(entry: Entry, keyword: str | None, text: str) -> None:
    if keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif keyword == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif keyword is not None and keyword.startswith("msgstr"):
        index = int(keyword[len("msgstr[") : -1]) if "[" in keyword else 0
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        raise ValueError(f"unexpected .po keyword {keyword!r} before {text!r}")


# --- the tests -------------------------------------------------------------------------------


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = read_po(CATALOGUE)
    assert len(entries) > 100, "the English catalogue looks truncated"
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    untranslated = [e.label for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not fuzzy, f"fuzzy entries in {CATALOGUE.name}; check and unflag them: {fuzzy}"
    assert not untranslated, f"untranslated entries in {CATALOGUE.name}: {untranslated}"


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed so that runtime needs no gettext; it must not lag behind the .po."""
    with COMPILED.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in read_po(CATALOGUE):
        if e.msgid_plural is None:
            found = {0: compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)}
        else:
            # English has two forms: n == 1 and everything else.
            found = {
                form: compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                if e.msgctxt
                else compiled.ngettext(e.msgid, e.msgid_plural, n)
                for form, n in ((0, 1), (1, 2))
            }
        if found != e.msgstr:
            stale.append(e.label)
    assert not stale, f"{COMPILED.name} is out of date; run `make messages`. It differs for: {stale}"


def test_every_translatable_string_in_the_code_is_in_the_english_catalogue(tmp_path, settings, monkeypatch):
    """Re-extract the strings from a copy of the sources and compare msgids with the committed .po.

    makemessages runs in a temporary copy of what it reads (sources and catalogues, no virtualenv),
    so a test never rewrites the working tree. Takes well under a second.
    """
    base = Path(settings.BASE_DIR)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in NOT_COPIED]
        for name in filenames:
            if Path(name).suffix in COPIED_SUFFIXES:
                source = Path(dirpath) / name
                target = tmp_path / source.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", **MAKEMESSAGES_OPTIONS)

    extracted = {e.key: e.label for e in read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.key for e in read_po(CATALOGUE)}
    missing = sorted(label for key, label in extracted.items() if key not in committed)
    assert not missing, (
        f"{len(missing)} string(s) in the code are not in {CATALOGUE.name}; "
        f"run `make messages`, translate them, and commit the .po and .mo: {missing}"
    )


@pytest.mark.django_db
def test_the_english_switch_translates_the_navigation(client, cast):
    client.force_login(cast.sec_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(cast.cell_a.get_absolute_url()).content.decode()
    assert "Organisation tree" in body
    assert "Log out" in body
