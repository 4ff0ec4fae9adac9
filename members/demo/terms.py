"""The demo's terms (nhiệm kỳ): congresses on their own dates, not all on the 1 July default.

The old district and its communes held their 2020 congresses from spring to autumn 2020, one in
October; their 2020-2025 term ended when the reorganisation merged them on 1/7/2025. The new commune
made that day starts its 2025-2030 term on its founding date. Among the communes the reorganisation
did not touch, every third from the second held its 2020 congress in October and starts its
2025-2030 term on 1/7/2025 with the others. The rest record nothing and use the default (1 July).
No random draw is taken here, so the rest of a build is the same with or without it.
"""

import datetime

from ..models import Organisation, OrganisationTerm

D = datetime.date
OLD_CONGRESSES = (D(2020, 5, 15), D(2020, 8, 20), D(2020, 10, 1))
DISTRICT_CONGRESS = D(2020, 9, 10)
OCTOBER_CONGRESS = D(2020, 10, 1)


def record_terms(*, district: Organisation, old_communes: list[Organisation], new_commune: Organisation, communes):
    """The OrganisationTerm rows of the demo (run after the reorganisation, inside the build's transaction)."""
    rows = [OrganisationTerm(organisation=district, first_year=2020, start=DISTRICT_CONGRESS, end=D(2025, 6, 30))]
    rows += [
        OrganisationTerm(organisation=commune, first_year=2020, start=congress, end=D(2025, 6, 30))
        for commune, congress in zip(old_communes, OLD_CONGRESSES, strict=False)
    ]
    start = new_commune.founded_on or D(2025, 7, 1)
    rows.append(OrganisationTerm(organisation=new_commune, first_year=2025, start=start, end=D(2030, 6, 30)))
    for index, commune in enumerate(communes):
        if index % 3 == 1:
            rows.append(
                OrganisationTerm(organisation=commune, first_year=2020, start=OCTOBER_CONGRESS, end=D(2025, 6, 30))
            )
            rows.append(
                OrganisationTerm(organisation=commune, first_year=2025, start=D(2025, 7, 1), end=D(2030, 6, 30))
            )
    for row in rows:
        row.save()  # one by one, so that each has its history row
    return rows
