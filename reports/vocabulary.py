from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ShareAttribute(models.TextChoices):
    """What a share quota counts among the period's admissions."""

    YOUTH_UNION_INTRODUCED = "youth_union_introduced", _("do Đoàn giới thiệu")
    WOMEN = "women", _("nữ")
    ETHNIC_MINORITY = "ethnic_minority", _("người dân tộc thiểu số")
    STUDENTS = "students", _("học sinh, sinh viên")
    RESIDENTIAL = "residential", _("ở chi bộ nông thôn, khu dân cư")


class RangeState(models.TextChoices):
    BELOW = "below", _("Chưa đạt")
    WITHIN = "within", _("Trong khoảng chỉ tiêu")
    REACHED = "reached", _("Đạt")
    ABOVE = "above", _("Vượt")
