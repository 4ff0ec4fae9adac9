"""Build and send the monthly digests of the whole demo province to a local SMTP server.

    .venv/bin/python bench/digest_bench.py [--scale 1.0] [--month 2026-11] [--db /tmp/digest-bench.sqlite3]
        [--reuse] [--passes cold,warm] [--batch 50]

Loads the demo province into a fresh SQLite file (load_demo), gives every active unit that has no
one to receive its digest a secretary (a committee secretary for a committee, a cell secretary for
a cell), so that every unit of the province is reported on, then sends every digest through the
job's own code path (reports.digest.delivery.deliver_chunk, chunks of 50 over one SMTP session
each) to an aiosmtpd server on 127.0.0.1. Two passes:

- cold: no progress snapshots yet, so each section computes its term and year reports and stores them;
- warm: the same month again after deleting the delivery rows, reading the snapshots the cold pass
  stored (what the 07:00 run finds after the 01:30 nightly recompute).

Prints messages per second for each pass; docs/performance.md records the figures.
"""

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Counter:
    def __init__(self):
        self.count = 0
        self.bytes = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            self.bytes += len(envelope.original_content or envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="load_demo --scale (1.0: the full province)")
    parser.add_argument("--month", default="", help="the edition, e.g. 2026-11 (default: this month)")
    parser.add_argument("--db", default="", help="SQLite file to (re)build; default: a temporary one")
    parser.add_argument("--reuse", action="store_true", help="keep the --db file of an earlier run (no load_demo)")
    parser.add_argument(
        "--passes",
        default="cold,warm",
        help="which passes, in order: cold,warm (default) or warm alone (with --reuse: the snapshots kept)",
    )
    parser.add_argument("--batch", type=int, default=0, help="chunk size (default: delivery.CHUNK_SIZE)")
    args = parser.parse_args()

    db_path = Path(args.db or Path(tempfile.mkdtemp(prefix="digest-bench-")) / "demo.sqlite3")
    reuse = args.reuse and db_path.exists()
    if not reuse:
        db_path.unlink(missing_ok=True)
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "partyhub.settings",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SITE_URL": "https://partyhub.example.vn",
        }
    )
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()

    from aiosmtpd.controller import Controller
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from members.models import Organisation, RoleAssignment
    from members.vocabulary import CELL_LEVELS, Role
    from reports.digest import delivery
    from reports.digest.recipients import DIGEST_ROLES
    from reports.models import DigestDelivery, DigestStatus, ProgressSnapshot
    from reports.progress import periods

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    passes = [p.strip() for p in args.passes.split(",") if p.strip()]
    if reuse:
        if "cold" in passes:
            ProgressSnapshot.objects.all().delete()  # the cold pass starts without snapshots again
        print(f"reusing {db_path}")
    else:
        call_command("load_demo", scale=args.scale, verbosity=0)
        print(f"demo province loaded into {db_path} in {time.perf_counter() - started:.1f} s")

    # Every active unit gets someone to read its digest.
    holders = RoleAssignment.objects.filter(organisation=OuterRef("pk"), role__in=DIGEST_ROLES)
    uncovered = list(Organisation.objects.filter(dissolved_on__isnull=True).exclude(Exists(holders)).order_by("path"))
    User = get_user_model()
    bench_users = User.objects.filter(username__startswith="bench-").count()
    users = User.objects.bulk_create(
        User(username=f"bench-{o.code}", email=f"bench-{o.code.lower()}@example.vn", password="!") for o in uncovered
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=u,
            organisation=o,
            role=Role.CELL_SECRETARY if o.level in CELL_LEVELS else Role.COMMITTEE_SECRETARY,
        )
        for u, o in zip(users, uncovered, strict=True)
    )

    edition = periods.parse(args.month).start if args.month else timezone.localdate().replace(day=1)
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        results = []
        size = args.batch or delivery.CHUNK_SIZE
        for name in passes:
            DigestDelivery.objects.all().delete()
            handler.count = handler.bytes = 0
            t0, cpu0 = time.perf_counter(), time.process_time()
            ids = delivery.deliveries_plan(edition)
            for chunk in delivery.chunked(ids, size):
                delivery.deliver_chunk(chunk, worker="bench")
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            sent = DigestDelivery.objects.filter(status=DigestStatus.SENT).count()
            assert sent == handler.count, (sent, handler.count)
            results.append((name, sent, elapsed))
            print(
                f"{name}: {sent} digests of {edition:%m/%Y} sent in {elapsed:.1f} s = {sent / elapsed:.1f} messages/s "
                f"(average {handler.bytes / max(handler.count, 1) / 1024:.0f} KiB each; "
                f"CPU {cpu:.1f} s = {sent / max(cpu, 1e-9):.1f} messages per CPU second, bench and SMTP server)"
            )
    finally:
        controller.stop()
    units = Organisation.objects.filter(dissolved_on__isnull=True).count()
    print(f"{units} active units, {bench_users + len(users)} bench secretaries added to the demo logins")


if __name__ == "__main__":
    main()
