"""The row-by-row report of an import: what each refused row said, and the workbook marked with it."""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Issue:
    """One problem: where (sheet, row number as Excel shows it, column header), the value, why."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    rule: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SheetCounts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """What an import did (or, refused or dry-run, would have done): nothing is written unless `imported`."""

    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, SheetCounts] = field(default_factory=dict)  # by sheet title
    dry_run: bool = False
    refused_file: bool = False  # the file itself was refused (size, format, rows): no row was read

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def imported(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "issues": [i.as_dict() for i in self.issues],
            "counts": {k: asdict(v) for k, v in self.counts.items()},
            "dry_run": self.dry_run,
            "refused_file": self.refused_file,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        return cls(
            issues=[Issue(**i) for i in data.get("issues", [])],
            counts={k: SheetCounts(**v) for k, v in data.get("counts", {}).items()},
            dry_run=data.get("dry_run", False),
            refused_file=data.get("refused_file", False),
        )
