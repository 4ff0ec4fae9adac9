"""The admission pipeline of `manage.py generate_scale`, written in bulk.

About 4 % of the rolls are candidates, in every open stage (source to decided), each with the
records the services would have written for the steps taken: the party-awareness class and its
enrolment (passed, or still in session for the `training` stage), the dossier with its introducers,
the cell's vote, the grassroots committee's approval where the cell has one, the commune's admission
decision, and one StageEntry per stage in date order. The dates are drawn backwards from the day
the candidate entered their present stage, inside the deadlines of the rules (docs/domain.md §3):
18 or older at the vote, introducers full members known for more than 12 months, the Youth Union
route for the young, a majority of the full members, the decision within 60 working days.

Members admitted through the pipeline before today are on the rolls already (`members.demo.scale`);
this adds the candidates still open, which is what the boards, the deadlines and the funnel read.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from members.demo import bulk
from members.demo.dates import add_years
from members.demo.people import PROFILES, PersonFactory
from members.demo.scale import HISTORY_REASON, Plan, Roll, Unit
from members.models import Person
from members.vocabulary import Gender, GeneralEducation, IntroducingBody, Level, MemberStatus

from ..models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    CommitteeApproval,
    Dossier,
    Enrolment,
    Introducer,
    PartyClass,
    StageEntry,
)
from ..rules import IntroductionRoute, add_months, is_youth_age, required_votes
from ..vocabulary import OPEN_STAGES, Stage

T = datetime.timedelta
CANDIDATES_PER_ROLL = 0.04
# Share of the open candidates in each stage.
STAGE_SHARES = {
    Stage.SOURCE: 0.30,
    Stage.TRAINING: 0.10,
    Stage.TRAINED: 0.22,
    Stage.DOSSIER: 0.14,
    Stage.CELL_RESOLUTION: 0.10,
    Stage.COMMITTEE_REVIEW: 0.06,
    Stage.DECIDED: 0.08,
}
# A cell needs this many full members to hold a lawful vote and sign introductions.
MIN_FULL = 5
ATTEMPTS = 8


@dataclass
class ClassPlan:
    commune: Unit
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    certificates_on: datetime.date | None  # None: in session, results not in
    row: PartyClass | None = None
    issued: int = 0


@dataclass
class CellFacts:
    unit: Unit
    commune: Unit
    committee: Unit | None
    full: list[Roll]  # full members on the roll today, as the cell knows them


@dataclass
class Chain:
    """One candidate: the day of each step reached, and the records to write."""

    cell: CellFacts
    stage: str
    person: Person
    proposed: datetime.date
    introduced_by: str
    helper: Roll | None
    youth: bool
    entries: list[tuple[str, datetime.date]] = field(default_factory=list)
    party_class: ClassPlan | None = None
    application: datetime.date | None = None
    history: datetime.date | None = None
    verified: datetime.date | None = None
    submitted: datetime.date | None = None
    introducers: list[tuple[Roll, datetime.date, datetime.date]] = field(default_factory=list)
    vote: tuple[datetime.date, int, int, int] | None = None  # held_on, votes for, full members, absent
    approval: tuple[datetime.date, int, int] | None = None  # held_on, votes for, committee members
    decided: datetime.date | None = None
    received: datetime.date | None = None


def cell_facts(plan: Plan) -> list[CellFacts]:
    full: dict[int, list[Roll]] = {}
    for roll in plan.rolls:
        if roll.status == MemberStatus.FULL:
            full.setdefault(roll.cell.index, []).append(roll)
    facts = []
    for cell in plan.cells:
        if not cell.active_today or len(full.get(cell.index, ())) < MIN_FULL:
            continue
        committee, unit = None, cell.parent
        while cell.level == Level.CELL and unit is not None and unit.level != Level.COMMUNE:
            if unit.level == Level.GRASSROOTS_COMMITTEE:
                committee = unit
                break
            unit = unit.parent
        facts.append(CellFacts(cell, cell.commune, committee, full[cell.index]))
    return facts


class Calendar:
    """Each commune's classes: one every four to seven months from two years back, and one in session."""

    def __init__(self, communes: list[Unit], rng: random.Random, today: datetime.date):
        self.by_commune: dict[int, list[ClassPlan]] = {}
        for commune in communes:
            classes = []
            start = max(datetime.date(today.year - 2, 1, 1), commune.founded_on) + T(rng.randint(10, 60))
            while start + T(30) < today - T(14):
                ends = start + T(4)
                classes.append(ClassPlan(commune, len(classes) + 1, start, ends, ends + T(rng.randint(7, 21))))
                start += T(rng.randint(120, 200))
            opened = today - T(rng.randint(5, 12))
            classes.append(ClassPlan(commune, len(classes) + 1, opened, opened + T(4), None))
            self.by_commune[commune.index] = classes

    def in_session(self, commune: Unit) -> ClassPlan:
        return self.by_commune[commune.index][-1]

    def completed(self, commune: Unit) -> list[ClassPlan]:
        return self.by_commune[commune.index][:-1]

    def latest_before(self, commune: Unit, day: datetime.date) -> ClassPlan | None:
        done = [c for c in self.completed(commune) if c.certificates_on and c.certificates_on <= day]
        return done[-1] if done else None

    def all(self) -> list[ClassPlan]:
        return [c for classes in self.by_commune.values() for c in classes]


class PipelinePlanner:
    def __init__(self, *, rng: random.Random, people: PersonFactory, today: datetime.date, calendar: Calendar):
        self.rng, self.people, self.today, self.calendar = rng, people, today, calendar

    def chain(self, stage: str, cell: CellFacts) -> Chain | None:
        rng, today = self.rng, self.today
        late = OPEN_STAGES.index(stage) >= OPEN_STAGES.index(Stage.DOSSIER)
        decided = approval = vote = submitted = None
        party_class: ClassPlan | None = None
        if stage == Stage.DECIDED:
            decided = today - T(rng.randint(1, 30))
            approval = decided - T(rng.randint(5, 20)) if cell.committee else None
            vote = (approval or decided) - T(rng.randint(5, 25))
        elif stage == Stage.COMMITTEE_REVIEW:
            approval = today - T(rng.randint(2, 45))
            vote = approval - T(rng.randint(5, 25))
        elif stage == Stage.CELL_RESOLUTION:
            vote = today - T(rng.randint(2, 80))
        elif stage == Stage.DOSSIER:
            submitted = today - T(rng.randint(3, 100))
        if vote is not None:
            submitted = vote - T(rng.randint(7, 30))
        application = history = None
        if late:
            assert submitted is not None
            application = submitted - T(rng.randint(20, 60))
            history = application + T(rng.randint(1, 10))
            party_class = self.calendar.latest_before(cell.commune, application - T(10))
            if party_class is None:
                return None
        elif stage == Stage.TRAINING:
            party_class = self.calendar.in_session(cell.commune)
        elif stage == Stage.TRAINED:
            recent = [c for c in self.calendar.completed(cell.commune) if c.certificates_on >= today - T(400)]  # type: ignore[operator]
            if not recent:
                return None
            party_class = rng.choice(recent)
        if party_class is not None:
            proposed = party_class.starts_on - T(rng.randint(10, 150))
        else:
            proposed = today - T(rng.randint(1, 240))
        if proposed <= cell.unit.founded_on:
            return None
        chain = self._person(stage, cell, proposed, submitted, vote)
        chain.party_class = party_class
        chain.entries.append((Stage.SOURCE, proposed))
        if party_class is not None:
            chain.entries.append((Stage.TRAINING, party_class.starts_on))
            if party_class.certificates_on is not None:
                chain.entries.append((Stage.TRAINED, party_class.certificates_on))
        if late:
            assert submitted is not None and application is not None and history is not None
            chain.application, chain.history, chain.submitted = application, history, submitted
            chain.verified = history + T(rng.randint(5, 9))
            if not self._introducers(chain, application):
                return None
            chain.entries.append((Stage.DOSSIER, submitted))
        if vote is not None:
            full = sum(1 for r in cell.full if r.recognised and r.recognised <= vote and r.joined <= vote)
            if full < 3:
                return None
            absent = rng.randint(1, 2) if full >= 12 and rng.random() < 0.25 else 0
            base = full - absent
            votes = base if rng.random() < 0.75 else rng.randint(required_votes(base), base)
            chain.vote = (vote, votes, full, absent)
            chain.entries.append((Stage.CELL_RESOLUTION, vote))
        if approval is not None:
            size = rng.randint(5, 11)
            chain.approval = (approval, max(size - rng.choice((0, 0, 0, 1, 2)), required_votes(size)), size)
            chain.entries.append((Stage.COMMITTEE_REVIEW, approval))
        if decided is not None:
            chain.decided, chain.received = decided, min(decided + T(rng.randint(1, 5)), today)
            chain.entries.append((Stage.DECIDED, decided))
        return chain

    def _person(self, stage, cell: CellFacts, proposed, submitted, vote) -> Chain:
        rng = self.rng
        profile = PROFILES[cell.unit.kind]
        age = min(18 + int(rng.gammavariate(2.0, 4.0)), 45)
        born = add_years(proposed, -age) - T(rng.randint(1, 364))
        checked = [d for d in (submitted, vote) if d is not None] or [self.today]
        youth = any(is_youth_age(born, d) for d in checked)
        gender = Gender.FEMALE if rng.random() < profile.female_share else Gender.MALE
        assert cell.unit.place is not None
        person = self.people.person(kind=cell.unit.kind, commune=cell.unit.place, born=born, gender=gender)
        person.is_youth_union_member = youth
        person.general_education = GeneralEducation.UPPER_SECONDARY
        if youth:
            body = IntroducingBody.YOUTH_UNION
        else:
            body = rng.choice(
                (IntroducingBody.CELL, IntroducingBody.FATHERLAND_FRONT)
                + ((IntroducingBody.WOMEN_UNION,) if gender == Gender.FEMALE else (IntroducingBody.VETERANS,))
            )
        helpers = [r for r in cell.full if r.joined <= proposed] or cell.full
        return Chain(cell, stage, person, proposed, body, rng.choice(helpers), youth)

    def _introducers(self, chain: Chain, application: datetime.date) -> bool:
        """Full members of the cell known for 13 months or more: one beside the Youth Union, else two."""
        rng = self.rng
        introduced = application + T(rng.randint(0, 5))
        long_enough = add_months(introduced, -13)
        pool = [r for r in chain.cell.full if r.joined <= long_enough and r.recognised and r.recognised <= introduced]
        needed = 1 if chain.youth else 2
        if len(pool) < needed:
            return False
        for roll in rng.sample(pool, needed):
            known = max(add_months(introduced, -rng.randint(13, 96)), roll.joined)
            chain.introducers.append((roll, known, introduced))
        return True


def plan_pipeline(
    plan: Plan, *, rng: random.Random, people: PersonFactory, today: datetime.date
) -> tuple[Calendar, list[Chain]]:
    facts = cell_facts(plan)
    communes = sorted({f.commune.index: f.commune for f in facts}.values(), key=lambda u: u.index)
    calendar = Calendar(communes, rng, today)
    planner = PipelinePlanner(rng=rng, people=people, today=today, calendar=calendar)
    with_committee = [f for f in facts if f.committee is not None]
    total = max(len(OPEN_STAGES) * 3, round(len(plan.rolls) * CANDIDATES_PER_ROLL))
    chains = []
    for stage, share in STAGE_SHARES.items():
        cells = with_committee if stage == Stage.COMMITTEE_REVIEW else facts
        for _ in range(max(2, round(total * share))):
            for _attempt in range(ATTEMPTS):
                chain = planner.chain(stage, rng.choice(cells))
                if chain is not None:
                    chains.append(chain)
                    break
    return calendar, chains


def write_pipeline(calendar: Calendar, chains: list[Chain]) -> dict[str, int]:
    used = [c for c in calendar.all() if any(ch.party_class is c for ch in chains)] if chains else []
    classes = []
    for c in used:
        assert c.commune.place is not None and c.commune.pk is not None
        c.row = PartyClass(
            organiser_id=c.commune.pk,
            name=f"Lớp bồi dưỡng nhận thức về Đảng khóa {c.number} năm {c.starts_on.year}",
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            place=f"Hội trường Đảng ủy {c.commune.place.title}",
        )
        classes.append(c.row)
    bulk.write(classes, PartyClass, reason=HISTORY_REASON)
    persons = [ch.person for ch in chains]
    bulk.write(persons, Person, reason=HISTORY_REASON)
    candidates = [
        Candidate(
            person_id=ch.person.pk,
            cell_id=ch.cell.unit.pk,
            stage=ch.entries[-1][0],
            stage_entered_on=ch.entries[-1][1],
            introduced_by=ch.introduced_by,
            helper_id=ch.helper.pk if ch.helper else None,
            proposed_on=ch.proposed,
        )
        for ch in chains
    ]
    bulk.write(candidates, Candidate, reason=HISTORY_REASON)
    enrolments, dossiers, votes, approvals, decisions, entries = [], [], [], [], [], []
    numbers: dict[int, int] = {}
    for ch, candidate in zip(chains, candidates, strict=True):
        entries += [StageEntry(candidate_id=candidate.pk, stage=s, entered_on=d) for s, d in ch.entries]
        c = ch.party_class
        if c is not None:
            assert c.row is not None
            passed = c.certificates_on is not None
            number = ""
            if passed:
                c.issued += 1
                number = f"{c.issued:03d}/{c.starts_on.year}/CN-NTVĐ-{c.commune.code}"
            enrolments.append(
                Enrolment(
                    party_class_id=c.row.pk,
                    candidate_id=candidate.pk,
                    passed=True if passed else None,
                    certificate_number=number,
                    certificate_issued_on=c.certificates_on,
                )
            )
        if ch.submitted is not None:
            assert ch.application is not None and ch.history is not None
            dossiers.append(
                Dossier(
                    candidate_id=candidate.pk,
                    application_date=ch.application,
                    personal_history_date=ch.history,
                    verification_completed_on=ch.verified,
                    route=IntroductionRoute.YOUTH_UNION if ch.youth else IntroductionRoute.MEMBERS,
                    body_introduction_date=ch.introducers[0][2] if ch.youth else None,
                    submitted_on=ch.submitted,
                    youth_union_exists=True,
                )
            )
        if ch.vote is not None:
            held, votes_for, full, absent = ch.vote
            votes.append(
                CellVote(
                    candidate_id=candidate.pk,
                    held_on=held,
                    votes_for=votes_for,
                    full_members=full,
                    absent_exempt=absent,
                )
            )
        if ch.approval is not None:
            assert ch.cell.committee is not None
            held, votes_for, size = ch.approval
            approvals.append(
                CommitteeApproval(
                    candidate_id=candidate.pk,
                    committee_id=ch.cell.committee.pk,
                    held_on=held,
                    votes_for=votes_for,
                    committee_members=size,
                )
            )
        if ch.decided is not None:
            assert ch.received is not None
            commune = ch.cell.commune
            numbers[commune.index] = numbers.get(commune.index, 0) + 1
            decisions.append(
                AdmissionDecision(
                    candidate_id=candidate.pk,
                    number=f"{numbers[commune.index]:03d}-QĐ/ĐU",
                    decided_on=ch.decided,
                    received_on=ch.received,
                    issuing_committee_id=commune.pk,
                )
            )
    bulk.write(enrolments, Enrolment, reason=HISTORY_REASON)
    bulk.write(dossiers, Dossier, reason=HISTORY_REASON)
    by_candidate = {d.candidate_id: d for d in dossiers}
    introducers = [
        Introducer(dossier_id=by_candidate[cand.pk].pk, member_id=roll.pk, known_since=known, introduced_on=on)
        for ch, cand in zip(chains, candidates, strict=True)
        for roll, known, on in ch.introducers
    ]
    bulk.write(introducers, Introducer, reason=HISTORY_REASON)
    bulk.write(votes, CellVote, reason=HISTORY_REASON)
    bulk.write(approvals, CommitteeApproval, reason=HISTORY_REASON)
    bulk.write(decisions, AdmissionDecision, reason=HISTORY_REASON)
    bulk.write(entries, StageEntry, reason=HISTORY_REASON)
    return {
        "classes": len(classes),
        "candidates": len(candidates),
        "enrolments": len(enrolments),
        "dossiers": len(dossiers),
        "stage_entries": len(entries),
    }


def build_pipeline(
    plan: Plan,
    *,
    rng: random.Random,
    people: PersonFactory,
    today: datetime.date,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    calendar, chains = plan_pipeline(plan, rng=rng, people=people, today=today)
    progress(f"  … {len(chains)} quần chúng ưu tú đã lập kế hoạch, đang ghi")
    return write_pipeline(calendar, chains)
