from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Member, MemberMovement, Organisation, OrganisationTerm, Person, RoleAssignment


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    # The tree position (path) is never edited here: units are created, dissolved and merged
    # through members.services so the Party's structure rules always apply.
    list_display = ("code", "name", "level", "sector", "founded_on", "dissolved_on", "merged_into")
    list_filter = ("level", "sector")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth", "numchild", "merged_into", "dissolved_on")
    ordering = ("path",)

    def has_add_permission(self, request) -> bool:
        return False

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
