"""The models of the reports app, one module per capability; all re-exported here.

Django knows them under the app label `reports` whatever module they sit in, so the tables and the
migrations do not depend on this split: `from reports.models import Quota` keeps working.
"""

from .audit import SensitiveRead
from .digest import DigestDelivery, DigestPreference, DigestStatus
from .exports import ExportKind, ExportRun, ExportStatus
from .imports import ImportRun, ImportStatus
from .outbox import PendingRecompute
from .quotas import Quota
from .snapshots import ProgressSnapshot

# simple-history builds Quota's history model when the class is prepared and hangs it on the module
# that defines Quota; named here too, as it was before the split.
HistoricalQuota = Quota.history.model

__all__ = [
    "DigestDelivery",
    "DigestPreference",
    "DigestStatus",
    "ExportKind",
    "ExportRun",
    "ExportStatus",
    "HistoricalQuota",
    "ImportRun",
    "ImportStatus",
    "PendingRecompute",
    "ProgressSnapshot",
    "Quota",
    "SensitiveRead",
]
