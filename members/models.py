"""Organisation tree, people, members, member movements and role assignments."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from .validation import normalise_fields, validate_not_in_future, validate_plain_text
from .vocabulary import (
    ACTIVE_MEMBER_STATUSES,
    CELL_LEVELS,
    Gender,
    GeneralEducation,
    IntroducingBody,
    Level,
    MemberStatus,
    MovementKind,
    Occupation,
    ProfessionalTraining,
    Role,
    Sector,
    TransferStatus,
)


class Organisation(MP_Node):
    """A party organisation, stored as a materialized path (django-treebeard MP_Node).

    A subtree is one indexed `path LIKE 'prefix%'` query, which is what every scoped list needs.
    Organisations are never deleted and never moved: a reorganisation dissolves units or merges
    them into successors on a date (members/services.py), so a path, once given, stays true for
    the unit's whole history and movements recorded under it keep counting for its ancestors.
    """

    code = models.CharField(_("mã"), max_length=32, unique=True, validators=[validate_plain_text])
    name = models.CharField(_("tên"), max_length=200, validators=[validate_plain_text])
    level = models.CharField(_("cấp"), max_length=32, choices=Level.choices)
    sector = models.CharField(_("loại hình"), max_length=32, choices=Sector.choices, blank=True)
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể / sáp nhập"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        indexes = [
            # PostgreSQL only uses a btree for LIKE 'prefix%' with the pattern operator class.
            models.Index(fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level"], name="org_level"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:organisation", args=[self.pk])

    def clean(self) -> None:
        normalise_fields(self, "code", "name")

    @property
    def is_cell(self) -> bool:
        return self.level in CELL_LEVELS

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def active_on(self, day) -> bool:
        started = self.founded_on is None or self.founded_on <= day
        return started and (self.dissolved_on is None or self.dissolved_on > day)


citizen_id_validator = RegexValidator(r"^\d{12}$", _("Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."))


class Person(models.Model):
    """A person known to PartyHub: a member, or later a candidate."""

    full_name = models.CharField(_("họ và tên"), max_length=120, validators=[validate_plain_text])
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices)
    date_of_birth = models.DateField(_("ngày sinh"), validators=[validate_not_in_future])
    ethnicity = models.CharField(_("dân tộc"), max_length=40, default="Kinh", validators=[validate_plain_text])
    religion = models.CharField(_("tôn giáo"), max_length=40, blank=True, default="", validators=[validate_plain_text])
    general_education = models.CharField(
        _("giáo dục phổ thông"), max_length=20, choices=GeneralEducation.choices, blank=True
    )
    professional_training = models.CharField(
        _("chuyên môn, nghiệp vụ"), max_length=20, choices=ProfessionalTraining.choices, blank=True
    )
    occupation = models.CharField(_("nghề nghiệp"), max_length=40, choices=Occupation.choices, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, validators=[validate_plain_text])
    # NULL, not "", when unknown, so that uniqueness only binds the IDs actually given.
    citizen_id = models.CharField(
        _("số CCCD"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[citizen_id_validator],
        error_messages={"unique": _("Số CCCD này đã có trong hệ thống (quy tắc: mỗi người một số CCCD).")},
    )
    is_youth_union_member = models.BooleanField(_("đoàn viên"), default=False)
    is_business_owner = models.BooleanField(_("chủ doanh nghiệp tư nhân"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("người")
        verbose_name_plural = _("người")
        indexes = [models.Index(fields=["full_name"], name="person_name")]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        # NFC and trimmed, so that a name typed with separate combining accents is the same name.
        normalise_fields(self, "full_name", "ethnicity", "religion", "phone")


class Member(models.Model):
    person = models.OneToOneField(Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="member")
    cell = models.ForeignKey(Organisation, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="members")
    status = models.CharField(_("trạng thái"), max_length=16, choices=MemberStatus.choices)
    admission_decision_date = models.DateField(
        _("ngày quyết định kết nạp"), null=True, blank=True, validators=[validate_not_in_future]
    )
    ceremony_date = models.DateField(_("ngày lễ kết nạp"), null=True, blank=True, validators=[validate_not_in_future])
    recognition_date = models.DateField(
        _("ngày công nhận chính thức"), null=True, blank=True, validators=[validate_not_in_future]
    )
    card_number = models.CharField(_("số thẻ đảng"), max_length=20, blank=True, validators=[validate_plain_text])
    is_readmitted = models.BooleanField(_("kết nạp lại"), default=False)
    # Who introduced a member admitted before PartyHub (the import's member sheet); a member admitted
    # through PartyHub has it on their Candidate (`candidate.introduced_by`), which comes first.
    introduced_by = models.CharField(
        _("tổ chức giới thiệu"), max_length=20, choices=IntroducingBody.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [models.Index(fields=["cell", "status"], name="member_cell_status")]

    def __str__(self) -> str:
        return self.person.full_name

    def get_absolute_url(self) -> str:
        return reverse("members:member", args=[self.pk])

    def clean(self) -> None:
        normalise_fields(self, "card_number")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_MEMBER_STATUSES


class MemberMovement(models.Model):
    """One change to a cell's roll: the member count of any subtree on any date sums these."""

    member = models.ForeignKey(Member, verbose_name=_("đảng viên"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("loại biến động"), max_length=20, choices=MovementKind.choices)
    date = models.DateField(_("ngày"), validators=[validate_not_in_future])
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="movements"
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True, validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("biến động đảng viên")
        verbose_name_plural = _("biến động đảng viên")
        indexes = [models.Index(fields=["organisation", "date"], name="movement_org_date")]
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        normalise_fields(self, "note")


class MemberTransfer(models.Model):
    """A transfer of party activity waiting for the receiving cell (chi bộ nơi đến) to confirm it.

    From a cell of the province (`from_cell`), or from another province (`from_cell` empty, `origin`
    names it, and the member is recorded on confirmation with the person and dates kept here). The
    roll changes only when the receiving cell confirms (members/services.py: transfer_confirm).
    """

    person = models.ForeignKey(Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="transfers")
    member = models.ForeignKey(
        Member, verbose_name=_("đảng viên"), null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    from_cell = models.ForeignKey(
        Organisation,
        verbose_name=_("chi bộ nơi đi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    origin = models.CharField(
        _("nơi chuyển đến từ (tỉnh khác)"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    to_cell = models.ForeignKey(
        Organisation, verbose_name=_("chi bộ nơi đến"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    date = models.DateField(_("ngày chuyển"), validators=[validate_not_in_future])
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    # For a member from another province: what the roll records on confirmation.
    member_status = models.CharField(_("đảng viên"), max_length=16, choices=MemberStatus.choices, blank=True)
    admission_decision_date = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True, validators=[validate_plain_text])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chuyển sinh hoạt đảng")
        verbose_name_plural = _("chuyển sinh hoạt đảng")
        indexes = [models.Index(fields=["to_cell", "status"], name="transfer_to_status")]
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_cell} ({self.date:%d/%m/%Y})"

    def clean(self) -> None:
        normalise_fields(self, "origin", "note")


class RoleAssignment(models.Model):
    """A user's role over an organisation; it covers that organisation's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="roles"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class OrganisationTerm(models.Model):
    """An organisation's own term (nhiệm kỳ), from its congress to the day before the next one.

    A term is named by the years of the congress cycle ("2020-2025": first_year 2020) but starts on
    the organisation's own congress date, or for a unit the 2025 reorganisation made, on its own
    founding date. A unit without a row for a cycle uses its nearest ancestor's, and with none
    anywhere the default (reports/progress/periods.py: 1 July of the cycle year). The rows are read
    by reports/progress/terms.py.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="terms"
    )
    first_year = models.PositiveSmallIntegerField(_("năm đầu nhiệm kỳ"))
    start = models.DateField(_("ngày bắt đầu (ngày đại hội)"))
    end = models.DateField(_("ngày kết thúc"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhiệm kỳ của tổ chức")
        verbose_name_plural = _("nhiệm kỳ của tổ chức")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "first_year"], name="unique_organisation_term"),
        ]
        ordering = ["organisation", "first_year"]

    def __str__(self) -> str:
        years = f"{self.first_year}-{self.first_year + 5}"
        return f"{self.organisation} — {years} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"
