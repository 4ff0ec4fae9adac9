import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partyhub.forms import DateInput

from .models import Member, Organisation
from .vocabulary import (
    ACTIVE_MEMBER_STATUSES,
    CELL_LEVELS,
    SENSITIVE_ATTRIBUTES,
    Gender,
    GeneralEducation,
    IntroducingBody,
    MemberStatus,
    Occupation,
    ProfessionalTraining,
)

# A status choice beside the real ones: everyone ever on the roll, as the admissions of a period
# are (a member admitted this year who has since died still counts as this year's admission).
ANY_STATUS = "all"

# The attributes of the rows of Biểu 2-BTCTW (reports/progress/breakdown.py counts the same people):
# a figure of the breakdown opens the list of exactly the members it counts.
MAJORITY_ETHNICITY = "Kinh"
ATTRIBUTE_QUERIES = {
    "ethnic_minority": ~Q(person__ethnicity="") & ~Q(person__ethnicity=MAJORITY_ETHNICITY),
    "religious": ~Q(person__religion="") & ~Q(person__religion__iexact="không"),
    "youth_union": Q(person__is_youth_union_member=True),
    "business_owner": Q(person__is_business_owner=True),
    "readmitted": Q(is_readmitted=True),
}
ATTRIBUTE_CHOICES = [
    ("ethnic_minority", _("Dân tộc thiểu số")),
    ("religious", _("Có đạo")),
    ("youth_union", _("Đoàn viên")),
    ("business_owner", _("Chủ doanh nghiệp tư nhân")),
    ("readmitted", _("Kết nạp lại")),
]
AGE_BAND = re.compile(r"^(\d{1,3})-(\d{1,3})$")


def age_on(birth, day) -> int:
    """Whole years of age on `day` (the breakdown's age at admission)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band_matches(band: str, age: int) -> bool:
    if band == "over_60":
        return age > 60
    if band == "under_18":
        return age < 18
    match = AGE_BAND.match(band)
    return match is not None and int(match[1]) <= age <= int(match[2])


class MemberFilter(django_filters.FilterSet):
    """Filters for the member list of one organisation; the cell choices stay inside its subtree."""

    q = django_filters.CharFilter(label=_("Tìm theo tên hoặc số thẻ"), method="search")
    # Unset means the current roll (probationary and full), which is what a list of members is.
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"),
        choices=[*MemberStatus.choices, (ANY_STATUS, _("Tất cả, kể cả đã ra khỏi danh sách"))],
        empty_label=_("Đang sinh hoạt"),
        method="by_status",
    )
    gender = django_filters.ChoiceFilter(
        label=_("Giới tính"), field_name="person__gender", choices=Gender.choices, empty_label=_("Tất cả")
    )
    occupation = django_filters.ChoiceFilter(
        label=_("Nghề nghiệp"), field_name="person__occupation", choices=Occupation.choices, empty_label=_("Tất cả")
    )
    attribute = django_filters.ChoiceFilter(
        label=_("Chỉ tiêu thống kê"), choices=ATTRIBUTE_CHOICES, empty_label=_("Tất cả"), method="by_attribute"
    )
    education = django_filters.ChoiceFilter(
        label=_("Giáo dục phổ thông"),
        field_name="person__general_education",
        choices=GeneralEducation.choices,
        empty_label=_("Tất cả"),
    )
    training = django_filters.ChoiceFilter(
        label=_("Chuyên môn, nghiệp vụ"),
        field_name="person__professional_training",
        choices=ProfessionalTraining.choices,
        empty_label=_("Tất cả"),
    )
    # The age at admission, as a band of the breakdown ("31-35", "over_60"): a link from Biểu 2 only.
    admission_age = django_filters.CharFilter(method="by_admission_age", widget=forms.HiddenInput)
    # Who introduced them: their Candidate's body, or the one imported for a member admitted before PartyHub.
    introduced_by = django_filters.ChoiceFilter(
        label=_("Tổ chức giới thiệu"), choices=IntroducingBody.choices, empty_label=_("Tất cả"), method="by_introducer"
    )
    cell = django_filters.ModelChoiceFilter(
        label=_("Chi bộ"), queryset=Organisation.objects.none(), empty_label=_("Tất cả")
    )
    admitted_from = django_filters.DateFilter(
        label=_("Kết nạp từ ngày"),
        field_name="admission_decision_date",
        lookup_expr="gte",
        widget=DateInput(),
    )
    admitted_to = django_filters.DateFilter(
        label=_("đến ngày"),
        field_name="admission_decision_date",
        lookup_expr="lte",
        widget=DateInput(),
    )

    # Candidates proposed between two days (the conversion by introducing body links here).
    proposed_from = django_filters.DateFilter(
        label=_("Đưa vào diện quần chúng ưu tú từ ngày"),
        field_name="candidate__proposed_on",
        lookup_expr="gte",
        widget=DateInput(),
    )
    proposed_to = django_filters.DateFilter(
        label=_("đến ngày"), field_name="candidate__proposed_on", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = Member
        fields = [
            "q",
            "status",
            "gender",
            "occupation",
            "introduced_by",
            "attribute",
            "education",
            "training",
            "admission_age",
            "cell",
            "admitted_from",
            "admitted_to",
            "proposed_from",
            "proposed_to",
        ]

    REFUSED = _("Chỉ cấp ủy và ban tổ chức được lọc đảng viên theo dân tộc, tôn giáo.")

    def __init__(self, *args, organisation: Organisation, sees_sensitive: bool = True, **kwargs):
        """`sees_sensitive`: may the viewer read ethnicity and religion here (`scoping.can_see_sensitive`)?
        Without it the attribute filter offers neither, and a request for one is refused (`refused`):
        the list is then empty and the form says why, instead of naming the people of a small count."""
        super().__init__(*args, **kwargs)
        self.filters["cell"].queryset = Organisation.objects.filter(
            path__startswith=organisation.path, level__in=CELL_LEVELS
        ).order_by("name")
        self.refused = False
        if not sees_sensitive:
            attribute = self.filters["attribute"]
            attribute.extra["choices"] = [c for c in ATTRIBUTE_CHOICES if c[0] not in SENSITIVE_ATTRIBUTES]
            attribute.extra["error_messages"] = {"invalid_choice": self.REFUSED}
            self.refused = self.data.get("attribute") in SENSITIVE_ATTRIBUTES

    def by_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        return queryset.filter(status=value)

    def by_attribute(self, queryset, name, value):
        return queryset.filter(ATTRIBUTE_QUERIES[value]) if value in ATTRIBUTE_QUERIES else queryset

    def by_admission_age(self, queryset, name, value):
        """Members whose age on their admission decision fell in the band; one query for the dates."""
        value = value.strip()
        if not value:
            return queryset
        rows = queryset.filter(admission_decision_date__isnull=False).values_list(
            "pk", "person__date_of_birth", "admission_decision_date"
        )
        return queryset.filter(pk__in=[pk for pk, born, day in rows if age_band_matches(value, age_on(born, day))])

    def by_introducer(self, queryset, name, value):
        return queryset.filter(Q(candidate__introduced_by=value) | Q(candidate__isnull=True, introduced_by=value))

    def filter_queryset(self, queryset):
        if self.refused:
            return queryset.none()
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=ACTIVE_MEMBER_STATUSES)
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__full_name__icontains=value) | Q(card_number__icontains=value))
