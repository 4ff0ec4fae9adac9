"""Forms of the admission pipeline: one per step, each handing its cleaned data to its service.

The forms check shapes (a date is a date, a count is not negative); the rules live in the services,
which refuse with a `StepRefused` keyed by the names used here. `add_refusal` puts those messages on
the form's fields, so the page shows each one next to what must change.
"""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import Member, Organisation, Person
from members.vocabulary import ACTIVE_MEMBER_STATUSES, CELL_LEVELS, MemberStatus

from .. import services
from ..models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    VerificationRequest,
)
from ..rules import IntroductionRoute, add_months
from ..vocabulary import IntroducingBody, Stage

# A class that ended longer ago than this is no longer offered for enrolment (records of older
# classes are entered by the class page, which lists every class).
ENROL_CLASS_WINDOW_MONTHS = 24


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required: bool = True, help_text: str = "", initial=None) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, initial=initial, widget=DateInput)


def count_field(label, *, help_text: str = "", initial=None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        help_text=help_text,
        initial=initial,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def add_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal onto the form: each message on its field, the rest above the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        field = key if key in form.fields and key != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(field, message)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        if obj.status == MemberStatus.PROBATIONARY:
            return f"{obj.person.full_name} ({obj.get_status_display()})"
        return obj.person.full_name


def active_members_of(cell: Organisation | None):
    if cell is None:
        return Member.objects.none()
    return (
        Member.objects.filter(cell=cell, status__in=ACTIVE_MEMBER_STATUSES)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


# --- proposal -----------------------------------------------------------------------------------

PERSON_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "general_education",
    "professional_training",
    "occupation",
    "phone",
    "citizen_id",
    "is_youth_union_member",
)


class ProposeForm(forms.ModelForm):
    """A new outstanding person (quần chúng ưu tú): who they are, which cell, who helps them."""

    cell = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_label(Candidate, "cell"))
    introduced_by = forms.ChoiceField(choices=IntroducingBody.choices, label=_label(Candidate, "introduced_by"))
    helper = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_label(Candidate, "helper"),
        empty_label=_("— Chọn sau —"),
    )
    proposed_on = date_field(_label(Candidate, "proposed_on"))

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"date_of_birth": DateInput, "phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["proposed_on"].initial = timezone.localdate()
        self.fields["citizen_id"].widget.attrs.update(inputmode="numeric", maxlength=12)
        if organisation.is_cell:
            # A cell proposes to itself; the field stays out of the page.
            del self.fields["cell"]
            cell = organisation
        else:
            cells = Organisation.objects.filter(
                path__startswith=organisation.path, level__in=CELL_LEVELS, dissolved_on__isnull=True
            ).order_by("name")
            self.fields["cell"].queryset = cells
            # Choosing the cell reloads the helper list of that cell (htmx; without it, the list
            # fills in when the form comes back).
            self.fields["cell"].widget.attrs.update(
                {
                    "hx-get": reverse("recruitment:propose", args=[organisation.pk]),
                    "hx-target": "#helper-field",
                    "hx-select": "#helper-field",
                    "hx-swap": "outerHTML",
                }
            )
            chosen = self.data.get("cell") if self.is_bound else self.initial.get("cell")
            cell = cells.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        self.chosen_cell = cell
        self.fields["helper"].queryset = active_members_of(cell)
        if cell is None:
            self.fields["helper"].help_text = _("Chọn chi bộ trước, rồi chọn đảng viên của chi bộ đó.")

    def record(self, *, by) -> Candidate:
        data = self.cleaned_data
        return services.candidate_propose(
            cell=self.organisation if self.organisation.is_cell else data["cell"],
            introduced_by=data["introduced_by"],
            proposed_on=data["proposed_on"],
            person_fields={name: data[name] for name in PERSON_FIELDS},
            helper=data["helper"],
            by=by,
        )


# --- the steps ----------------------------------------------------------------------------------


class StepForm(forms.Form):
    """One admission step for one candidate. `groups` lays the fields out in fieldsets."""

    step = ""
    title = ""
    groups: tuple[tuple[str | None, tuple[str, ...]], ...] = ()

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate

    def fieldsets(self):
        groups = self.groups or ((None, tuple(self.fields)),)
        return [(legend, [self[name] for name in names]) for legend, names in groups]

    def record(self, *, by):
        raise NotImplementedError


class EnrolForm(StepForm):
    step = "enrol"
    title = _("Cử đi học lớp bồi dưỡng nhận thức về Đảng")

    party_class = forms.ModelChoiceField(
        queryset=PartyClass.objects.none(), label=capfirst(PartyClass._meta.verbose_name)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        path, steplen = self.candidate.cell.path, Organisation.steplen
        own_or_above = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
        since = add_months(timezone.localdate(), -ENROL_CLASS_WINDOW_MONTHS)
        field = self.fields["party_class"]
        field.queryset = (
            PartyClass.objects.filter(organiser__path__in=own_or_above, ends_on__gte=since)
            .select_related("organiser")
            .order_by("-starts_on", "pk")
        )
        field.label_from_instance = lambda c: (
            f"{c.name} · {c.starts_on:%d/%m/%Y}–{c.ends_on:%d/%m/%Y} · {c.organiser.name}"
        )
        field.help_text = _("Lớp do chi bộ hoặc cấp ủy cấp trên tổ chức, kết thúc trong 24 tháng gần đây.")

    def record(self, *, by):
        return services.candidate_enroll_in_class(
            candidate=self.candidate, party_class=self.cleaned_data["party_class"], by=by
        )


INTRODUCER_SLOTS = (1, 2)


class DossierForm(StepForm):
    step = "dossier"
    title = _("Nộp hồ sơ xin vào Đảng")

    application_date = date_field(_label(Dossier, "application_date"))
    personal_history_date = date_field(_label(Dossier, "personal_history_date"))
    verification_completed_on = date_field(_label(Dossier, "verification_completed_on"), required=False)
    opinions_date = date_field(_label(Dossier, "opinions_date"), required=False)
    submitted_on = date_field(_label(Dossier, "submitted_on"))
    route = forms.ChoiceField(
        label=_label(Dossier, "route"), choices=IntroductionRoute.choices, initial=IntroductionRoute.YOUTH_UNION
    )
    youth_union_exists = forms.BooleanField(label=_label(Dossier, "youth_union_exists"), required=False, initial=True)
    body_introduction_date = date_field(
        _label(Dossier, "body_introduction_date"),
        required=False,
        help_text=_("Chỉ khi Đoàn (mẫu 4-KNĐ) hoặc Công đoàn (mẫu 4A-KNĐ) giới thiệu."),
    )

    groups = (
        (_("Giấy tờ"), ("application_date", "personal_history_date", "verification_completed_on", "opinions_date")),
        (_("Giới thiệu"), ("route", "body_introduction_date", "youth_union_exists")),
        (_("Đảng viên giới thiệu thứ nhất"), ("introducer_1", "known_since_1", "introduced_on_1", "is_replacement_1")),
        (_("Đảng viên giới thiệu thứ hai"), ("introducer_2", "known_since_2", "introduced_on_2", "is_replacement_2")),
        (_("Nộp hồ sơ"), ("submitted_on",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = active_members_of(self.candidate.cell)
        for n in INTRODUCER_SLOTS:
            self.fields[f"introducer_{n}"] = MemberChoiceField(
                queryset=members,
                required=False,
                label=_label(Introducer, "member"),
                empty_label=_("— Không có —"),
                help_text=_("Đảng viên chính thức của chi bộ.") if n == 1 else _("Chỉ khi hai đảng viên giới thiệu."),
            )
            self.fields[f"known_since_{n}"] = date_field(_label(Introducer, "known_since"), required=False)
            self.fields[f"introduced_on_{n}"] = date_field(_label(Introducer, "introduced_on"), required=False)
            self.fields[f"is_replacement_{n}"] = forms.BooleanField(
                label=_("Giới thiệu thay (người giới thiệu trước đã chuyển đi hoặc từ trần)"), required=False
            )

    def clean(self):
        data = super().clean()
        chosen = []
        for n in INTRODUCER_SLOTS:
            member = data.get(f"introducer_{n}")
            if member is None:
                continue
            for name in (f"known_since_{n}", f"introduced_on_{n}"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Cần ghi ngày này cho đảng viên giới thiệu."))
            if member in chosen:
                self.add_error(f"introducer_{n}", _("Một đảng viên chỉ giới thiệu một lần."))
            chosen.append(member)
        return data

    def introducers(self) -> list[services.IntroducerInput]:
        data = self.cleaned_data
        return [
            services.IntroducerInput(
                member=data[f"introducer_{n}"],
                known_since=data[f"known_since_{n}"],
                introduced_on=data[f"introduced_on_{n}"],
                is_replacement=data[f"is_replacement_{n}"],
            )
            for n in INTRODUCER_SLOTS
            if data.get(f"introducer_{n}")
        ]

    def record(self, *, by):
        data = self.cleaned_data
        return services.candidate_submit_dossier(
            candidate=self.candidate,
            application_date=data["application_date"],
            personal_history_date=data["personal_history_date"],
            route=data["route"],
            introducers=self.introducers(),
            submitted_on=data["submitted_on"],
            youth_union_exists=data["youth_union_exists"],
            body_introduction_date=data["body_introduction_date"],
            verification_completed_on=data["verification_completed_on"],
            opinions_date=data["opinions_date"],
            by=by,
        )


class CellVoteForm(StepForm):
    step = "cell-vote"
    title = _("Chi bộ họp xét, biểu quyết đề nghị kết nạp")

    held_on = date_field(_label(CellVote, "held_on"))
    votes_for = count_field(_label(CellVote, "votes_for"))
    full_members = count_field(_label(CellVote, "full_members"))
    absent_exempt = count_field(
        _label(CellVote, "absent_exempt"),
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

    held_on = date_field(_label(CommitteeApproval, "held_on"))
    votes_for = count_field(_label(CommitteeApproval, "votes_for"))
    committee_members = count_field(_label(CommitteeApproval, "committee_members"))

    def record(self, *, by):
        return services.candidate_record_committee_approval(candidate=self.candidate, by=by, **self.cleaned_data)


class DecisionForm(StepForm):
    step = "decision"
    title = _("Quyết định kết nạp (mẫu 9-KNĐ)")

    number = forms.CharField(label=_label(AdmissionDecision, "number"), max_length=40)
    decided_on = date_field(_label(AdmissionDecision, "decided_on"))
    received_on = date_field(_label(AdmissionDecision, "received_on"))
    extended = forms.BooleanField(
        label=_label(AdmissionDecision, "extended"),
        required=False,
        help_text=_("Quá 60 ngày làm việc kể từ nghị quyết chi bộ, gia hạn tối đa 30 ngày làm việc."),
    )

    def record(self, *, by):
        return services.candidate_record_decision(candidate=self.candidate, by=by, **self.cleaned_data)


class CeremonyForm(StepForm):
    step = "ceremony"
    title = _("Lễ kết nạp")

    held_on = date_field(_label(Ceremony, "held_on"))
    superior_consent = forms.CharField(
        label=_label(Ceremony, "superior_consent"),
        max_length=120,
        required=False,
        help_text=_("Chỉ khi tổ chức lễ quá 30 ngày làm việc kể từ ngày nhận quyết định: số, ngày văn bản."),
    )

    def record(self, *, by):
        return services.candidate_record_ceremony(candidate=self.candidate, by=by, **self.cleaned_data)


class RecognitionForm(StepForm):
    step = "recognition"
    title = _("Công nhận đảng viên chính thức")

    meeting_on = date_field(_label(Recognition, "meeting_on"))
    decision_number = forms.CharField(label=_label(Recognition, "decision_number"), max_length=40)

    def record(self, *, by):
        if self.candidate.member is None:
            raise services.StepRefused(
                {
                    NON_FIELD_ERRORS: _(
                        "Chỉ xét công nhận đảng viên chính thức cho đảng viên dự bị; “%(name)s” đang ở giai đoạn "
                        "“%(stage)s”."
                    )
                    % {"name": self.candidate.person.full_name, "stage": Stage(self.candidate.stage).label}
                }
            )
        return services.member_recognise_full(member=self.candidate.member, by=by, **self.cleaned_data)


STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        EnrolForm,
        DossierForm,
        CellVoteForm,
        CommitteeApprovalForm,
        DecisionForm,
        CeremonyForm,
        RecognitionForm,
    )
}


# --- exit and background verification -----------------------------------------------------------


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=_label(Exit, "kind"), widget=forms.RadioSelect)
    on = date_field(_label(Exit, "on"))
    reason = forms.CharField(
        label=_label(Exit, "reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi rõ để cấp ủy và người sau này đọc hồ sơ hiểu vì sao."),
    )

    def __init__(self, *args, candidate: Candidate, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        self.fields["kind"].choices = [(k, Stage(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["on"].initial = timezone.localdate()

    def record(self, *, by):
        return services.candidate_exit(candidate=self.candidate, by=by, **self.cleaned_data)


class VerificationForm(forms.Form):
    sent_to = forms.CharField(
        label=_label(VerificationRequest, "sent_to"),
        max_length=200,
        help_text=_("Ví dụ: Công an xã, chi bộ nơi cư trú, đơn vị công tác cũ."),
    )
    sent_on = date_field(_label(VerificationRequest, "sent_on"))
    reply_due_on = date_field(_label(VerificationRequest, "reply_due_on"))

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        today = timezone.localdate()
        self.fields["sent_on"].initial = today
        self.fields["reply_due_on"].initial = today + datetime.timedelta(days=30)

    def record(self, *, by):
        return services.verification_request_create(candidate=self.candidate, by=by, **self.cleaned_data)


class VerificationReplyForm(forms.Form):
    replied_on = date_field(_label(VerificationRequest, "replied_on"))
    reply = forms.CharField(
        label=_label(VerificationRequest, "reply"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, request: VerificationRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["replied_on"].initial = request.replied_on or timezone.localdate()
        self.fields["reply"].initial = request.reply

    def record(self, *, by):
        return services.verification_request_record_reply(request=self.request, by=by, **self.cleaned_data)
