"""How big a demo build is. The defaults meet the issue's minimums; `--scale` shrinks them for tests."""

from dataclasses import dataclass

from .place_names import STANDARD_COMMUNES

DEFAULT_SEED = 2026
# 21 communes of today's tree plus the one formed in the 2025 reorganisation.
DEFAULT_COMMUNES = 22
# Rows on the rolls including those who left since 2020; about 6 % leave, so the province keeps
# more than 15,000 active members.
DEFAULT_MEMBERS = 16_500
# Candidates in the admission pipeline at full size (at least 1,500 asked); a smaller build keeps
# the same share of its rolls, and never fewer than the showcase of recruitment.demo.mix.
DEFAULT_CANDIDATES = 1_600
# Villages or residential groups per commune before scaling: 8-14 gives 300+ cells province-wide.
DEFAULT_VILLAGES = (8, 14)
# The reorganised commune and at least one commune of today's tree.
MIN_COMMUNES = 2
MAX_COMMUNES = len(STANDARD_COMMUNES) + 1


@dataclass(frozen=True)
class DemoSize:
    seed: int = DEFAULT_SEED
    communes: int = DEFAULT_COMMUNES
    members: int = DEFAULT_MEMBERS
    candidates: int = DEFAULT_CANDIDATES
    villages: tuple[int, int] = DEFAULT_VILLAGES

    @classmethod
    def from_options(
        cls,
        *,
        seed: int = DEFAULT_SEED,
        scale: float = 1.0,
        communes: int | None = None,
        members: int | None = None,
        candidates: int | None = None,
    ) -> "DemoSize":
        if scale <= 0:
            raise ValueError("--scale phải lớn hơn 0.")
        if communes is None:
            communes = min(max(round(DEFAULT_COMMUNES * scale), MIN_COMMUNES), MAX_COMMUNES)
        elif not MIN_COMMUNES <= communes <= MAX_COMMUNES:
            raise ValueError(f"--communes phải từ {MIN_COMMUNES} đến {MAX_COMMUNES}.")
        if members is None:
            members = round(DEFAULT_MEMBERS * scale)
        elif members < 0:
            raise ValueError("--members không được âm.")
        if candidates is None:
            candidates = round(members * DEFAULT_CANDIDATES / DEFAULT_MEMBERS)
        elif candidates < 0:
            raise ValueError("--candidates không được âm.")
        # Two villages per commune at least, so a commune always has two residential cells for the
        # two cell-secretary logins.
        low, high = (max(2, round(v * min(scale, 1.0))) for v in DEFAULT_VILLAGES)
        return cls(seed=seed, communes=communes, members=members, candidates=candidates, villages=(low, max(low, high)))

    @property
    def standard_communes(self) -> int:
        """Communes of today's tree that were not part of the 2025 reorganisation shown in the demo."""
        return self.communes - 1
