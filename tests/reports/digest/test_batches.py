"""A batch of digests costs a fixed number of queries and one SMTP connection, whatever its size."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member
from members.vocabulary import Level, Role
from reports.digest import delivery
from reports.digest.content import build_sections
from reports.models import DigestDelivery, DigestStatus, ProgressSnapshot
from reports.progress import periods
from tests.factories import UserFactory, grant
from tests.reports.builders import admit, org, quota, spread

pytestmark = pytest.mark.django_db
EDITION = datetime.date(2026, 11, 1)


def commune_of_cells(province, cells: int) -> list:
    """A commune whose every cell has a secretary with an address and an admission in October."""
    commune = org(Level.COMMUNE, province)
    quota(commune, periods.year(2026), 2 * cells)
    units = []
    for _ in range(cells):
        cell = org(Level.CELL, commune)
        grant(UserFactory(email=f"cell{cell.pk}@example.vn"), cell, Role.CELL_SECRETARY)
        admit(cell, spread(1, datetime.date(2026, 10, 5), datetime.date(2026, 10, 25)))
        units.append(cell)
    secretary = UserFactory(email=f"commune{commune.pk}@example.vn")
    grant(secretary, commune, Role.COMMITTEE_SECRETARY)
    return [commune, *units]


def plan_for(units) -> list[int]:
    ids = delivery.deliveries_plan(EDITION)
    mine = set(
        DigestDelivery.objects.filter(pk__in=ids, user__roles__organisation__in=units).values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in mine]


def names(member, text: str) -> bool:
    return re.search(rf"{re.escape(member.person.full_name)}(?!\d)", text) is not None


def queries_to_deliver(ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        counts = delivery.deliver_chunk(ids, worker="w", batch_size=100)
    assert counts == {delivery.Outcome.SENT: len(ids)}
    return len(captured)


def test_four_times_the_recipients_cost_the_same_queries(mailbox):
    province = org(Level.PROVINCE)
    small = commune_of_cells(province, 3)  # 4 recipients
    large = commune_of_cells(province, 15)  # 16 recipients
    # The nightly job has stored every unit's snapshots: the digest only reads them.
    build_sections(small + large, EDITION)
    snapshots_before = ProgressSnapshot.objects.count()

    small_ids, large_ids = plan_for(small), plan_for(large)
    assert (len(small_ids), len(large_ids)) == (4, 16)
    small_queries = queries_to_deliver(small_ids)
    large_queries = queries_to_deliver(large_ids)
    assert small_queries == large_queries
    assert ProgressSnapshot.objects.count() == snapshots_before  # nothing computed per message
    assert len(mailbox.received) == 20
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DigestStatus.SENT}

    # Each cell secretary's digest names the admission of their own cell only.
    for cell in small[1:] + large[1:]:
        [received] = mailbox.to(f"cell{cell.pk}@example.vn")
        named = {m.person.full_name for m in Member.objects.filter(cell__in=small + large) if names(m, received.text)}
        assert named == {cell.members.get().person.full_name}


def test_two_batches_cost_a_batch_more_not_a_message_more(mailbox):
    province = org(Level.PROVINCE)
    cells = commune_of_cells(province, 8)[1:]  # 8 cell secretaries
    build_sections(cells, EDITION)
    ids = plan_for(cells)
    with CaptureQueriesContext(connection) as one_batch:
        delivery.deliver_chunk(ids[:4], worker="w", batch_size=4)
    with CaptureQueriesContext(connection) as two_batches:
        delivery.deliver_chunk(ids[4:], worker="w", batch_size=2)
    assert len(two_batches) == 2 * len(one_batch)
    assert len(mailbox.received) == 8


def test_a_batch_goes_over_one_smtp_connection(mailbox):
    province = org(Level.PROVINCE)
    units = commune_of_cells(province, 5)
    ids = plan_for(units)
    assert delivery.deliver_batch(ids, worker="w") == dict.fromkeys(ids, delivery.Outcome.SENT)
    assert len(mailbox.received) == 6
    assert mailbox.connections == 1

    # A chunk of several batches keeps its one connection too.
    mailbox.clear()
    DigestDelivery.objects.update(status=DigestStatus.PENDING, claimed_by="", claimed_at=None)
    delivery.deliver_chunk(ids, worker="w", batch_size=2)
    assert (len(mailbox.received), mailbox.connections) == (6, 1)


def test_a_row_another_worker_holds_is_left_out_of_the_batch(mailbox):
    province = org(Level.PROVINCE)
    units = commune_of_cells(province, 2)
    first, *rest = plan_for(units)
    assert delivery.claim(first, worker="other")
    outcomes = delivery.deliver_batch([first, *rest], worker="w")
    assert outcomes == {first: delivery.Outcome.HELD, **dict.fromkeys(rest, delivery.Outcome.SENT)}
    assert len(mailbox.received) == 2
    assert DigestDelivery.objects.get(pk=first).claimed_by == "other"


def test_a_transient_error_mid_batch_keeps_what_was_sent_and_releases_the_rest(mailbox):
    province = org(Level.PROVINCE)
    units = commune_of_cells(province, 3)
    ids = plan_for(units)
    third = DigestDelivery.objects.select_related("user").get(pk=ids[2]).user.email
    mailbox.fail_data[third] = ["451 4.3.0 Try again later"]
    with pytest.raises(delivery.TransientSendError):
        delivery.deliver_batch(ids, worker="w")
    statuses = dict(DigestDelivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == [DigestStatus.SENT] * 2 + [DigestStatus.PENDING] * 2
    # The rerun sends the other two, and nobody twice.
    assert delivery.deliver_chunk(ids, worker="w") == {delivery.Outcome.SENT: 2, delivery.Outcome.HELD: 2}
    assert sorted(r.to for r in mailbox.received) == sorted(
        DigestDelivery.objects.filter(pk__in=ids).values_list("user__email", flat=True)
    )
