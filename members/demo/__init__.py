"""The members' part of the demo province, a fictional "Đảng bộ tỉnh Minh Sơn".

`manage.py load_demo` builds the whole demo through `reports.demo.build_demo`, which runs this part
first, then the admission pipeline (`recruitment.demo`) and the quotas (`reports.demo.quotas`) in one
transaction. Nothing here knows about the pipeline or the reports.

Modules, each named after what it knows:
- `size`: how big a build is (seed, communes, members, candidates; `--scale` for tests);
- `dates`: the calendar the demo lives in (the 2025 reorganisation day, random days, ages);
- `place_names`: the province, commune, village and institution names;
- `province`: today's tree of communes, grassroots organisations and cells;
- `reorganisation`: the old district and its communes, merged into a new commune on 1/7/2025;
- `people`: personal records plausible for a cell's sector and a commune's ethnic mix;
- `rolls`: who sits in which cell, admitted when, and what happened to them since 2020;
- `terms`: the units' own terms (congress dates other than 1 July, the new commune's own start);
- `users`: the demo logins, one per role (the constants browser tests and the Makefile use);
- `summary`: the members' counts printed at the end;
- `builder`: `build_members` (tree, rolls, logins), the random streams of a build and the checks
  that refuse a second build.
"""

from .builder import (
    DemoAlreadyLoaded,
    DemoCannotLoad,
    Draws,
    MembersPart,
    build_members,
    check_can_load,
    demo_is_loaded,
    draws,
)
from .size import DemoSize

__all__ = [
    "DemoAlreadyLoaded",
    "DemoCannotLoad",
    "DemoSize",
    "Draws",
    "MembersPart",
    "build_members",
    "check_can_load",
    "demo_is_loaded",
    "draws",
]
