"""The audit page's filters (django-filter): who, which kind of record (or the sensitive reads), from and
to which day, which record. The same FilterSet filters each history table and the SensitiveRead log: its
methods know which columns each has."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partyhub.forms import DateInput

from ..models import SensitiveRead
from .changes import KINDS

READS = "sensitive_reads"
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS] + [(READS, _("Xem dữ liệu nhạy cảm"))]


class AuditFilter(django_filters.FilterSet):
    nguoi = django_filters.CharFilter(
        label=_("Người thực hiện (tên đăng nhập)"), method="by_user", widget=forms.TextInput(attrs={"size": 16})
    )
    loai = django_filters.ChoiceFilter(
        label=_("Loại"), choices=KIND_CHOICES, empty_label=_("Mọi thay đổi"), method="by_kind"
    )
    tu = django_filters.DateFilter(label=_("Từ ngày"), method="since", widget=DateInput())
    den = django_filters.DateFilter(label=_("Đến ngày"), method="until", widget=DateInput())
    ma = django_filters.NumberFilter(
        label=_("Mã đối tượng"),
        method="by_object",
        min_value=1,
        help_text=_("Mã của bản ghi; với lượt xem: mã của người được xem."),
    )

    @property
    def reads(self) -> bool:
        """The sensitive reads rather than the changes?"""
        return self.form.is_valid() and self.form.cleaned_data.get("loai") == READS

    @staticmethod
    def _is_reads(queryset) -> bool:
        return queryset.model is SensitiveRead

    def by_user(self, queryset, name, value):
        users = get_user_model().objects.filter(username__iexact=value.strip()).values("pk")
        return queryset.filter(**{"user__in" if self._is_reads(queryset) else "history_user__in": users})

    def by_kind(self, queryset, name, value):
        return queryset  # the view picks the tables by it

    def since(self, queryset, name, value):
        return queryset.filter(**{"at__date__gte" if self._is_reads(queryset) else "history_date__date__gte": value})

    def until(self, queryset, name, value):
        return queryset.filter(**{"at__date__lte" if self._is_reads(queryset) else "history_date__date__lte": value})

    def by_object(self, queryset, name, value):
        if self._is_reads(queryset):
            return queryset.filter(people__contains=f",{int(value)},")
        return queryset.filter(id=int(value))
