"""The candidates sheet in bulk: every row checked in memory by the services' own rules, then written in batches.

The per-row path (`candidates.apply_candidate`) walks each candidate through `recruitment.services`, a
savepoint, a lock, a re-read and a history row per step: about 18 ms a row. Here a new person's row (a
citizen ID on nobody's record, the common case of a first import) is walked in memory instead: the same
checks in the same order (the model's `full_clean`, each step's stage and input checks, and the rule
findings through the functions the services themselves call: `dossier_findings`, `cell_vote_findings`,
`committee_findings`, `decision_findings`, `ceremony_findings`, `recognition_findings`), and the records
each step would leave, with one history row per save the services make, by the same authors. Then
everything is written in batches of multi-row INSERTs (inserts.py), records and history rows alike.

A row this path does not accept as it stands goes through the per-row path, which then says exactly
why (or writes it, when it is one this path leaves to the services: a person already on record, a row
without a citizen ID, a striking off). So the messages, the scoping answers and the written records
are the services' own; this path only decides faster that a row is clean. It must never accept a row
the services would refuse: every check below refuses (falls back) at least where the service does.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from members.models import Member, MemberMovement, Organisation, Person
from members.structure import deciding_committee_of, grassroots_committee_of
from members.vocabulary import INCOMING_MOVEMENTS, MemberStatus, MovementKind
from partyhub.figures import figures_changed
from recruitment import rules
from recruitment import services as steps
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    Enrolment,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    StageEntry,
)
from recruitment.rules import IntroductionRoute
from recruitment.services.ceremony import ceremony_findings
from recruitment.services.decision import decision_findings
from recruitment.services.dossier import dossier_findings
from recruitment.services.probation import recognition_findings
from recruitment.services.records import local_today, open_findings, timeline_dates
from recruitment.services.refusals import refuse_if_blocked
from recruitment.services.training import certificate_findings, enrolment_findings
from recruitment.services.votes import cell_vote_findings, committee_findings
from recruitment.vocabulary import EXITS, EXITS_FROM, Stage

from ...audit.authors import current as current_author
from .. import cells
from ..columns import CANDIDATES
from . import checks, inserts
from .build import build
from .candidates import absent_references
from .context import Context, RowRefused, person_fields, person_key

# The introduction routes a dossier may name (`IntroductionRoute.values`, listed once).
ROUTES = frozenset(IntroductionRoute.values)

# Rows per INSERT, and values per `IN (...)` lookup (SQLite's old limit is 999 variables).
BATCH = 1000
CHUNK = 900


class Fallback(Exception):
    """This row is left to the per-row path (which refuses it with the services' message, or writes it)."""


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MemberLookup:
    """`context.member_by_reference` for many references at once: by citizen ID, else party card number,
    among the members the uploader sees (the first by primary key, as the per-row lookup)."""

    def __init__(self, ctx: Context, references: Iterable[str]):
        texts = sorted({self.normal(t) for t in references if t})
        self.by_id: dict[str, Member] = {}
        self.by_card: dict[str, Member] = {}
        members = Member.objects.select_related("person", "cell").filter(ctx.visible_q("cell__path")).order_by("pk")
        for part in chunks(texts):
            wanted = set(part)
            for member in members.filter(Q(person__citizen_id__in=part) | Q(card_number__in=part)):
                if member.person.citizen_id in wanted:
                    self.by_id.setdefault(member.person.citizen_id, member)
                if member.card_number in wanted:
                    self.by_card.setdefault(member.card_number, member)

    @staticmethod
    def normal(text: str) -> str:
        return cells.normal_text(text).replace(" ", "")

    def get(self, text: str) -> Member:
        text = self.normal(text)
        member = self.by_id.get(text) or self.by_card.get(text)
        if member is None:
            raise Fallback  # the per-row lookup says it is not found, in its words
        return member


class MemberKeys(MemberLookup):
    """`MemberLookup` giving the member's primary key only (no records built): what a helper needs."""

    def __init__(self, ctx: Context, references: Iterable[str]):
        texts = sorted({self.normal(t) for t in references if t})
        self.by_id: dict[str, int] = {}
        self.by_card: dict[str, int] = {}
        members = Member.objects.filter(ctx.visible_q("cell__path")).order_by("pk")
        for part in chunks(texts):
            wanted = set(part)
            found = members.filter(Q(person__citizen_id__in=part) | Q(card_number__in=part))
            for pk, citizen_id, card_number in found.values_list("pk", "person__citizen_id", "card_number"):
                if citizen_id in wanted:
                    self.by_id.setdefault(citizen_id, pk)
                if card_number in wanted:
                    self.by_card.setdefault(card_number, pk)


class Snapshot:
    """A record's state at one save, for its history row: its field values (and the author and reason a
    save reads) copied at that moment, and the records it names, whose keys it takes once they are
    written (`settle`). A plain copy of the instance's attributes: `copy.copy` of a model instance
    (pickling's protocol) cost more than the rest of the walk's bookkeeping."""

    def __init__(self, record):
        values = record.__dict__.copy()
        state = values.pop("_state")
        self.__dict__.update(values)
        self._model = type(record)
        self._related = dict(state.fields_cache)

    @property
    def pk(self):
        return getattr(self, self._model._meta.pk.attname)

    def settle(self, record) -> None:
        """The keys the record and the records it names have now that everything is written."""
        pk, relations = _relations(self._model)
        setattr(self, pk, record.pk)
        for name, attname in relations:
            if name in self._related:
                related = self._related[name]
                setattr(self, attname, related.pk if related is not None else None)


_RELATIONS: dict[type, tuple[str, list[tuple[str, str]]]] = {}


def _relations(model) -> tuple[str, list[tuple[str, str]]]:
    """The model's primary key's attribute, and (name, attname) of each of its concrete relations."""
    if model not in _RELATIONS:
        meta = model._meta
        _RELATIONS[model] = (meta.pk.attname, [(f.name, f.attname) for f in meta.concrete_fields if f.is_relation])
    return _RELATIONS[model]


class Entry:
    """A `StageEntry` to write, without a model instance (nothing reads it back before it is written, and it
    has no history): the fields `StageEntry(candidate=..., stage=..., entered_on=..., note=..., created_by=...)`
    sets; `inserts.insert_plain` fills the rest as `bulk_create` would."""

    __slots__ = ("candidate", "created_by", "entered_on", "note", "stage")

    def __init__(self, candidate: Candidate, stage: str, entered_on, note: str, created_by):
        self.candidate, self.stage, self.entered_on, self.note, self.created_by = (
            candidate,
            stage,
            entered_on,
            note,
            created_by,
        )


@dataclass
class Walk:
    """One row's records as the services would leave them, and each saved state for the history."""

    row: object
    values: dict
    cell: Organisation
    person: Person
    candidate: Candidate
    # (record, its state at one save): the first save of each record is its creation ("+").
    saves: list[tuple[object, object]] = field(default_factory=list)
    entries: list["Entry"] = field(default_factory=list)
    created: list[object] = field(default_factory=list)  # records written once, in the order of their models
    enrolment: Enrolment | None = None
    dossier: Dossier | None = None
    introducers: list[Introducer] = field(default_factory=list)
    vote: CellVote | None = None
    approval: CommitteeApproval | None = None
    decision: AdmissionDecision | None = None
    ceremony: Ceremony | None = None
    member: Member | None = None

    def save(self, record) -> None:
        self.saves.append((record, Snapshot(record)))


class Walker:
    """Walks new candidates through the pipeline in memory, with what the rows need loaded at once."""

    def __init__(self, ctx: Context, rows: list, everything: list, cells: list[Organisation] = ()):
        """`cells`: the cells of `rows`, in the same order (their rolls on the vote days and their
        committees' approvals on record are read at once)."""
        self.ctx, self.by, self.today = ctx, ctx.user, local_today()
        self.members = MemberLookup(
            ctx, [v.get(f"introducer{n}") for _r, v in rows for n in ("1", "2") if v.get(f"introducer{n}")]
        )
        self.classes: dict[tuple, PartyClass | None] = {}
        # A class named with two closing dates: row by row, the first row to reach it sets the date.
        ends: dict[tuple, set] = {}
        for _r, v in everything:
            if v.get("class_name"):
                ends.setdefault((v.get("class_organiser_code"), v["class_name"], v.get("class_starts_on")), set()).add(
                    v.get("class_ends_on")
                )
        self.ambiguous = {key for key, days in ends.items() if len(days) > 1}
        names = sorted({v["class_name"] for _r, v in rows if v.get("class_name")})
        for part in chunks(names):
            for party_class in PartyClass.objects.filter(name__in=part).order_by("pk"):
                key = (party_class.organiser_id, party_class.name, party_class.starts_on)
                self.classes.setdefault(key, party_class)
        self.by_path = {org.path: org for org in ctx.orgs.values()}
        self.per_row_ran = False  # once a row went through the services, a class may have been made since
        self.ancestry: dict[int, list[Organisation]] = {}
        # Each grassroots committee's approvals on record, then those the walks add in the sheet's order:
        # the reference of `services.committee_reference` (held_on, order, committee members).
        committees = {c.pk for cell in cells for c in [grassroots_committee_of(cell, self.ancestors(cell))] if c}
        self.approvals: dict[int, list[tuple]] = {}
        for part in chunks(sorted(committees)):
            for committee_id, held_on, pk, size in CommitteeApproval.objects.filter(committee_id__in=part).values_list(
                "committee_id", "held_on", "pk", "committee_members"
            ):
                self.approvals.setdefault(committee_id, []).append((held_on, pk, size))
        self.order = 0

    def committee_reference(self, committee: Organisation, held_on) -> tuple | None:
        earlier = [a for a in self.approvals.get(committee.pk, ()) if a[0] <= held_on]
        if not earlier:
            return None
        held, _order, size = max(earlier, key=lambda a: (a[0], a[1]))
        return size, held

    def ancestors(self, cell: Organisation) -> list[Organisation]:
        if cell.pk not in self.ancestry:
            step = Organisation.steplen
            found = [self.by_path.get(cell.path[:end]) for end in range(step, len(cell.path), step)]
            if any(org is None for org in found):
                found = list(Organisation.objects.get_ancestors(cell))
            self.ancestry[cell.pk] = found
        return self.ancestry[cell.pk]

    def party_class(self, organiser: Organisation, v: dict) -> PartyClass:
        """The class the row names: one on record, else one to create (`class_create`, when the rows are
        written, in their order), checked here as that service checks it."""
        if (organiser.code, v["class_name"], v["class_starts_on"]) in self.ambiguous:
            raise Fallback
        key = (organiser.pk, v["class_name"], v["class_starts_on"])
        if key not in self.classes:
            party_class = build(
                PartyClass,
                organiser=organiser,
                name=v["class_name"],
                starts_on=v["class_starts_on"],
                ends_on=v["class_ends_on"],
            )
            try:
                if party_class.ends_on < party_class.starts_on:
                    raise ValidationError("ends_on")
                # As `full_clean()`, without asking the database whether the organiser exists: it was
                # just found among the units the uploader sees.
                checks.clean(party_class, exclude=["organiser"], today=self.today)
            except ValidationError:
                party_class = None
            self.classes[key] = party_class
        if self.classes[key] is None:
            raise Fallback
        return self.classes[key]

    def create_classes(self, walks: list["Walk"]) -> None:
        """The new classes the walks name, as `class_create` makes them (checked when named), in the
        rows' order; one a row of the per-row path has made since is taken as it is."""
        pending = list(
            {id(c): c for w in walks if w.enrolment for c in [w.enrolment.party_class] if c.pk is None}.values()
        )
        if not pending:
            return
        if self.per_row_ran:
            made: dict[tuple, PartyClass] = {}
            for part in chunks(sorted({c.name for c in pending})):
                for found in PartyClass.objects.filter(name__in=part).order_by("pk"):
                    made.setdefault((found.organiser_id, found.name, found.starts_on), found)
            for party_class in pending:
                found = made.get((party_class.organiser_id, party_class.name, party_class.starts_on))
                if found is not None:
                    party_class.pk, party_class.ends_on = found.pk, found.ends_on
                    party_class._state.adding = False
            pending = [c for c in pending if c.pk is None]
        for party_class in pending:
            party_class._history_user = self.by
        inserts.insert(PartyClass, pending)
        _history(PartyClass, pending, update=False)

    @staticmethod
    def clear(findings) -> list:
        """The findings as the step keeps them, or Fallback when one blocks (the service says which)."""
        try:
            return refuse_if_blocked(findings, {})
        except ValidationError:
            raise Fallback from None

    @staticmethod
    def dates(w: "Walk") -> dict:
        """The timeline's dates the walk has recorded so far (rule 15), as `records.timeline_on_record`."""
        return timeline_dates(
            w.candidate,
            enrolment=w.enrolment,
            dossier=w.dossier,
            introducers=w.introducers,
            vote=w.vote,
            approval=w.approval,
            decision=w.decision,
            ceremony=w.ceremony,
        )

    def move(self, w: Walk, stage: str, on, findings=(), note: str = "") -> None:
        """`records.move_to`, in memory."""
        c = w.candidate
        c.stage, c.stage_entered_on, c.returned_reason = stage, on, ""
        c.open_findings = open_findings(findings)
        c._history_user = self.by
        w.save(c)
        w.entries.append(Entry(c, stage, on, note, self.by))

    def walk(self, row, values: dict, cell: Organisation) -> Walk:
        v, by, today = values, self.by, self.today
        # candidate_propose, with a new person.
        if not cell.is_active:
            raise Fallback
        candidate = build(
            Candidate,
            cell=cell,
            stage=Stage.SOURCE,
            stage_entered_on=v["proposed_on"],
            introduced_by=v["introduced_by"],
            helper=None,
            proposed_on=v["proposed_on"],
        )
        # As the service's `full_clean(exclude=["person"])`, without asking the database whether the
        # cell exists: it was just read with the tree.
        checks.clean(candidate, exclude=["person", "cell"], today=today)
        fields = person_fields(v)
        fields["citizen_id"] = fields["citizen_id"] or None
        person = build(Person, **fields)
        # The citizen ID's uniqueness: nobody holds it (`apply_candidates` asked) and the file has it once.
        checks.clean(person, validate_unique=False, today=today)
        candidate.person = person
        candidate._history_user = by
        w = Walk(row=row, values=v, cell=cell, person=person, candidate=candidate)
        w.save(candidate)
        w.entries.append(Entry(candidate, Stage.SOURCE, v["proposed_on"], "", by))
        now = Stage.SOURCE
        party_class = None
        if v.get("class_name") and now == Stage.SOURCE:
            organiser = self.ctx.organiser(v["class_organiser_code"], "class_organiser_code", cell)
            party_class = self.party_class(organiser, v)
            # candidate_enroll_in_class
            if not cell.path.startswith(party_class.organiser.path):
                raise Fallback
            if any(f.blocks for f in enrolment_findings(candidate, party_class)):
                raise Fallback
            w.enrolment = build(Enrolment, party_class=party_class, candidate=candidate)
            w.save(w.enrolment)  # get_or_create: no author of its own
            self.move(w, Stage.TRAINING, min(party_class.starts_on, today))
            now = Stage.TRAINING
        passed = None
        if v.get("class_result") and now == Stage.TRAINING:
            # class_record_results, for one person
            passed = v["class_result"] == "passed"
            number, issued = v.get("certificate_number") or "", v.get("certificate_issued_on")
            if passed and (not number.strip() or issued is None or issued > today or issued < party_class.starts_on):
                raise Fallback
            if passed and any(f.blocks for f in certificate_findings(candidate, party_class, issued)):
                raise Fallback
            e = w.enrolment
            e.passed = passed
            e.certificate_number = number.strip() if passed else ""
            e.certificate_issued_on = issued if passed else None
            e._history_user = by
            w.save(e)
            if passed:
                self.move(w, Stage.TRAINED, issued)
                now = Stage.TRAINED
            else:
                self.move(w, Stage.SOURCE, min(party_class.ends_on, today), note=_("Chưa đạt lớp bồi dưỡng"))
                now = Stage.SOURCE
        enrolment = w.enrolment if passed else None
        if v.get("application_date") and now == Stage.TRAINED:
            now = self.dossier(w, enrolment)
        if v.get("vote_held_on") and now == Stage.DOSSIER:
            if absent_references(v):
                raise Fallback  # members named absent: the service reads and keeps them
            absent_exempt = v.get("absent_exempt") or 0
            reason = v.get("vote_base_reason") or ""
            candidate.over_age_exception = (v.get("over_age_exception") or "").strip()
            candidate.education_exception = (v.get("education_exception") or "").strip()
            findings = cell_vote_findings(
                candidate,
                w.dossier,
                enrolment,
                w.introducers,
                held_on=v["vote_held_on"],
                votes_for=v["votes_for"],
                full_members=v["full_members"],
                absent_exempt=absent_exempt,
                today=today,
                # As the per-row path: the minutes' figures as given (the movements sheet comes later).
                roll_full_members=None,
                named_absent=0,
                base_reason=reason,
            )
            findings = self.clear(findings)
            w.vote = build(
                CellVote,
                candidate=candidate,
                held_on=v["vote_held_on"],
                votes_for=v["votes_for"],
                full_members=v["full_members"],
                absent_exempt=absent_exempt,
                roll_full_members=None,
                base_reason=reason.strip(),
                created_by=by,
            )
            checks.clean(w.vote, exclude=["candidate", "created_by"], today=today)
            w.vote._history_user = by
            w.created.append(w.vote)
            self.move(w, Stage.CELL_RESOLUTION, v["vote_held_on"], findings)
            now = Stage.CELL_RESOLUTION
        committee = grassroots_committee_of(cell, self.ancestors(cell))
        if v.get("committee_held_on") and now == Stage.CELL_RESOLUTION:
            if committee is None:
                raise Fallback
            reference = self.committee_reference(committee, v["committee_held_on"])
            reason = v.get("committee_base_reason") or ""
            findings = committee_findings(
                vote_held_on=w.vote.held_on,
                held_on=v["committee_held_on"],
                votes_for=v["committee_votes_for"],
                committee_members=v["committee_members"],
                today=today,
                on_record=self.dates(w),
                reference=reference,
                base_reason=reason,
            )
            findings = self.clear(findings)
            differs = reference is not None and reference[0] != v["committee_members"]
            w.approval = build(
                CommitteeApproval,
                candidate=candidate,
                committee=committee,
                held_on=v["committee_held_on"],
                votes_for=v["committee_votes_for"],
                committee_members=v["committee_members"],
                reference_committee_members=reference[0] if reference else None,
                base_reason=reason.strip() if differs else "",
                created_by=by,
            )
            w.created.append(w.approval)
            self.order += 1
            # After every approval on record (their keys are smaller than any the sheet's rows get).
            self.approvals.setdefault(committee.pk, []).append(
                (v["committee_held_on"], 10**12 + self.order, v["committee_members"])
            )
            self.move(w, Stage.COMMITTEE_REVIEW, v["committee_held_on"], findings)
            now = Stage.COMMITTEE_REVIEW
        if v.get("decided_on") and now in (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW):
            if now != (Stage.COMMITTEE_REVIEW if committee is not None else Stage.CELL_RESOLUTION):
                raise Fallback
            number = v["decision_number"] or ""
            if not number.strip():
                raise Fallback
            extended = bool(v.get("decision_extended"))
            findings = decision_findings(
                vote_held_on=w.vote.held_on,
                approval_held_on=w.approval.held_on if committee is not None else None,
                decided_on=v["decided_on"],
                received_on=v["decision_received_on"],
                extended=extended,
                today=today,
                on_record=self.dates(w),
            )
            findings = self.clear(findings)
            w.decision = build(
                AdmissionDecision,
                candidate=candidate,
                number=number.strip(),
                decided_on=v["decided_on"],
                received_on=v["decision_received_on"],
                issuing_committee=deciding_committee_of(cell, self.ancestors(cell)),
                extended=extended,
                created_by=by,
            )
            w.created.append(w.decision)
            self.move(w, Stage.DECIDED, v["decided_on"], findings)
            now = Stage.DECIDED
        if v.get("ceremony_on") and now == Stage.DECIDED:
            consent = v.get("superior_consent") or ""
            findings = self.clear(
                ceremony_findings(
                    w.decision,
                    held_on=v["ceremony_on"],
                    superior_consent=consent,
                    today=today,
                    on_record=self.dates(w),
                )
            )
            w.ceremony = build(
                Ceremony, candidate=candidate, held_on=v["ceremony_on"], superior_consent=consent, created_by=by
            )
            w.created.append(w.ceremony)
            member = build(
                Member,
                person=person,
                cell=cell,
                status=MemberStatus.PROBATIONARY,
                admission_decision_date=w.decision.decided_on,
                ceremony_date=v["ceremony_on"],
            )
            member._history_user = by
            w.member = member
            w.save(member)
            w.created.append(
                build(
                    MemberMovement,
                    member=member,
                    kind=MovementKind.ADMITTED,
                    date=w.decision.decided_on,
                    organisation=cell,
                )
            )
            candidate.member = member
            self.move(w, Stage.PROBATIONARY, v["ceremony_on"], findings)
            now = Stage.PROBATIONARY
        member = w.member if now in (Stage.PROBATIONARY, Stage.FULL) else None
        if member is not None and v.get("card_number") and member.card_number != v["card_number"]:
            member.card_number = v["card_number"]
            member._history_user = by
            w.save(member)
        if v.get("recognition_meeting_on") and now == Stage.PROBATIONARY:
            number = v["recognition_number"] or ""
            if not number.strip():
                raise Fallback
            meeting_on = v["recognition_meeting_on"]
            findings = self.clear(
                recognition_findings(
                    ceremony_held_on=w.ceremony.held_on, meeting_on=meeting_on, today=today, on_record=self.dates(w)
                )
            )
            effective = rules.full_member_effective_date(w.ceremony.held_on)
            w.created.append(
                build(
                    Recognition,
                    candidate=candidate,
                    meeting_on=meeting_on,
                    decision_number=number.strip(),
                    effective_on=effective,
                    created_by=by,
                )
            )
            member.status, member.recognition_date = MemberStatus.FULL, effective
            member._history_user = by
            w.save(member)
            self.move(w, Stage.FULL, meeting_on, findings)
            now = Stage.FULL
        if v["stage"] in EXITS and now not in EXITS:
            kind, on, reason = v["stage"], v.get("exit_on"), v.get("exit_reason") or ""
            if (
                kind not in EXITS_FROM.get(candidate.stage, ())
                or kind == Stage.STRUCK_OFF  # also ends the membership: left to the service
                or not reason.strip()
                or on is None
                or on > today
                or on < candidate.stage_entered_on
            ):
                raise Fallback
            w.created.append(
                build(
                    Exit,
                    candidate=candidate,
                    kind=kind,
                    on=on,
                    from_stage=candidate.stage,
                    reason=reason.strip(),
                    created_by=by,
                )
            )
            self.move(w, kind, on, note=reason.strip())
        if candidate.stage != v["stage"]:
            raise Fallback  # the per-row path names the stage the steps reached
        return w

    def dossier(self, w: Walk, enrolment) -> str:
        """candidate_submit_dossier, in memory."""
        v, candidate = w.values, w.candidate
        introducers = [
            steps.IntroducerInput(
                member=self.members.get(v[f"introducer{n}"]),
                known_since=v[f"introducer{n}_known_since"],
                introduced_on=v[f"introducer{n}_on"],
                is_replacement=bool(v.get(f"introducer{n}_replacement")),
            )
            for n in ("1", "2")
            if v.get(f"introducer{n}")
        ]
        if v["route"] not in ROUTES:
            raise Fallback
        dossier = build(
            Dossier,
            candidate=candidate,
            application_date=v["application_date"],
            personal_history_date=v["personal_history_date"],
            route=v["route"],
            youth_union_exists=v.get("youth_union_exists") is not False,
            body_introduction_date=v.get("body_introduction_date"),
            verification_completed_on=v.get("verification_completed_on"),
            opinions_date=v.get("opinions_date"),
            submitted_on=v["submitted_on"],
        )
        checks.clean(dossier, exclude=["candidate"], today=self.today)
        if any(not i.member.is_active for i in introducers):
            raise Fallback
        findings = self.clear(dossier_findings(candidate, dossier, introducers, today=self.today, enrolment=enrolment))
        w.dossier = dossier
        w.save(dossier)
        w.introducers = [
            build(
                Introducer,
                dossier=dossier,
                member=i.member,
                known_since=i.known_since,
                introduced_on=i.introduced_on,
                is_replacement=i.is_replacement,
            )
            for i in introducers
        ]
        self.move(w, Stage.DOSSIER, v["submitted_on"], findings)
        return Stage.DOSSIER


def apply_candidates(ctx: Context, rows: list, result, tick: Callable[[], None], apply_one) -> None:
    """Apply the candidates sheet's validated rows: the clean new ones in bulk, the others one by one
    (`apply_one(row, values)`, the per-row path), with the same outcome as all of them one by one."""
    if not rows:
        return
    counts = result.counts[CANDIDATES.title]
    # Who the file names is claimed in the sheet's order, as row by row: the first row of a person
    # claims them (once its cell is found), a later one is a duplicate.
    taken: set[str] = set()
    ids = sorted({v["citizen_id"] for _r, v in rows if v.get("citizen_id")})
    for part in chunks(ids):
        taken.update(Person.objects.filter(citizen_id__in=part).values_list("citizen_id", flat=True))
    claimed: dict[int, tuple] = {}
    candidates_rows, later = [], []
    for row, values in rows:
        try:
            cell = ctx.cell(values["cell_code"], "cell_code")
        except RowRefused:
            later.append((row, values))
            continue
        key = person_key(values)
        if key in ctx.seen:
            later.append((row, values))
            continue
        ctx.seen[key] = f"dòng {row.number} trang “{CANDIDATES.title}”"
        claimed[row.number] = key
        if not values.get("citizen_id") or values["citizen_id"] in taken:
            later.append((row, values))  # a person on record (or found by name): the per-row path matches them
        else:
            candidates_rows.append((row, values, cell))

    walker = Walker(ctx, [(r, v) for r, v, _c in candidates_rows], rows, [c for _r, _v, c in candidates_rows])
    walks: dict[int, Walk] = {}
    for row, values, cell in candidates_rows:
        try:
            walks[row.number] = walker.walk(row, values, cell)
        except (Fallback, RowRefused, ValidationError):
            later.append((row, values))
    # Written in the sheet's order: the clean rows between two rows of the per-row path in one go.
    left = {row.number: (row, values) for row, values in later}
    run: list[Walk] = []
    for number in sorted([*walks, *left]):
        if number in walks:
            run.append(walks[number])
            continue
        _write_run(ctx, walker, run, counts, tick)
        run = []
        row, values = left[number]
        walker.per_row_ran = True
        # The row claims its person again, as it would have in its turn.
        if number in claimed:
            ctx.seen.pop(claimed[number], None)
        apply_one(row, values)
        tick()
    _write_run(ctx, walker, run, counts, tick)


def _write_run(ctx: Context, walker: Walker, walks: list[Walk], counts, tick) -> None:
    if not walks:
        return
    walker.create_classes(walks)
    write(walks)
    for w in walks:
        if w.values.get("helper"):
            ctx.helpers[w.candidate.pk] = (w.row.number, w.values["helper"])
            ctx.written[w.candidate.pk] = w.candidate
        counts.created += 1
        tick()
    figures_changed(*{w.cell.pk: w.cell for w in walks}.values())


def _history(model, states: list, update: bool) -> None:
    if states:
        # The author and reason a save would get inside `history_author` (an import run: the uploader
        # and the run, reports/audit/authors.py); else the author the record names, and no reason, as a
        # save leaves none (bulk_history_create's default is "").
        author = current_author()
        inserts.insert_history(
            model,
            states,
            update=update,
            default_user=author.user if author else None,
            default_reason=author.reason if author else None,
        )


def write(walks: list[Walk]) -> None:
    """Everything the walks recorded, by model in the order of their keys, with the history of each save."""
    if not walks:
        return
    inserts.insert(Person, [w.person for w in walks])
    _history(Person, [w.person for w in walks], update=False)
    inserts.insert(Member, [w.member for w in walks if w.member is not None])
    inserts.insert(Candidate, [w.candidate for w in walks])
    inserts.insert(Enrolment, [w.enrolment for w in walks if w.enrolment is not None])
    inserts.insert(Dossier, [w.dossier for w in walks if w.dossier is not None])
    inserts.insert(Introducer, [i for w in walks for i in w.introducers])
    by_model: dict[type, list] = {}
    for w in walks:
        for record in w.created:
            by_model.setdefault(type(record), []).append(record)
    for model, records in by_model.items():
        inserts.insert(model, records)
        _history(model, records, update=False)
    inserts.insert_plain(StageEntry, [e for w in walks for e in w.entries])
    # One history row per save, each with the record as it was then: the first save created it.
    first: dict[type, list] = {}
    later: dict[type, list] = {}
    seen: set[int] = set()
    for w in walks:
        for record, state in w.saves:
            state.settle(record)
            (later if id(record) in seen else first).setdefault(type(record), []).append(state)
            seen.add(id(record))
    for model, states in first.items():
        _history(model, states, update=False)
    for model, states in later.items():
        _history(model, states, update=True)


def attach_helpers(ctx: Context, fallback: Callable[[int, tuple[int, str]], None]) -> None:
    """`candidates.attach_helper` for every candidate of the import at once; a helper who does not pass
    is left to `fallback(candidate_pk, (row, reference))`, the per-row check, which says why."""
    if not ctx.helpers:
        return
    members = MemberKeys(ctx, [reference for _number, reference in ctx.helpers.values()])
    # The candidates this path wrote are at hand as written (nothing has changed them since: a later row
    # naming the same person is refused as a duplicate); those of the per-row path are read.
    candidates: dict[int, Candidate] = {pk: ctx.written[pk] for pk in ctx.helpers if pk in ctx.written}
    for part in chunks([pk for pk in ctx.helpers if pk not in candidates]):
        candidates.update(Candidate.objects.select_related("cell").in_bulk(part))
    helper_of = {}
    for pk, (_number, reference) in ctx.helpers.items():
        try:
            helper_of[pk] = members.get(reference)
        except Fallback:
            helper_of[pk] = None
    # Each helper's movements, to find where they were on each proposal day.
    movements: dict[int, list[tuple]] = {}
    member_ids = sorted({pk for pk in helper_of.values() if pk is not None})
    for part in chunks(member_ids):
        for member_id, day, pk, kind, org_id in MemberMovement.objects.filter(member_id__in=part).values_list(
            "member_id", "date", "pk", "kind", "organisation_id"
        ):
            movements.setdefault(member_id, []).append((day, pk, kind, org_id))
    attached = []
    for pk, (number, reference) in ctx.helpers.items():
        candidate, helper = candidates[pk], helper_of[pk]
        if helper is not None:
            before = [m for m in movements.get(helper, []) if m[0] <= candidate.proposed_on]
            last = max(before, default=None)
            if last is not None and last[2] in INCOMING_MOVEMENTS and last[3] == candidate.cell_id:
                candidate.helper_id = helper  # its key: the cached record (none) is dropped with it
                candidate._history_user = ctx.user
                attached.append(candidate)
                continue
        fallback(pk, (number, reference))
    # One statement run for every candidate (executemany: prepared once, a row of parameters each).
    inserts.set_column(Candidate, "helper", [(c.pk, c.helper_id) for c in attached])
    _history(Candidate, attached, update=True)
