"""Carry out the plans through the real services, so the rules run and the warnings are real.

The steps before the dossier, where no rule runs, are written in bulk first (`early`), in the
order things happened, so a candidate who failed one class is back in `source` for the next.
Then each candidate's own steps go through the services, from the background checks and the
dossier to the recognition or the exit. A step a service refuses is reported and the candidate
stays where it was: the planner means to make none, and the tests hold it to that.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from members.models import Member, RoleAssignment
from members.vocabulary import Role

from .. import services
from ..models import Candidate
from ..rules import required_votes
from ..vocabulary import Stage
from .classes import ClassCalendar
from .early import write_early_steps
from .planner import Plan

# Steps the commune committee (its board staff) records; the cell secretary records the rest.
COMMUNE_STEPS = {"class", "decision"}


@dataclass(frozen=True)
class Refusal:
    plan_index: int
    step: str
    message: str


@dataclass
class WalkReport:
    candidates: int = 0
    refusals: list[Refusal] = field(default_factory=list)


class Authors:
    """Who records a step in the demo: the demo logins where they hold the post, else nobody (the loader)."""

    def __init__(self) -> None:
        self._cells = {}
        self._communes = {}
        for ra in RoleAssignment.objects.select_related("user").order_by("pk"):
            if ra.role == Role.CELL_SECRETARY:
                self._cells.setdefault(ra.organisation_id, ra.user)
            elif ra.role == Role.BOARD_STAFF:
                self._communes.setdefault(ra.organisation_id, ra.user)

    def of(self, plan: Plan, step: str):
        if step in COMMUNE_STEPS:
            return self._communes.get(plan.cell.commune.pk)
        return self._cells.get(plan.cell.org.pk)


class Walk:
    def __init__(self, plans: list[Plan], calendar: ClassCalendar, progress: Callable[[str], None]):
        self.plans = plans
        self.calendar = calendar
        self.progress = progress
        self.authors = Authors()
        self.report = WalkReport()
        self.candidates: dict[int, Candidate] = {}
        pks = {p.helper_pk for p in plans if p.helper_pk} | {i.member_pk for p in plans for i in p.introductions}
        self.members = Member.objects.select_related("person").in_bulk(sorted(pks))

    def run(self) -> WalkReport:
        today = timezone.localdate()
        self.candidates = write_early_steps(self.plans, self.calendar, self.authors, today)
        self.progress(f"  … {len(self.candidates)} quần chúng ưu tú đã qua các lớp bồi dưỡng; đang ghi các bước sau")
        for n, plan in enumerate(sorted(self.plans, key=lambda p: p.index), start=1):
            self._do(plan, "steps", self._steps, plan)
            if n % 500 == 0:
                self.progress(f"  … {n} quần chúng đã đi hết các bước")
        self.report.candidates = len(self.candidates)
        return self.report

    def _do(self, plan: Plan, step: str, action: Callable, *args, **kwargs):
        """Run services; a refusal is reported and leaves the candidate where it was."""
        try:
            return action(*args, **kwargs)
        except services.StepRefused as refused:
            self.report.refusals.append(Refusal(plan.index, step, "; ".join(refused.messages)))
            return None

    def _steps(self, plan: Plan) -> None:
        """The candidate's own steps after the classes, as far as the plan goes."""
        candidate = self.candidates[plan.index]
        cell_by, commune_by = self.authors.of(plan, "steps"), self.authors.of(plan, "decision")
        if plan.steps is None:
            self._checks(candidate, plan.checks, cell_by)  # someone trained, gathering papers
        else:
            self._dossier(candidate, plan, cell_by)
            self._votes(candidate, plan, cell_by, commune_by)
            self._admission(candidate, plan, cell_by, commune_by)
        if plan.exit_on is not None:
            # The commune strikes off and refuses after the cell's vote; the cell records the rest.
            by_commune = plan.outcome == Stage.STRUCK_OFF or plan.exit_from in (
                Stage.CELL_RESOLUTION,
                Stage.COMMITTEE_REVIEW,
            )
            services.candidate_exit(
                candidate=candidate,
                kind=plan.outcome,
                on=plan.exit_on,
                reason=plan.exit_reason,
                by=commune_by if by_commune else cell_by,
            )

    def _checks(self, candidate: Candidate, checks, by) -> None:
        for check in checks:
            request = services.verification_request_create(
                candidate=candidate, sent_to=check.sent_to, sent_on=check.sent_on, reply_due_on=check.due_on, by=by
            )
            if check.replied_on is not None:
                services.verification_request_record_reply(
                    request=request, replied_on=check.replied_on, reply=check.reply, by=by
                )

    def _dossier(self, candidate: Candidate, plan: Plan, by) -> None:
        steps = plan.steps
        answered = [c for c in plan.checks if c.replied_on is not None]
        pending = [c for c in plan.checks if c.replied_on is None]
        self._checks(candidate, answered, by)  # sent while the dossier was being put together
        services.candidate_submit_dossier(
            candidate=candidate,
            application_date=steps.application,
            personal_history_date=steps.history,
            route=plan.route,
            introducers=[
                services.IntroducerInput(self.members[i.member_pk], i.known_since, i.introduced_on)
                for i in plan.introductions
            ],
            submitted_on=steps.submitted,
            youth_union_exists=plan.cell.youth_union_exists,
            body_introduction_date=plan.body_introduction_on,
            verification_completed_on=plan.verification_completed_on,
            opinions_date=steps.opinions,
            by=by,
        )
        self._checks(candidate, pending, by)  # sent after submission, still unanswered

    def _votes(self, candidate: Candidate, plan: Plan, cell_by, commune_by) -> None:
        steps = plan.steps
        if plan.over_age_exception or plan.education_exception:
            # Recorded on the candidate before the vote, as the secretary does on the form.
            candidate.refresh_from_db()
            candidate.over_age_exception = plan.over_age_exception
            candidate.education_exception = plan.education_exception
            candidate._history_user = cell_by
            candidate.save(update_fields=["over_age_exception", "education_exception"])
        if plan.first_vote is not None:
            self._vote(candidate, plan.first_vote, cell_by)
            services.committee_return_dossier(
                candidate=candidate, on=steps.returned, reason=plan.return_reason, by=commune_by
            )
        if plan.vote is not None:
            self._vote(candidate, plan.vote, cell_by)
        if steps.approval is not None:
            services.candidate_record_committee_approval(
                candidate=candidate,
                held_on=steps.approval,
                votes_for=plan.approval_votes,
                committee_members=plan.cell.committee_size,
                by=None,  # the grassroots committee has no demo login
            )

    @staticmethod
    def _vote(candidate: Candidate, vote, by) -> None:
        """The planned vote on the cell's roll of the day (rule 6: the roll decides the base): the
        planned absences are marked by name among the roll, and the votes keep the plan's margin
        below a full house within what the roll's base allows."""
        roll = services.vote_roll(candidate.cell, vote.held_on)
        absent = roll[: min(vote.absent_exempt, max(len(roll) - 1, 0))]
        base = len(roll) - len(absent)
        short = (vote.full_members - vote.absent_exempt) - vote.votes_for
        votes_for = max(min(base - short, base), required_votes(base))
        services.candidate_record_cell_vote(
            candidate=candidate, held_on=vote.held_on, votes_for=votes_for, absent_members=absent, by=by
        )

    def _admission(self, candidate: Candidate, plan: Plan, cell_by, commune_by) -> None:
        steps = plan.steps
        if steps.decided is None:
            return
        services.candidate_record_decision(
            candidate=candidate,
            number=plan.decision_number,
            decided_on=steps.decided,
            received_on=steps.received,
            extended=plan.extended,
            by=commune_by,
        )
        if steps.ceremony is None:
            return
        member = services.candidate_record_ceremony(
            candidate=candidate, held_on=steps.ceremony, superior_consent=plan.consent, by=cell_by
        )
        if steps.recognised is not None:
            services.member_recognise_full(
                member=member, meeting_on=steps.recognised, decision_number=plan.recognition_number, by=commune_by
            )
