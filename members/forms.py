"""The forms of the roll's movements and of the tree's changes; the services check the rules."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partyhub.forms import DateInput

from .models import Member
from .readmission import NEVER_READMITTED_EXIT_REASONS
from .vocabulary import CELL_LEVELS, EXIT_MOVEMENTS, Gender, Level, MemberStatus, MovementKind, Sector


def _date(label):
    return forms.DateField(label=label, widget=DateInput, initial=timezone.localdate)


class ConfirmedForm(forms.Form):
    """A form shown again as a summary before the change is made: the second submit carries `xac_nhan`."""

    xac_nhan = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get("xac_nhan"))


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


def active_cells(queryset):
    return queryset.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True).order_by("path")


class TransferForm(forms.Form):
    WITHIN, OUT = "within", "out"
    where = forms.ChoiceField(
        label=_("Chuyển đến"),
        choices=[(WITHIN, _("Chi bộ khác trong tỉnh")), (OUT, _("Đảng bộ tỉnh, thành phố khác"))],
        widget=forms.RadioSelect,
        initial=WITHIN,
    )
    to_cell = CellChoiceField(label=_("Chi bộ nơi đến (trong phạm vi của bạn)"), queryset=None, required=False)
    to_cell_code = forms.CharField(
        label=_("hoặc mã chi bộ nơi đến"),
        max_length=32,
        required=False,
        help_text=_(
            "Mã của một chi bộ trong phạm vi bạn quản lý. Chuyển đến chi bộ ngoài phạm vi đó do cấp ủy cấp trên "
            "(quản lý cả hai chi bộ) ghi."
        ),
    )
    destination = forms.CharField(label=_("Nơi chuyển đến (tỉnh khác)"), max_length=150, required=False)
    on = _date(_("Ngày chuyển"))
    note = forms.CharField(label=_("Ghi chú"), max_length=150, required=False)

    def __init__(self, *args, member: Member, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        # Only the cells of the user's subtree, by choice or by code: a code outside it is answered as
        # one that does not exist, whether it does or not (scope before lookup, docs/security.md).
        self.reachable = active_cells(cells).exclude(pk=member.cell_id)
        cast(forms.ModelChoiceField, self.fields["to_cell"]).queryset = self.reachable

    def clean(self):
        data = super().clean() or {}
        if data.get("where") == self.OUT:
            if not (data.get("destination") or "").strip():
                self.add_error("destination", _("Hãy ghi nơi chuyển đến (đảng bộ tỉnh, thành phố nào)."))
            return data
        code = (data.get("to_cell_code") or "").strip()
        if code and data.get("to_cell") is None:
            found = self.reachable.filter(code__iexact=code).first()
            if found is None:
                self.add_error(
                    "to_cell_code",
                    _(
                        "Không có chi bộ đang hoạt động mang mã này trong phạm vi bạn quản lý. Chuyển đến chi bộ "
                        "ngoài phạm vi đó do cấp ủy cấp trên ghi."
                    ),
                )
            data["to_cell"] = found
        elif data.get("to_cell") is None:
            self.add_error("to_cell", _("Hãy chọn chi bộ nơi đến hoặc ghi mã của chi bộ đó."))
        return data


class ExitForm(ConfirmedForm):
    kind = forms.ChoiceField(
        label=_("Loại biến động"),
        choices=[(k, MovementKind(k).label) for k in EXIT_MOVEMENTS],
        widget=forms.RadioSelect,
    )
    on = _date(_("Ngày"))
    note = forms.CharField(label=_("Số, ngày quyết định / ghi chú"), max_length=150, required=False)


class ReadmitForm(forms.Form):
    to_cell = CellChoiceField(label=_("Chi bộ sinh hoạt"), queryset=None)
    on = _date(_("Ngày quyết định kết nạp lại"))
    provincial_consent = forms.BooleanField(
        label=_("Đã có văn bản đồng ý của ban thường vụ tỉnh ủy, thành ủy"), required=False
    )
    consent_reference = forms.CharField(label=_("Số, ngày văn bản đồng ý"), max_length=100, required=False)
    exit_reason = forms.ChoiceField(
        label=_("Lý do ra khỏi Đảng trước đây"),
        choices=[("", _("Không thuộc các trường hợp không được kết nạp lại"))]
        + list(NEVER_READMITTED_EXIT_REASONS.items()),
        required=False,
    )

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_cell"]).queryset = active_cells(cells)


class TransferInForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices)
    date_of_birth = forms.DateField(label=_("Ngày sinh"), widget=DateInput)
    citizen_id = forms.CharField(label=_("Số CCCD"), max_length=12, required=False)
    origin = forms.CharField(label=_("Chuyển đến từ (đảng bộ tỉnh, thành phố)"), max_length=200)
    member_status = forms.ChoiceField(
        label=_("Đảng viên"),
        choices=[
            (MemberStatus.FULL, MemberStatus.FULL.label),
            (MemberStatus.PROBATIONARY, MemberStatus.PROBATIONARY.label),
        ],
    )
    admission_decision_date = forms.DateField(label=_("Ngày quyết định kết nạp"), widget=DateInput, required=False)
    on = _date(_("Ngày chuyển đến"))
    note = forms.CharField(label=_("Ghi chú"), max_length=150, required=False)

    PERSON_FIELDS = ("full_name", "gender", "date_of_birth", "citizen_id")


class CreateUnitForm(forms.Form):
    code = forms.CharField(label=_("Mã"), max_length=32)
    name = forms.CharField(label=_("Tên"), max_length=200)
    level = forms.ChoiceField(label=_("Cấp"), choices=Level.choices)
    sector = forms.ChoiceField(label=_("Loại hình"), choices=[("", "—"), *Sector.choices], required=False)
    founded_on = _date(_("Ngày thành lập"))


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Tên mới"), max_length=200)


class DissolveForm(ConfirmedForm):
    on = _date(_("Ngày giải thể"))


class MergeForm(ConfirmedForm):
    INTO_EXISTING, INTO_NEW = "existing", "new"
    sources: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Các đơn vị sáp nhập"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    target = forms.ChoiceField(
        label=_("Sáp nhập vào"),
        choices=[(INTO_EXISTING, _("Một đơn vị đang có")), (INTO_NEW, _("Một đơn vị mới"))],
        widget=forms.RadioSelect,
        initial=INTO_EXISTING,
    )
    into = CellChoiceField(label=_("Đơn vị nhận"), queryset=None, required=False)
    new_code = forms.CharField(label=_("Mã đơn vị mới"), max_length=32, required=False)
    new_name = forms.CharField(label=_("Tên đơn vị mới"), max_length=200, required=False)
    on = _date(_("Ngày sáp nhập"))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        sources = cast(forms.ModelMultipleChoiceField, self.fields["sources"])
        sources.queryset = children
        sources.label_from_instance = lambda o: f"{o.name} ({o.code})"  # type: ignore[assignment]
        cast(forms.ModelChoiceField, self.fields["into"]).queryset = children

    def clean(self):
        data = super().clean() or {}
        if data.get("target") == self.INTO_NEW:
            for field in ("new_code", "new_name"):
                if not data.get(field):
                    self.add_error(field, _("Hãy ghi mã và tên của đơn vị mới."))
        elif data.get("into") is None:
            self.add_error("into", _("Hãy chọn đơn vị nhận."))
        return data


SPLIT_MAX_PARTS = 4


class SplitForm(ConfirmedForm):
    """Up to SPLIT_MAX_PARTS new cells (the rows left empty are ignored) and, per member, the one they go to."""

    on = _date(_("Ngày chia tách"))

    def __init__(self, *args, members: list[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for i in range(1, SPLIT_MAX_PARTS + 1):
            required = i <= 2
            self.fields[f"part_{i}_code"] = forms.CharField(
                label=_("Mã chi bộ mới %(i)d") % {"i": i}, max_length=32, required=required
            )
            self.fields[f"part_{i}_name"] = forms.CharField(
                label=_("Tên chi bộ mới %(i)d") % {"i": i}, max_length=200, required=required
            )
        choices = [("", _("— chọn —"))] + [(str(i), _("Chi bộ mới %(i)d") % {"i": i}) for i in range(1, 5)]
        for member in members:
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=member.person.full_name, choices=choices, required=False
            )

    def member_fields(self):
        return [(m, self[f"member_{m.pk}"]) for m in self.members]

    def part_fields(self):
        return [(self[f"part_{i}_code"], self[f"part_{i}_name"]) for i in range(1, SPLIT_MAX_PARTS + 1)]

    def parts(self) -> list[tuple[int, dict]]:
        """The filled rows, in order; a member's choice names a row by its number."""
        rows: list[tuple[int, dict]] = []
        for i in range(1, SPLIT_MAX_PARTS + 1):
            code, name = self.cleaned_data.get(f"part_{i}_code"), self.cleaned_data.get(f"part_{i}_name")
            if code and name:
                rows.append((i, {"code": code, "name": name}))
        return rows

    def assignment(self) -> tuple[list[dict], dict[int, int]]:
        rows = self.parts()
        index_of = {number: index for index, (number, _part) in enumerate(rows)}
        assignment = {}
        for member in self.members:
            chosen = self.cleaned_data.get(f"member_{member.pk}")
            if chosen and int(chosen) in index_of:
                assignment[member.pk] = index_of[int(chosen)]
        return [part for _n, part in rows], assignment
