import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partyhub.forms import DateInput

from .models import Member, Organisation
from .vocabulary import ACTIVE_MEMBER_STATUSES, CELL_LEVELS, Gender, IntroducingBody, MemberStatus, Occupation

# A status choice beside the real ones: everyone ever on the roll, as the admissions of a period
# are (a member admitted this year who has since died still counts as this year's admission).
ANY_STATUS = "all"


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
            "cell",
            "admitted_from",
            "admitted_to",
            "proposed_from",
            "proposed_to",
        ]

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cell"].queryset = Organisation.objects.filter(
            path__startswith=organisation.path, level__in=CELL_LEVELS
        ).order_by("name")

    def by_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        return queryset.filter(status=value)

    def by_introducer(self, queryset, name, value):
        return queryset.filter(Q(candidate__introduced_by=value) | Q(candidate__isnull=True, introduced_by=value))

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=ACTIVE_MEMBER_STATUSES)
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__full_name__icontains=value) | Q(card_number__icontains=value))
