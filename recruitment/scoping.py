"""The candidates a user may see: members.scoping's subtree rule applied to the pipeline.

members.scoping answers who sees what; this module only names the pipeline's own objects for it,
because the tree (members) must not import the pipeline that builds on it.
"""

from django.db.models import QuerySet

from members import scoping
from members.models import Person

from .models import Candidate


def candidates_for(user) -> QuerySet[Candidate]:
    return scoping.scoped(Candidate.objects.all(), user, "cell__path")


def candidate_for_user_or_404(user, pk) -> Candidate:
    return scoping.object_for_user_or_404(
        Candidate.objects.select_related("person", "cell"),
        user,
        pk,
        path_field="cell__path",
        message="Không tìm thấy quần chúng trong phạm vi của bạn.",
    )


def people_for(user) -> QuerySet[Person]:
    """Members' and candidates' people inside the user's subtrees."""
    return scoping.people_for(user, path_fields=("member__cell__path", "candidate__cell__path"))
