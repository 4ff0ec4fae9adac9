"""The cast (tests/cast.py) with a month to report: admissions in October 2026, a quota, candidates.

EDITION is the November 2026 digest: sent on Monday 2 November, it reports on October 2026.
"""

import datetime

from django.db import transaction

from members.models import Member, MemberMovement, Person
from members.vocabulary import MemberStatus, MovementKind
from reports.progress import periods
from tests.cast import add_recruitment
from tests.reports.builders import quota

EDITION = datetime.date(2026, 11, 1)
SEND_DAY = datetime.date(2026, 11, 2)


def admit_named(cell, full_name: str, day: datetime.date) -> Member:
    person = Person.objects.create(full_name=full_name, gender="female", date_of_birth=datetime.date(1998, 3, 3))
    member = Member.objects.create(
        person=person, cell=cell, status=MemberStatus.PROBATIONARY, admission_decision_date=day
    )
    MemberMovement.objects.create(member=member, kind=MovementKind.ADMITTED, date=day, organisation=cell)
    return member


def give_emails(cast) -> None:
    for username, user in cast.users().items():
        user.email = f"{username}@example.vn"
        user.save(update_fields=["email"])


def build_world(cast):
    recruitment = add_recruitment(cast)
    admitted = {
        key: admit_named(cell, f"Người Kết Nạp {key}", datetime.date(2026, 10, 10 + i))
        for i, (key, cell) in enumerate((("A", cast.cell_a), ("B", cast.cell_b), ("C", cast.cell_c)))
    }
    # Outside the reported month: never listed.
    admit_named(cast.cell_a, "Người Tháng Chín", datetime.date(2026, 9, 30))
    admit_named(cast.cell_a, "Người Tháng Mười Một", datetime.date(2026, 11, 1))
    quota(cast.commune_x, periods.year(2026), 5)
    give_emails(cast)
    return recruitment, admitted


def run_job(django_capture_on_commit_callbacks, edition=EDITION, **kwargs):
    """Start the job as beat would and run the queued chunks (eager Celery) once the rows commit."""
    from reports.digest.tasks import send_monthly_digest

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return send_monthly_digest.apply(kwargs={"month": edition.isoformat(), **kwargs}).get()
