"""Candidates and the records of each admission step.

Every step keeps its own record (class enrolment, dossier, votes, decision, ceremony, recognition,
exit, return); the candidate's timeline is read from them. `Candidate.stage` is the one derived
field kept on the row, because queues and boards filter on it and the services update it under a
row lock in the same transaction as the step record.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member, Organisation, Person
from members.validation import validate_not_in_future

from .papers.catalogue import AttachmentStep
from .rules import IntroductionRoute
from .vocabulary import IntroducingBody, Stage

_past = [validate_not_in_future]


class Candidate(models.Model):
    person = models.OneToOneField(Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="candidate")
    cell = models.ForeignKey(
        Organisation, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="candidates"
    )
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices, default=Stage.SOURCE)
    stage_entered_on = models.DateField(_("ngày vào giai đoạn"))
    introduced_by = models.CharField(_("tổ chức giới thiệu"), max_length=20, choices=IntroducingBody.choices)
    helper = models.ForeignKey(
        Member,
        verbose_name=_("đảng viên theo dõi, giúp đỡ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helped_candidates",
    )
    proposed_on = models.DateField(_("ngày đưa vào diện quần chúng ưu tú"), validators=_past)
    member = models.OneToOneField(
        Member, verbose_name=_("đảng viên"), null=True, blank=True, on_delete=models.PROTECT, related_name="candidate"
    )
    over_age_exception = models.CharField(_("văn bản cho phép kết nạp trên 60 tuổi"), max_length=120, blank=True)
    education_exception = models.CharField(_("văn bản miễn điều kiện học vấn"), max_length=120, blank=True)
    # The last unanswered return from the committee; the board puts such candidates first.
    returned_reason = models.CharField(_("lý do trả lại hồ sơ"), max_length=300, blank=True)
    # Warnings from the rules at the last step, so boards can show them without recomputing.
    open_findings = models.JSONField(_("cảnh báo"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        indexes = [models.Index(fields=["cell", "stage"], name="candidate_cell_stage")]

    def __str__(self) -> str:
        return self.person.full_name

    def get_absolute_url(self) -> str:
        return reverse("recruitment:candidate", args=[self.pk])


class StageEntry(models.Model):
    """The candidate entered `stage` on `entered_on`: time in each stage is the gap to the next entry."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="stage_entries")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    entered_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entered_on", "pk"]
        indexes = [models.Index(fields=["stage", "entered_on"], name="stage_entry_stage_date")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.entered_on:%d/%m/%Y}"


class PartyClass(models.Model):
    """A party-awareness class (lớp bồi dưỡng nhận thức về Đảng)."""

    organiser = models.ForeignKey(
        Organisation, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="party_classes"
    )
    name = models.CharField(_("tên lớp"), max_length=200)
    starts_on = models.DateField(_("ngày khai giảng"))
    ends_on = models.DateField(_("ngày bế giảng"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lớp bồi dưỡng nhận thức về Đảng")
        verbose_name_plural = _("lớp bồi dưỡng nhận thức về Đảng")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recruitment:class", args=[self.pk])


class Enrolment(models.Model):
    party_class = models.ForeignKey(PartyClass, on_delete=models.PROTECT, related_name="enrolments")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="enrolments")
    passed = models.BooleanField(_("đạt"), null=True)
    certificate_number = models.CharField(_("số giấy chứng nhận"), max_length=40, blank=True)
    certificate_issued_on = models.DateField(_("ngày cấp giấy chứng nhận"), null=True, blank=True, validators=_past)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party_class", "candidate"], name="unique_enrolment")]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.party_class}"


class Dossier(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="dossier")
    application_date = models.DateField(_("ngày viết đơn (mẫu 1-KNĐ)"), validators=_past)
    personal_history_date = models.DateField(_("ngày khai lý lịch (mẫu 2-KNĐ)"), validators=_past)
    verification_completed_on = models.DateField(
        _("ngày hoàn thành thẩm tra lý lịch"), null=True, blank=True, validators=_past
    )
    opinions_date = models.DateField(
        _("ngày tổng hợp ý kiến đoàn thể (mẫu 5-KNĐ)"), null=True, blank=True, validators=_past
    )
    route = models.CharField(_("hình thức giới thiệu"), max_length=20, choices=IntroductionRoute.choices)
    body_introduction_date = models.DateField(
        _("ngày Đoàn / Công đoàn giới thiệu"), null=True, blank=True, validators=_past
    )
    submitted_on = models.DateField(_("ngày nộp hồ sơ"), validators=_past)
    # Rule 5 differs where the unit has a Youth Union organisation; the cell secretary knows.
    youth_union_exists = models.BooleanField(_("đơn vị có tổ chức Đoàn"), default=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Hồ sơ {self.candidate}"


class Introducer(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="introducers")
    member = models.ForeignKey(Member, verbose_name=_("đảng viên giới thiệu"), on_delete=models.PROTECT)
    known_since = models.DateField(_("cùng công tác, sinh sống từ"), validators=_past)
    introduced_on = models.DateField(_("ngày viết giấy giới thiệu (mẫu 3-KNĐ)"), validators=_past)
    is_replacement = models.BooleanField(_("giới thiệu thay"), default=False)

    def __str__(self) -> str:
        return str(self.member)


class VerificationRequest(models.Model):
    """A background verification request (thẩm tra lý lịch) sent to another organisation or place."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="verification_requests")
    sent_to = models.CharField(_("gửi đến"), max_length=200)
    sent_on = models.DateField(_("ngày gửi"), validators=_past)
    reply_due_on = models.DateField(_("hạn trả lời"))
    replied_on = models.DateField(_("ngày trả lời"), null=True, blank=True, validators=_past)
    reply = models.CharField(_("nội dung trả lời"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.sent_to} {self.sent_on:%d/%m/%Y}"


class CellVote(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="cell_votes")
    held_on = models.DateField(_("ngày chi bộ họp xét"), validators=_past)
    votes_for = models.PositiveIntegerField(_("số phiếu tán thành"))
    full_members = models.PositiveIntegerField(_("tổng số đảng viên chính thức"))
    absent_exempt = models.PositiveIntegerField(_("vắng mặt do đi công tác / miễn sinh hoạt"), default=0)
    # Rule 6 (docs/domain.md §3.3): the roll decides the base. The full members on the cell's roll on
    # the day (None: recorded before the roll was kept), the absent ones the rules leave out, by name,
    # and why the minutes' figures differ from the roll, when they do (shown as an exception).
    roll_full_members = models.PositiveIntegerField(_("số đảng viên chính thức theo danh sách"), null=True, blank=True)
    absent_members = models.ManyToManyField(
        Member,
        verbose_name=_("đảng viên đi công tác / miễn sinh hoạt vắng mặt"),
        blank=True,
        related_name="+",
    )
    base_reason = models.CharField(_("lý do số liệu khác danh sách đảng viên"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.votes_for}/{self.full_members} {self.held_on:%d/%m/%Y}"


class CommitteeApproval(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="committee_approvals")
    committee = models.ForeignKey(Organisation, verbose_name=_("đảng ủy cơ sở"), on_delete=models.PROTECT)
    held_on = models.DateField(_("ngày đảng ủy xét"), validators=_past)
    votes_for = models.PositiveIntegerField(_("số phiếu tán thành"))
    committee_members = models.PositiveIntegerField(_("tổng số cấp ủy viên"))
    # PartyHub keeps no roll of committee members: the reference is the figure of the committee's
    # latest earlier approval (None: none on record); a different figure needs a reason.
    reference_committee_members = models.PositiveIntegerField(
        _("số cấp ủy viên ghi ở lần xét duyệt trước"), null=True, blank=True
    )
    base_reason = models.CharField(_("lý do số cấp ủy viên khác lần trước"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.votes_for}/{self.committee_members} {self.held_on:%d/%m/%Y}"


class AdmissionDecision(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="decision")
    number = models.CharField(_("số quyết định"), max_length=40)
    decided_on = models.DateField(_("ngày quyết định"), validators=_past)
    received_on = models.DateField(_("ngày chi bộ nhận quyết định"), validators=_past)
    issuing_committee = models.ForeignKey(
        Organisation, verbose_name=_("cấp ủy ra quyết định"), on_delete=models.PROTECT
    )
    extended = models.BooleanField(_("đã gia hạn thời gian xét"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["decided_on"], name="decision_date")]

    def __str__(self) -> str:
        return f"{self.number} {self.decided_on:%d/%m/%Y}"


class Ceremony(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="ceremony")
    held_on = models.DateField(_("ngày lễ kết nạp"), validators=_past)
    superior_consent = models.CharField(_("văn bản đồng ý tổ chức muộn"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y}"


class Recognition(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="recognition")
    meeting_on = models.DateField(_("ngày chi bộ xét công nhận"), validators=_past)
    decision_number = models.CharField(_("số quyết định công nhận"), max_length=40)
    effective_on = models.DateField(_("là đảng viên chính thức từ ngày"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.decision_number} {self.effective_on:%d/%m/%Y}"


class Exit(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="exit")
    kind = models.CharField(
        _("hình thức"),
        max_length=20,
        choices=[(s.value, s.label) for s in (Stage.WITHDRAWN, Stage.REJECTED, Stage.STRUCK_OFF)],
    )
    on = models.DateField(_("ngày"), validators=_past)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.CharField(_("lý do"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


class DossierReturn(models.Model):
    """The committee sent the dossier back to the cell: the candidate went back one stage."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="returns")
    on = models.DateField(_("ngày trả lại"), validators=_past)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.CharField(_("lý do"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y}: {self.reason}"


class Correction(models.Model):
    """A correction of a candidate's record, with its reason: the details of the person, a recorded
    step's values, or the latest step undone. `before` and `after` hold the changed values only."""

    class Action(models.TextChoices):
        CORRECT = "correct", _("Sửa")
        UNDO = "undo", _("Hoàn tác")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="corrections")
    # "details" (the person and the candidacy) or the step, named as in permissions (cell-vote, decision...).
    kind = models.CharField(_("nội dung"), max_length=30)
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices, default=Action.CORRECT)
    record_id = models.PositiveIntegerField(_("mã bản ghi"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300)
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người sửa"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đính chính")
        verbose_name_plural = _("đính chính")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.kind}: {self.reason}"


def _attachment_path(instance: "StepAttachment", filename: str) -> str:
    """`papers/<candidate id>/<random>.<ext>`: no person's name in the storage, nothing guessable."""
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"papers/{instance.candidate_id}/{uuid.uuid4().hex}.{ext}"


class StepAttachment(models.Model):
    """A scan of a signed paper, attached to the recorded step it belongs to (recruitment.papers)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="attachments")
    step = models.CharField(_("bước"), max_length=24, choices=AttachmentStep.choices)
    # Stored through Django's storage API (settings.STORAGES["default"]); served only by the scoped view.
    file = models.FileField(_("tệp"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản quét giấy tờ")
        verbose_name_plural = _("bản quét giấy tờ")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["candidate", "step"], name="attachment_candidate_step")]

    def __str__(self) -> str:
        return self.original_name


# Notifications live in their own package; imported here so Django registers them with the app.
from .notifications.models import EmailStatus, Notification, NotificationKind, NotificationPreference  # noqa: E402,F401
