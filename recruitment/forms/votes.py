"""The cell's vote (6-KNĐ) and the grassroots committee's approval (8-KNĐ)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member
from members.structure import grassroots_committee_of
from members.vocabulary import INCOMING_MOVEMENTS, MemberStatus

from .. import services
from ..models import CellVote, CommitteeApproval
from .common import StepForm, count_field, date_field, label_of


def _optional_count(label, help_text="") -> forms.IntegerField:
    field = count_field(label, help_text=help_text)
    field.required = False
    return field


class AbsentMemberField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.person.full_name


class CellVoteForm(StepForm):
    """The roll decides the base (rule 6, docs/domain.md §3.3): the secretary marks the absent members
    the rules leave out by name; a total typed from the minutes that differs from the roll needs a reason."""

    step = "cell-vote"
    title = _("Chi bộ họp xét, biểu quyết đề nghị kết nạp")

    held_on = date_field(label_of(CellVote, "held_on"))
    votes_for = count_field(label_of(CellVote, "votes_for"))
    absent_members = AbsentMemberField(
        label=_("Đảng viên chính thức đi công tác hoặc được miễn sinh hoạt, vắng mặt"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Chỉ đánh dấu những đồng chí vắng mặt vì đi công tác hoặc được miễn sinh hoạt đảng; các đồng chí này "
            "không tính vào tổng số khi xét 2/3. Vắng mặt vì lý do khác vẫn tính."
        ),
    )
    full_members = _optional_count(label_of(CellVote, "full_members"))
    base_reason = forms.CharField(
        label=label_of(CellVote, "base_reason"),
        required=False,
        max_length=300,
        help_text=_("Bắt buộc khi tổng số ghi ở trên khác danh sách đảng viên của chi bộ ngày họp."),
    )
    over_age_exception = forms.CharField(
        label=_("Văn bản cho phép kết nạp người trên 60 tuổi"),
        required=False,
        max_length=120,
        help_text=_("Chỉ khi người vào Đảng đã quá 60 tuổi: số, ngày văn bản của cấp ủy trực thuộc Trung ương."),
    )
    education_exception = forms.CharField(
        label=_("Văn bản miễn điều kiện học vấn (vùng khó khăn)"),
        required=False,
        max_length=120,
        help_text=_("Chỉ khi người vào Đảng chưa tốt nghiệp trung học cơ sở và thuộc diện được miễn."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["over_age_exception"].initial = self.candidate.over_age_exception
        self.fields["education_exception"].initial = self.candidate.education_exception
        cell = self.candidate.cell
        # Everyone who has been a full member of the cell: the service checks them against the roll of the day.
        self.fields["absent_members"].queryset = (
            Member.objects.filter(movements__organisation=cell, movements__kind__in=INCOMING_MOVEMENTS)
            .exclude(status=MemberStatus.PROBATIONARY)
            .select_related("person")
            .distinct()
            .order_by("person__full_name", "pk")
        )
        on_roll = services.full_members_of(cell)
        self.fields["full_members"].help_text = _(
            "Để trống để lấy theo danh sách đảng viên chính thức của chi bộ ngày họp (hiện nay có %(n)s); "
            "đảng viên dự bị không biểu quyết. Chỉ ghi khi biên bản khác danh sách, kèm lý do."
        ) % {"n": on_roll}

    def record(self, *, by):
        data = dict(self.cleaned_data)
        data["absent_members"] = list(data["absent_members"])
        return services.candidate_record_cell_vote(candidate=self.candidate, by=by, **data)


class CommitteeApprovalForm(StepForm):
    step = "committee-approval"
    title = _("Đảng ủy cơ sở xét duyệt (mẫu 8-KNĐ)")

    held_on = date_field(label_of(CommitteeApproval, "held_on"))
    votes_for = count_field(label_of(CommitteeApproval, "votes_for"))
    committee_members = count_field(label_of(CommitteeApproval, "committee_members"))
    base_reason = forms.CharField(
        label=label_of(CommitteeApproval, "base_reason"),
        required=False,
        max_length=300,
        help_text=_(
            "PartyHub không giữ danh sách cấp ủy viên: số cấp ủy viên được so với lần xét duyệt gần nhất của "
            "đảng ủy; khác thì ghi lý do (bầu bổ sung, chuyển công tác, ...)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        committee = grassroots_committee_of(self.candidate.cell)
        reference = services.committee_reference(committee, datetime.date.max) if committee else None
        if reference is not None:
            self.fields["committee_members"].initial = reference[0]

    def record(self, *, by):
        return services.candidate_record_committee_approval(candidate=self.candidate, by=by, **self.cleaned_data)
