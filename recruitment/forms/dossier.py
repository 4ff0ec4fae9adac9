"""Submitting the dossier: the papers, the route of introduction and up to two introducing members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Dossier, Introducer
from ..rules import IntroductionRoute
from .common import MemberChoiceField, StepForm, active_members_of, date_field, label_of

INTRODUCER_SLOTS = (1, 2)


class DossierForm(StepForm):
    step = "dossier"
    title = _("Nộp hồ sơ xin vào Đảng")

    application_date = date_field(label_of(Dossier, "application_date"))
    personal_history_date = date_field(label_of(Dossier, "personal_history_date"))
    verification_completed_on = date_field(label_of(Dossier, "verification_completed_on"), required=False)
    opinions_date = date_field(label_of(Dossier, "opinions_date"), required=False)
    submitted_on = date_field(label_of(Dossier, "submitted_on"))
    route = forms.ChoiceField(
        label=label_of(Dossier, "route"), choices=IntroductionRoute.choices, initial=IntroductionRoute.YOUTH_UNION
    )
    youth_union_exists = forms.BooleanField(label=label_of(Dossier, "youth_union_exists"), required=False, initial=True)
    body_introduction_date = date_field(
        label_of(Dossier, "body_introduction_date"),
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
                label=label_of(Introducer, "member"),
                empty_label=_("— Không có —"),
                help_text=_("Đảng viên chính thức của chi bộ.") if n == 1 else _("Chỉ khi hai đảng viên giới thiệu."),
            )
            self.fields[f"known_since_{n}"] = date_field(label_of(Introducer, "known_since"), required=False)
            self.fields[f"introduced_on_{n}"] = date_field(label_of(Introducer, "introduced_on"), required=False)
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
