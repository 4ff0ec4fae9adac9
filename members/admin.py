from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Member, MemberMovement, Organisation, OrganisationTerm, Person, RoleAssignment


class OrganisationAddForm(forms.ModelForm):
    """Adding a unit goes through organisation_create, so the structure rules the pages apply apply here."""

    parent = forms.ModelChoiceField(
        label=_("trực thuộc"), queryset=Organisation.objects.filter(dissolved_on__isnull=True), required=False
    )

    class Meta:
        model = Organisation
        fields = ("code", "name", "level", "sector", "founded_on")

    def clean(self):
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.check_placement(level=data["level"], parent=data.get("parent"), founded_on=data.get("founded_on"))
        except ValidationError as refusal:
            self.add_error("parent", refusal.message_dict.get("parent", refusal.messages))
        return data


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    # The tree position (path) is never edited here: units are created (through the add form below),
    # dissolved and merged through members.services so the Party's structure rules always apply.
    list_display = ("code", "name", "level", "sector", "founded_on", "dissolved_on", "merged_into")
    list_filter = ("level", "sector")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth", "numchild", "merged_into", "dissolved_on")
    ordering = ("path",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("code", "name", "level", "parent", "sector", "founded_on")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = services.organisation_create(
            code=data["code"],
            name=data["name"],
            level=data["level"],
            parent=data.get("parent"),
            sector=data.get("sector") or "",
            founded_on=data.get("founded_on"),
            by=request.user,
        )
        # The admin goes on to log and redirect with the saved object.
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "gender", "date_of_birth", "citizen_id")
    search_fields = ("full_name", "citizen_id")


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("person", "cell", "status", "admission_decision_date")
    list_filter = ("status",)
    search_fields = ("person__full_name", "card_number")
    list_select_related = ("person", "cell")
    raw_id_fields = ("person", "cell")


@admin.register(MemberMovement)
class MemberMovementAdmin(SimpleHistoryAdmin):
    list_display = ("member", "kind", "date", "organisation")
    list_filter = ("kind",)
    list_select_related = ("member__person", "organisation")
    raw_id_fields = ("member", "organisation")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organisation")
    list_filter = ("role",)
    list_select_related = ("user", "organisation")
    raw_id_fields = ("user", "organisation")


@admin.register(OrganisationTerm)
class OrganisationTermAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "first_year", "start", "end")
    list_filter = ("first_year",)
    search_fields = ("organisation__code", "organisation__name")
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation",)
