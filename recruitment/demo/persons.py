"""Who the candidates are: mostly young people proposed by the Youth Union, some older ones
proposed by the unions of their workplace or village, each drawn for their cell's sector.

The personal record itself comes from the members' `PersonFactory` (names, peoples, religions,
education and IDs plausible for the cell and the commune); this module chooses the age, the
gender and the introducing body, and makes the record agree with them.
"""

import datetime
import random

from members.demo.dates import add_years
from members.demo.people import PROFILES, Ages, PersonFactory
from members.demo.place_names import CommuneKind
from members.models import Person
from members.vocabulary import Gender, GeneralEducation, Sector

from ..rules import add_months
from ..vocabulary import IntroducingBody as Body
from .cells import CellFacts

# Age at the proposal: youngest and mean years above it, as `members.demo.rolls` draws ages at
# admission; the reports put most new members under 30.
_AGES = {Ages.RESIDENTIAL: (18, 6.5), Ages.WORKING: (22, 5.0), Ages.ARMED: (19, 3.0)}
# The share proposed older, by the unions of adults (veterans, farmers, women, trade union).
OLDER_SHARE = 0.10
OLDER_AGES = (31, 55)
WORKPLACE_SECTORS = {
    Sector.AGENCY,
    Sector.PUBLIC_SERVICE,
    Sector.STATE_ENTERPRISE,
    Sector.NON_STATE_ENTERPRISE,
    Sector.ARMED_FORCES,
}
# Outstanding young people are proposed by the Youth Union; a few by the cell itself or another body.
_YOUNG_BODIES = {Body.YOUTH_UNION: 84, Body.CELL: 8, Body.WOMEN_UNION: 4, Body.FARMERS_UNION: 2, Body.TRADE_UNION: 2}
_OLDER_BODIES = {
    Body.TRADE_UNION: 30,
    Body.FARMERS_UNION: 25,
    Body.WOMEN_UNION: 20,
    Body.VETERANS: 12,
    Body.CELL: 10,
    Body.FATHERLAND_FRONT: 3,
}


def draw_body(rng: random.Random, cell: CellFacts, *, young: bool) -> str:
    """The introducing body, among those a cell of this sector has around it."""
    weights = dict(_YOUNG_BODIES if young else _OLDER_BODIES)
    if cell.sector not in WORKPLACE_SECTORS:
        weights.pop(Body.TRADE_UNION, None)
    if not cell.residential:
        weights.pop(Body.FARMERS_UNION, None)
    if cell.sector == Sector.ARMED_FORCES:
        weights.pop(Body.WOMEN_UNION, None)
    if not cell.youth_union_exists:
        weights[Body.TRADE_UNION] = weights.pop(Body.YOUTH_UNION, 0) + weights.get(Body.TRADE_UNION, 0)
    bodies = sorted(weights)
    return rng.choices(bodies, weights=[weights[b] for b in bodies])[0]


def draw_age(rng: random.Random, cell: CellFacts, *, older: bool) -> int:
    if older:
        return rng.randint(*OLDER_AGES)
    youngest, mean_above = _AGES[PROFILES[cell.kind].ages]
    age = youngest + round(rng.gammavariate(2.0, mean_above / 2))
    # The long tail of the young is cut at 35; the older are drawn above (OLDER_AGES).
    return age if age <= 35 else rng.randint(youngest + 3, 35)


def draw_gender(rng: random.Random, cell: CellFacts, body: str) -> str:
    if body == Body.WOMEN_UNION:
        return Gender.FEMALE
    if body == Body.VETERANS:
        return Gender.MALE
    # New members are more often women than the older rolls: about two in five in the reports.
    share = PROFILES[cell.kind].female_share
    share = share if cell.sector == Sector.ARMED_FORCES else min(0.9, max(share, 0.42))
    return Gender.FEMALE if rng.random() < share else Gender.MALE


def birth_for(rng: random.Random, age: int, on: datetime.date) -> datetime.date:
    """A birthday giving exactly `age` full years on `on`."""
    return add_years(on, -age) - datetime.timedelta(days=rng.randint(1, 360))


def birth_over_sixty(rng: random.Random, vote_on: datetime.date) -> datetime.date:
    """A veteran a few months past 60 at the cell vote (rule 1 then needs the province's consent)."""
    return add_months(vote_on, -(60 * 12 + rng.randint(2, 7))) - datetime.timedelta(days=rng.randint(0, 20))


def draw_person(
    people: PersonFactory,
    cell: CellFacts,
    *,
    born: datetime.date,
    gender: str,
    youth_union_member: bool,
    pupil: bool = False,
    primary_schooling: bool = False,
) -> Person:
    """An unsaved personal record for the candidate, consistent with the plan's choices.

    `pupil`: a final-year pupil of 18 in a high-school cell; `primary_schooling`: an upland
    villager who left school after primary (rule 2's hardship case).
    """
    person = people.person(kind=cell.kind, commune=cell.place, born=born, gender=gender, pupil=pupil)
    person.is_youth_union_member = youth_union_member
    if primary_schooling:
        person.general_education = GeneralEducation.PRIMARY
    elif person.general_education == GeneralEducation.PRIMARY:
        # Young people nearly all finish lower secondary; primary only in the hardship case.
        person.general_education = GeneralEducation.LOWER_SECONDARY
    return person


def hardship_allowed(cell: CellFacts) -> bool:
    return cell.residential and cell.place.kind == CommuneKind.UPLAND
