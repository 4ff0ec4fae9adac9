"""Build and send the monthly digests of the whole demo province to a local SMTP server.

    .venv/bin/python bench/digest_bench.py [--scale 1.0] [--month 2026-11] [--db /tmp/digest-bench.sqlite3]
        [--reuse] [--passes cold,warm] [--batch 50]

Loads the demo province into a fresh SQLite file (load_demo), gives every active unit that has no
one to receive its digest a secretary (a committee secretary for a committee, a cell secretary for
a cell), so that every unit of the province is reported on, then sends every digest through the
job's own code path (reports.digest.delivery.deliver_chunk, chunks of 50 over one SMTP session
each) to an aiosmtpd server on 127.0.0.1 (in a process of its own; `--smtp thread` runs it in the
bench's own interpreter, as the first measurements did). Two passes:

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


class ServerProcess:
    """The same counting aiosmtpd server in a process of its own (`--smtp process`), as a real mail
    server is: its work then does not share the sender's interpreter (and its lock)."""

    def __init__(self, port: int):
        import subprocess

        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-smtp", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def _ask(self, line: str) -> list[int]:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return [int(v) for v in self.process.stdout.readline().split()]

    @property
    def count(self) -> int:
        return self._ask("count")[0]

    @property
    def bytes(self) -> int:
        return self._ask("count")[1]

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def serve_smtp(port: int) -> None:
    from aiosmtpd.controller import Controller

    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "reset":
            handler.count = handler.bytes = 0
        print(handler.count, handler.bytes, flush=True)
    controller.stop()


def children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def run_workers(chunks: list[list[int]], workers: int) -> None:
    """Deliver the chunks from `workers` forked processes, each with its own database connection."""
    from django.db import connections

    from reports.digest import delivery

    connections.close_all()
    pids = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                for chunk in chunks[index::workers]:
                    delivery.deliver_chunk(chunk, worker=f"bench-{index}")
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        _pid, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "a worker failed"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-smtp":
        serve_smtp(int(sys.argv[2]))
        return
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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the chunks, as Celery workers would (default 1)",
    )
    parser.add_argument(
        "--smtp",
        choices=["process", "thread"],
        default="process",
        help="the aiosmtpd server in a process of its own (default) or in a thread of the bench",
    )
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
    if args.smtp == "thread":
        handler = Counter()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
    else:
        handler = controller = ServerProcess(port)
    try:
        results = []
        size = args.batch or delivery.CHUNK_SIZE
        for name in passes:
            DigestDelivery.objects.all().delete()
            if isinstance(handler, ServerProcess):
                handler.reset()
            else:
                handler.count = handler.bytes = 0
            t0, cpu0 = time.perf_counter(), time.process_time()
            ids = delivery.deliveries_plan(edition)
            chunks = delivery.chunked(ids, size)
            if args.workers > 1:
                before = children_cpu()
                run_workers(chunks, args.workers)
                cpu0 -= children_cpu() - before  # the workers' CPU counts as the sender's
            else:
                for chunk in chunks:
                    delivery.deliver_chunk(chunk, worker="bench")
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            sent = DigestDelivery.objects.filter(status=DigestStatus.SENT).count()
            received, size_sum = handler.count, handler.bytes
            assert sent == received, (sent, received)
            results.append((name, sent, elapsed))
            print(
                f"{name}: {sent} digests of {edition:%m/%Y} sent in {elapsed:.1f} s = {sent / elapsed:.1f} messages/s "
                f"(average {size_sum / max(received, 1) / 1024:.0f} KiB each; {args.workers} worker(s); "
                "CPU of the sender "
                f"{'and the SMTP server ' if args.smtp == 'thread' else ''}{cpu:.1f} s = "
                f"{sent / max(cpu, 1e-9):.1f} messages per CPU second; SMTP server in a {args.smtp})"
            )
    finally:
        controller.stop()
    units = Organisation.objects.filter(dissolved_on__isnull=True).count()
    print(f"{units} active units, {bench_users + len(users)} bench secretaries added to the demo logins")


if __name__ == "__main__":
    main()
