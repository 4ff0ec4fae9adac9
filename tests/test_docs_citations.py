"""Comments cite docs/domain.md by section; every citation must point at a section that exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("members", "recruitment", "reports", "partyhub", "templates", "tests", "bench")
CITATION = re.compile(r"docs/domain\.md §(\d+(?:\.\d+)?)((?: and §\d+(?:\.\d+)?)*)")


def _source_files():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and path.name != Path(__file__).name:
                yield path


def domain_sections() -> set[str]:
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", text, flags=re.M))


def cited_sections(text: str) -> list[str]:
    found = []
    for first, more in CITATION.findall(text):
        found.append(first)
        found.extend(re.findall(r"§(\d+(?:\.\d+)?)", more))
    return found


def test_every_citation_names_a_section_of_docs_domain_md():
    sections = domain_sections()
    missing = [
        f"{path.relative_to(ROOT)} cites §{number}"
        for path in _source_files()
        for number in cited_sections(path.read_text(encoding="utf-8"))
        if number not in sections
    ]
    assert missing == []


def test_nothing_cites_the_domain_primer_the_repository_does_not_have():
    stale = [
        str(path.relative_to(ROOT))
        for path in _source_files()
        if re.search(r"(?<!docs/domain\.md)(?<![\w/])DOMAIN\.md", path.read_text(encoding="utf-8"))
    ]
    assert stale == []


def test_the_reader_of_citations_finds_sections_and_lists():
    assert cited_sections("rules (docs/domain.md §2 and §6), see docs/domain.md §3.1") == ["2", "6", "3.1"]
    assert {"1", "2", "2.1", "3", "3.1", "4", "5", "6"} <= domain_sections()
