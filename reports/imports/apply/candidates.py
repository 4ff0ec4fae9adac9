"""Rows of the candidates sheet: each candidate walks the pipeline through `recruitment.services`."""

from django.core.exceptions import ValidationError

from members.models import Member, MemberMovement
from members.vocabulary import INCOMING_MOVEMENTS
from recruitment import services as steps
from recruitment.models import Candidate, Enrolment, PartyClass
from recruitment.vocabulary import EXITS, Stage

from ..columns import CANDIDATES
from .context import (
    RULE_DUPLICATE_DB,
    RULE_STAGE,
    Context,
    ensure_number_free,
    find_person,
    member_by_reference,
    person_fields,
    person_key,
    refusal,
    refuse,
    same_person,
)

PROPOSE_FIELDS = {
    "cell": "cell_code",
    "helper": "helper",
    "person": "citizen_id",
    "proposed_on": "proposed_on",
    "introduced_by": "introduced_by",
}
CLASS_FIELDS = {
    "party_class": "class_name",
    "ends_on": "class_ends_on",
    "starts_on": "class_starts_on",
    "name": "class_name",
    "*": "certificate_issued_on",
}
DOSSIER_FIELDS = {
    "application_date": "application_date",
    "personal_history_date": "personal_history_date",
    "route": "route",
    "introducers": "introducer1",
    "submitted_on": "submitted_on",
    "verification_completed_on": "verification_completed_on",
    "opinions_date": "opinions_date",
    "body_introduction_date": "body_introduction_date",
    "youth_union_exists": "youth_union_exists",
}
VOTE_FIELDS = {
    "held_on": "vote_held_on",
    "votes_for": "votes_for",
    "full_members": "full_members",
    "absent_exempt": "absent_exempt",
    "absent_members": "absent_members",
    "base_reason": "vote_base_reason",
    "over_age_exception": "over_age_exception",
    "education_exception": "education_exception",
}
COMMITTEE_FIELDS = {
    "held_on": "committee_held_on",
    "votes_for": "committee_votes_for",
    "committee_members": "committee_members",
    "base_reason": "committee_base_reason",
}
DECISION_FIELDS = {
    "number": "decision_number",
    "decided_on": "decided_on",
    "received_on": "decision_received_on",
    "extended": "decision_extended",
}
CEREMONY_FIELDS = {"held_on": "ceremony_on", "superior_consent": "superior_consent"}
RECOGNITION_FIELDS = {"meeting_on": "recognition_meeting_on", "decision_number": "recognition_number"}
EXIT_FIELDS = {"kind": "stage", "on": "exit_on", "reason": "exit_reason"}


def _step(call, fields: dict, default: str):
    try:
        return call()
    except ValidationError as error:
        raise refusal(error, fields, default, RULE_STAGE) from None


def apply_candidate(ctx: Context, values: dict, row: int) -> str:
    cell = ctx.cell(values["cell_code"], "cell_code")
    key = person_key(values)
    ctx.claim(key, f"dòng {row} trang “{CANDIDATES.title}”", "citizen_id" if values.get("citizen_id") else "full_name")
    person = find_person(ctx, values)
    candidate = None
    if person is None:
        ensure_number_free(values)
    else:
        same_person(ctx, person, values)
        candidate = Candidate.objects.filter(person=person).select_related("cell", "person").first()
        if candidate is not None and candidate.cell_id != cell.pk:
            # The person is seen where they are now (a member's cell); the candidate's cell may not be.
            where = f"“{candidate.cell.name}”" if ctx.sees(candidate.cell.path) else "một chi bộ khác"
            refuse("cell_code", f"Người này đã là quần chúng ưu tú của {where}.", RULE_DUPLICATE_DB)
    by = ctx.user
    outcome = "unchanged"
    if candidate is None:
        candidate = _step(
            lambda: steps.candidate_propose(
                cell=cell,
                introduced_by=values["introduced_by"],
                proposed_on=values["proposed_on"],
                by=by,
                person=person,
                person_fields=None if person else person_fields(values),
            ),
            {**PROPOSE_FIELDS, "*": "full_name"},
            "cell_code",
        )
        outcome = "created"
    walked = _walk(ctx, candidate, values)
    candidate.refresh_from_db()
    if candidate.stage != values["stage"]:
        refuse(
            "stage",
            f"Giai đoạn ghi là “{Stage(values['stage']).label}” nhưng theo các bước đã ghi, người này ở giai đoạn "
            f"“{Stage(candidate.stage).label}”.",
            RULE_STAGE,
        )
    if outcome == "created" and values.get("helper"):
        # The helper may reach the cell only through a later row (a transfer, their own admission).
        # Noted once the row is accepted: a refused row's candidate is rolled back with its savepoint.
        ctx.helpers[candidate.pk] = (row, values["helper"])
    return outcome if outcome == "created" or not walked else "updated"


def _walk(ctx: Context, candidate: Candidate, v: dict) -> bool:
    """Carry the candidate through the steps the row records that are not yet on record."""
    by, walked = ctx.user, False
    # Each step's service locks and re-reads the candidate itself; where the candidate stands after a
    # step is known from the step, so it is followed here rather than read back after every one.
    now = candidate.stage
    if v.get("class_name") and now == Stage.SOURCE:
        organiser = ctx.organiser(v["class_organiser_code"], "class_organiser_code", candidate.cell)
        party_class = PartyClass.objects.filter(
            organiser=organiser, name=v["class_name"], starts_on=v["class_starts_on"]
        ).first()
        if party_class is None:
            party_class = _step(
                lambda: steps.class_create(
                    organiser=organiser,
                    name=v["class_name"],
                    starts_on=v["class_starts_on"],
                    ends_on=v["class_ends_on"],
                    by=by,
                ),
                CLASS_FIELDS,
                "class_name",
            )
        if not Enrolment.objects.filter(party_class=party_class, candidate=candidate, passed=False).exists():
            _step(
                lambda: steps.candidate_enroll_in_class(candidate=candidate, party_class=party_class, by=by),
                CLASS_FIELDS,
                "class_name",
            )
            now, walked = Stage.TRAINING, True
    if v.get("class_result") and now == Stage.TRAINING:
        enrolment = candidate.enrolments.filter(passed__isnull=True).select_related("party_class").first()
        if enrolment is not None:
            passed = v["class_result"] == "passed"
            result = steps.ClassResult(
                candidate_id=candidate.pk,
                passed=passed,
                certificate_number=v.get("certificate_number") or "",
                certificate_issued_on=v.get("certificate_issued_on"),
            )
            _step(
                lambda: steps.class_record_results(party_class=enrolment.party_class, results=[result], by=by),
                {f"row-{candidate.pk}": "certificate_issued_on", **CLASS_FIELDS},
                "class_result",
            )
            now, walked = (Stage.TRAINED if passed else Stage.SOURCE), True
    if v.get("application_date") and now == Stage.TRAINED:
        introducers = []
        for n in ("1", "2"):
            if v.get(f"introducer{n}"):
                introducers.append(
                    steps.IntroducerInput(
                        member=member_by_reference(ctx, v[f"introducer{n}"], f"introducer{n}"),
                        known_since=v[f"introducer{n}_known_since"],
                        introduced_on=v[f"introducer{n}_on"],
                        is_replacement=bool(v.get(f"introducer{n}_replacement")),
                    )
                )
        _step(
            lambda: steps.candidate_submit_dossier(
                candidate=candidate,
                application_date=v["application_date"],
                personal_history_date=v["personal_history_date"],
                route=v["route"],
                introducers=introducers,
                submitted_on=v["submitted_on"],
                youth_union_exists=v.get("youth_union_exists") is not False,
                body_introduction_date=v.get("body_introduction_date"),
                verification_completed_on=v.get("verification_completed_on"),
                opinions_date=v.get("opinions_date"),
                by=by,
            ),
            DOSSIER_FIELDS,
            "application_date",
        )
        now, walked = Stage.DOSSIER, True
    if v.get("vote_held_on") and now == Stage.DOSSIER:
        absent = [member_by_reference(ctx, ref, "absent_members") for ref in absent_references(v)]
        _step(
            lambda: steps.candidate_record_cell_vote(
                candidate=candidate,
                held_on=v["vote_held_on"],
                votes_for=v["votes_for"],
                full_members=v["full_members"],
                absent_members=absent,
                absent_exempt=v.get("absent_exempt"),
                base_reason=v.get("vote_base_reason") or "",
                # The rolls are complete only once the movements sheet (applied after this one) is in.
                check_roll=False,
                over_age_exception=v.get("over_age_exception") or "",
                education_exception=v.get("education_exception") or "",
                by=by,
            ),
            VOTE_FIELDS,
            "vote_held_on",
        )
        now, walked = Stage.CELL_RESOLUTION, True
    if v.get("committee_held_on") and now == Stage.CELL_RESOLUTION:
        _step(
            lambda: steps.candidate_record_committee_approval(
                candidate=candidate,
                held_on=v["committee_held_on"],
                votes_for=v["committee_votes_for"],
                committee_members=v["committee_members"],
                base_reason=v.get("committee_base_reason") or "",
                by=by,
            ),
            COMMITTEE_FIELDS,
            "committee_held_on",
        )
        now, walked = Stage.COMMITTEE_REVIEW, True
    if v.get("decided_on") and now in (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW):
        _step(
            lambda: steps.candidate_record_decision(
                candidate=candidate,
                number=v["decision_number"],
                decided_on=v["decided_on"],
                received_on=v["decision_received_on"],
                extended=bool(v.get("decision_extended")),
                by=by,
            ),
            DECISION_FIELDS,
            "decided_on",
        )
        now, walked = Stage.DECIDED, True
    if v.get("ceremony_on") and now == Stage.DECIDED:
        _step(
            lambda: steps.candidate_record_ceremony(
                candidate=candidate, held_on=v["ceremony_on"], superior_consent=v.get("superior_consent") or "", by=by
            ),
            CEREMONY_FIELDS,
            "ceremony_on",
        )
        now, walked = Stage.PROBATIONARY, True
    member = None
    if now in (Stage.PROBATIONARY, Stage.FULL) and (v.get("card_number") or v.get("recognition_meeting_on")):
        member = Member.objects.get(candidate__pk=candidate.pk)
    if member is not None and v.get("card_number") and member.card_number != v["card_number"]:
        member.card_number = v["card_number"]
        member._history_user = by
        member.save(update_fields=["card_number"])
        walked = True
    if v.get("recognition_meeting_on") and now == Stage.PROBATIONARY:
        _step(
            lambda: steps.member_recognise_full(
                member=member, meeting_on=v["recognition_meeting_on"], decision_number=v["recognition_number"], by=by
            ),
            RECOGNITION_FIELDS,
            "recognition_meeting_on",
        )
        now, walked = Stage.FULL, True
    if v["stage"] in EXITS and now not in EXITS:
        _step(
            lambda: steps.candidate_exit(
                candidate=candidate, kind=v["stage"], on=v["exit_on"], reason=v["exit_reason"], by=by
            ),
            EXIT_FIELDS,
            "exit_on",
        )
        walked = True
    return walked


def absent_references(values: dict) -> list[str]:
    """The absent members the vote leaves out of its base, as the sheet names them (`;` between)."""
    return [ref.strip() for ref in (values.get("absent_members") or "").split(";") if ref.strip()]


def attach_helper(ctx: Context, candidate_pk: int, reference: str) -> None:
    """The helper (đảng viên giúp đỡ) must have been a member of the candidate's cell on the day the
    candidate was proposed, as the member's movements tell; the proposal form checks the same today."""
    candidate = Candidate.objects.select_related("cell").get(pk=candidate_pk)
    helper = member_by_reference(ctx, reference, "helper")
    last = (
        MemberMovement.objects.filter(member=helper, date__lte=candidate.proposed_on)
        .order_by("-date", "-pk")
        .values_list("kind", "organisation_id")
        .first()
    )
    if last is None or last[0] not in INCOMING_MOVEMENTS or last[1] != candidate.cell_id:
        refuse(
            "helper",
            f"{helper.person.full_name} không sinh hoạt tại “{candidate.cell.name}” ngày "
            f"{candidate.proposed_on:%d/%m/%Y}, ngày người này được đưa vào diện quần chúng ưu tú.",
            RULE_STAGE,
        )
    candidate.helper = helper
    candidate._history_user = ctx.user
    candidate.save(update_fields=["helper"])
