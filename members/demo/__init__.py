"""The demo province that `manage.py load_demo` builds: a fictional "Đảng bộ tỉnh Minh Sơn".

Modules, each named after what it knows:
- `size`: how big a build is (seed, communes, members; `--scale` for tests);
- `dates`: the calendar the demo lives in (the 2025 reorganisation day, random days, ages);
- `place_names`: the province, commune, village and institution names;
- `province`: today's tree of communes, grassroots organisations and cells;
- `reorganisation`: the old district and its communes, merged into a new commune on 1/7/2025;
- `people`: personal records plausible for a cell's sector and a commune's ethnic mix;
- `rolls`: who sits in which cell, admitted when, and what happened to them since 2020;
- `users`: the demo logins, one per role (the constants browser tests and the Makefile use);
- `summary`: the counts printed at the end;
- `builder`: the one entry point, `build_demo`; it ends with the admission pipeline, which
  `recruitment.demo` builds (candidates, classes, the cases that trip each warning).
"""

from .builder import BuildReport, DemoAlreadyLoaded, DemoCannotLoad, build_demo, demo_is_loaded
from .size import DemoSize

__all__ = ["BuildReport", "DemoAlreadyLoaded", "DemoCannotLoad", "DemoSize", "build_demo", "demo_is_loaded"]
