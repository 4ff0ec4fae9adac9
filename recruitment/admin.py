"""The admission records in the Django admin, to read only: every change goes through the services
(recruitment.services, and recruitment.services.corrections for a correction with its reason), so the
rules run and the history, the stage entries and the figures follow."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Correction,
    Dossier,
    DossierReturn,
    Enrolment,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    StageEntry,
    VerificationRequest,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, SimpleHistoryAdmin):
    """A record with its simple-history rows (and their change reasons)."""


class ReadOnlyPlainAdmin(ReadOnly, admin.ModelAdmin):
    """A record without history of its own."""


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ("person", "cell", "stage", "stage_entered_on", "proposed_on")
    list_filter = ("stage",)
    search_fields = ("person__full_name",)
    list_select_related = ("person", "cell")


@admin.register(StageEntry)
class StageEntryAdmin(ReadOnlyPlainAdmin):
    list_display = ("candidate", "stage", "entered_on", "created_by")
    list_filter = ("stage",)
    list_select_related = ("candidate__person", "created_by")


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyPlainAdmin):
    list_display = ("candidate", "kind", "action", "reason", "created_by", "created_at")
    list_filter = ("kind", "action")
    list_select_related = ("candidate__person", "created_by")


@admin.register(PartyClass)
class PartyClassAdmin(ReadOnlyAdmin):
    list_display = ("name", "organiser", "starts_on", "ends_on")
    list_select_related = ("organiser",)


def _by_candidate(model, *fields, base=ReadOnlyAdmin):
    attrs = {
        "list_display": ("candidate", *fields),
        "list_select_related": ("candidate__person",),
        "search_fields": ("candidate__person__full_name",),
    }
    admin.site.register(model, type(f"{model.__name__}Admin", (base,), attrs))


_by_candidate(Enrolment, "party_class", "passed", "certificate_number", "certificate_issued_on")
_by_candidate(Dossier, "submitted_on", "route")
_by_candidate(VerificationRequest, "sent_to", "sent_on", "replied_on")
_by_candidate(CellVote, "held_on", "votes_for", "full_members")
_by_candidate(CommitteeApproval, "held_on", "votes_for", "committee_members")
_by_candidate(AdmissionDecision, "number", "decided_on", "received_on")
_by_candidate(Ceremony, "held_on")
_by_candidate(Recognition, "decision_number", "meeting_on", "effective_on")
_by_candidate(Exit, "kind", "on", "reason")
_by_candidate(DossierReturn, "on", "from_stage", "to_stage", "reason", base=ReadOnlyPlainAdmin)


@admin.register(Introducer)
class IntroducerAdmin(ReadOnlyPlainAdmin):
    list_display = ("dossier", "member", "introduced_on")
    list_select_related = ("dossier__candidate__person", "member__person")
