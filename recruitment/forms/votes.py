"""The cell's vote (6-KNĐ) and the grassroots committee's approval (8-KNĐ)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import CellVote, CommitteeApproval
from .common import StepForm, count_field, date_field, label_of


class CellVoteForm(StepForm):
    step = "cell-vote"
    title = _("Chi bộ họp xét, biểu quyết đề nghị kết nạp")

    held_on = date_field(label_of(CellVote, "held_on"))
    votes_for = count_field(label_of(CellVote, "votes_for"))
    full_members = count_field(label_of(CellVote, "full_members"))
    absent_exempt = count_field(
        label_of(CellVote, "absent_exempt"),
        initial=0,
        help_text=_("Chỉ những đồng chí vắng mặt; các đồng chí này không tính vào tổng số khi xét 2/3."),
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
        on_roll = services.full_members_of(self.candidate.cell)
        self.fields["full_members"].initial = on_roll
        self.fields["full_members"].help_text = _(
            "Tất cả đảng viên chính thức của chi bộ (danh sách hiện có %(n)s); đảng viên dự bị không biểu quyết."
        ) % {"n": on_roll}

    def record(self, *, by):
        return services.candidate_record_cell_vote(candidate=self.candidate, by=by, **self.cleaned_data)


class CommitteeApprovalForm(StepForm):
    step = "committee-approval"
    title = _("Đảng ủy cơ sở xét duyệt (mẫu 8-KNĐ)")

    held_on = date_field(label_of(CommitteeApproval, "held_on"))
    votes_for = count_field(label_of(CommitteeApproval, "votes_for"))
    committee_members = count_field(label_of(CommitteeApproval, "committee_members"))

    def record(self, *, by):
        return services.candidate_record_committee_approval(candidate=self.candidate, by=by, **self.cleaned_data)
