"""The demo province that `manage.py load_demo` builds, put together in the top layer.

- `site`: `build_demo`, which runs each app's part in one transaction (`members.demo`: tree,
  people, members, logins; `recruitment.demo`: candidates, classes; `quotas` here);
- `quotas`: the term and annual quotas of every kind.
"""

from members.demo import DemoAlreadyLoaded, DemoCannotLoad, DemoSize, demo_is_loaded

from .quotas import build_quotas
from .site import BuildReport, build_demo

__all__ = [
    "BuildReport",
    "DemoAlreadyLoaded",
    "DemoCannotLoad",
    "DemoSize",
    "build_demo",
    "build_quotas",
    "demo_is_loaded",
]
