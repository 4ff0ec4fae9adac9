"""Django's admin autodiscovery imports this module only: each capability registers its own models."""

from .digest import admin as digest_admin  # noqa: F401
from .imports import admin as imports_admin  # noqa: F401
