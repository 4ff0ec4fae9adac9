from django.db import models
from django.utils.translation import gettext_lazy as _

from .attributes import ATTRIBUTES


class PeriodKind(models.TextChoices):
    TERM = "term", _("Nhiệm kỳ")
    YEAR = "year", _("Năm")
    CUSTOM = "custom", _("Khoảng thời gian khác")


class QuotaSource(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết Đại hội")
    ASSIGNED = "assigned", _("Cấp trên giao")
    PLAN = "plan", _("Kế hoạch năm")


class QuotaMetric(models.TextChoices):
    ADMISSIONS = "admissions", _("Kết nạp đảng viên")
    INTRODUCED = "introduced", _("Giới thiệu quần chúng ưu tú")
    TRAINED = "trained", _("Học lớp bồi dưỡng nhận thức về Đảng")
    SHARE = "share", _("Tỷ lệ đảng viên mới có đặc điểm")


class ValueKind(models.TextChoices):
    EXACT = "exact", _("Số cụ thể")
    RANGE = "range", _("Khoảng (từ … đến …)")
    RATE = "rate", _("Tỷ lệ so với đảng viên đầu nhiệm kỳ")


# What a share quota counts among the period's admissions: every attribute of reports/attributes.py
# (Biểu 2's rows, students, the residential sector, each introducing body). Member names are the keys
# in capitals ("occupation:farmer" is OCCUPATION_FARMER); the labels follow "Tỷ lệ đảng viên mới có đặc điểm".
ShareAttribute = models.TextChoices(
    "ShareAttribute",
    [(a.key.upper().replace(":", "_"), (a.key, a.share_label)) for a in ATTRIBUTES],
)


class RangeState(models.TextChoices):
    BELOW = "below", _("Chưa đạt")
    WITHIN = "within", _("Trong khoảng chỉ tiêu")
    REACHED = "reached", _("Đạt")
    ABOVE = "above", _("Vượt")
