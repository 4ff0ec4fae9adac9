"""Walk a candidate through the pipeline with the real services, stopping at any stage."""

import datetime

from members.models import Organisation
from recruitment import services
from recruitment.vocabulary import PIPELINE, Stage

D = datetime.date
DEFAULT_START = D(2024, 1, 8)


def walk(candidate, *, to: str, introducers, by, start: datetime.date = DEFAULT_START, votes=None, committee=False):
    """Advance `candidate` from `source` up to stage `to`, with dates spaced from `start`."""
    order = PIPELINE.index(to)

    def reached(stage):
        return PIPELINE.index(stage) <= order

    day = start
    if reached(Stage.TRAINING):
        cls = services.class_create(
            organiser=Organisation.objects.get_parent(candidate.cell) if candidate.cell.depth > 1 else candidate.cell,
            name=f"Lớp bồi dưỡng {candidate.pk}",
            starts_on=day,
            ends_on=day + datetime.timedelta(days=5),
            by=by,
        )
        services.candidate_enroll_in_class(candidate=candidate, party_class=cls, by=by)
    if reached(Stage.TRAINED):
        services.class_record_results(
            party_class=cls,
            results=[services.ClassResult(candidate.pk, True, f"CN-{candidate.pk}", day + datetime.timedelta(days=6))],
            by=by,
        )
    if reached(Stage.DOSSIER):
        services.candidate_submit_dossier(
            candidate=candidate,
            application_date=day + datetime.timedelta(days=10),
            personal_history_date=day + datetime.timedelta(days=12),
            route="youth_union",
            body_introduction_date=day + datetime.timedelta(days=14),
            introducers=[services.IntroducerInput(introducers[0], D(2020, 1, 1), day + datetime.timedelta(days=14))],
            submitted_on=day + datetime.timedelta(days=15),
            by=by,
        )
    if reached(Stage.CELL_RESOLUTION):
        full = services.full_members_of(candidate.cell)
        services.candidate_record_cell_vote(
            candidate=candidate,
            held_on=day + datetime.timedelta(days=30),
            votes_for=full if votes is None else votes,
            full_members=full,
            by=by,
        )
    if committee and reached(Stage.COMMITTEE_REVIEW):
        services.candidate_record_committee_approval(
            candidate=candidate, held_on=day + datetime.timedelta(days=40), votes_for=5, committee_members=7, by=by
        )
    if reached(Stage.DECIDED):
        services.candidate_record_decision(
            candidate=candidate,
            number=f"{candidate.pk}-QĐ/ĐU",
            decided_on=day + datetime.timedelta(days=50),
            received_on=day + datetime.timedelta(days=52),
            by=by,
        )
    if reached(Stage.PROBATIONARY):
        services.candidate_record_ceremony(candidate=candidate, held_on=day + datetime.timedelta(days=60), by=by)
    if reached(Stage.FULL):
        candidate.refresh_from_db()
        services.member_recognise_full(
            member=candidate.member,
            meeting_on=day + datetime.timedelta(days=60 + 370),
            decision_number=f"{candidate.pk}-CN",
            by=by,
        )
    candidate.refresh_from_db()
    return candidate
