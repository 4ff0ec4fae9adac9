"""Party-awareness classes: which ones an organisation's people can attend, who is in them."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from members import scoping
from members.models import Organisation
from members.names import name_order

from .. import scoping as pipeline_scoping
from ..models import Candidate, Enrolment, PartyClass
from ..vocabulary import Stage


def ancestor_paths(path: str) -> list[str]:
    """The paths of every organisation above `path`, and `path` itself (materialized-path prefixes)."""
    step = Organisation.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def classes_for_organisation(organisation: Organisation) -> QuerySet[PartyClass]:
    """Classes this organisation's people can attend (run by it or by a committee above it), and
    those run inside its subtree, newest first, with enrolment counts.

    `from_here` counts the enrolled people of this organisation's subtree, which a cell secretary
    reads beside the class total.
    """
    mine = Q(enrolments__candidate__cell__path__startswith=organisation.path)
    return (
        PartyClass.objects.filter(
            Q(organiser__path__in=ancestor_paths(organisation.path)) | Q(organiser__path__startswith=organisation.path)
        )
        .select_related("organiser")
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            passed=Count("enrolments", filter=Q(enrolments__passed=True), distinct=True),
            from_here=Count("enrolments", filter=mine, distinct=True),
        )
        .order_by("-starts_on", "-pk")
    )


def class_for_user_or_404(user, pk) -> PartyClass:
    """A class is seen inside its organiser's subtree and by those above the organiser.

    The people below the organiser are the ones it trains, so a cell secretary sees the commune's
    classes; an outsider gets 404 as for any object outside their scope.
    """
    try:
        party_class = PartyClass.objects.select_related("organiser").get(pk=pk)
    except (PartyClass.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy lớp bồi dưỡng trong phạm vi của bạn.") from None
    if getattr(user, "is_superuser", False):
        return party_class
    organiser_path = party_class.organiser.path
    if any(organiser_path.startswith(r) or r.startswith(organiser_path) for r in scoping.root_paths(user)):
        return party_class
    raise Http404("Không tìm thấy lớp bồi dưỡng trong phạm vi của bạn.")


@dataclass(frozen=True)
class Roster:
    enrolments: list[Enrolment]
    # Enrolled people of units the user may not see: counted, never named.
    hidden: int


def class_roster(party_class: PartyClass, user) -> Roster:
    visible = pipeline_scoping.candidates_for(user).values("pk")
    enrolments = list(
        Enrolment.objects.filter(party_class=party_class, candidate__in=visible)
        .select_related("candidate__person", "candidate__cell")
        .order_by("candidate__cell__name", *name_order("candidate__person__full_name"), "pk")
    )
    total = Enrolment.objects.filter(party_class=party_class).count()
    return Roster(enrolments=enrolments, hidden=total - len(enrolments))


def enrollable_candidates(party_class: PartyClass, user) -> QuerySet[Candidate]:
    """Outstanding people (stage `source`) of the organiser's subtree, not already in this class."""
    return (
        pipeline_scoping.candidates_for(user)
        .filter(stage=Stage.SOURCE, cell__path__startswith=party_class.organiser.path)
        .exclude(enrolments__party_class=party_class)
        .select_related("person", "cell")
        .order_by("cell__name", *name_order("person__full_name"), "pk")
    )


def enrolments_awaiting_results(party_class: PartyClass, user) -> list[Enrolment]:
    """The class's enrolled people still in training: the rows of the results form."""
    return list(
        Enrolment.objects.filter(
            party_class=party_class,
            passed__isnull=True,
            candidate__stage=Stage.TRAINING,
            candidate__in=pipeline_scoping.candidates_for(user).values("pk"),
        )
        .select_related("candidate__person", "candidate__cell")
        .order_by("candidate__cell__name", *name_order("candidate__person__full_name"), "pk")
    )
