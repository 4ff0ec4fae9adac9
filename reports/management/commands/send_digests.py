"""`manage.py send_digests --month 2026-11 [--org CODE] [--dry-run] [--retry-failed]`

The monthly digest by hand. `--month` is the edition: the month it is sent in (it reports on the
month before). `--dry-run` prints who would get what and sends nothing; otherwise the command sends,
in this process, what has not been sent yet, with a progress bar. It uses the same rows and claims
as the Celery job, so running it next to the job, twice, or after a crash never sends a digest twice
(docs/digest.md). `--org CODE` keeps the recipients holding a role inside that subtree; each still
gets their whole digest, since there is one email per person and month.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.models import Organisation
from reports.digest import delivery, schedule
from reports.digest.content import build_digest
from reports.digest.message import render
from reports.digest.recipients import recipients
from reports.models import DigestDelivery
from reports.progress import periods

BAR_WIDTH = 30


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = width if not total else width * done // total
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Command(BaseCommand):
    help = "Gửi bản tin tháng (hoặc xem ai sẽ nhận gì với --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="tháng gửi, ví dụ 2026-11 (mặc định: tháng này)")
        parser.add_argument("--org", help="mã tổ chức: chỉ người giữ vai trò trong tổ chức này và cấp dưới")
        parser.add_argument("--dry-run", action="store_true", help="chỉ in ai sẽ nhận gì, không gửi")
        parser.add_argument("--retry-failed", action="store_true", help="gửi lại cả các lượt đã lỗi")

    def handle(self, *args, month=None, org=None, dry_run=False, retry_failed=False, **options):
        edition = self._edition(month)
        within = None
        if org:
            within = Organisation.objects.filter(code=org).first()
            if within is None:
                raise CommandError(f"Không có tổ chức mã “{org}”.")
        if dry_run:
            self._dry_run(edition, within)
            return
        if retry_failed:
            reset = delivery.deliveries_retry_failed(edition, within=within)
            self.stdout.write(f"Đặt lại {reset} lượt gửi lỗi.")
        ids = delivery.deliveries_plan(edition, within=within)
        self.stdout.write(f"Bản tin tháng {edition:%m/%Y}: {len(ids)} lượt chưa gửi.")
        worker = delivery.worker_name("command")
        counts = {}
        done = 0
        interactive = self.stdout.isatty()

        def on_each(pk, outcome):
            nonlocal done
            done += 1
            counts[outcome] = counts.get(outcome, 0) + 1
            line = progress_bar(done, len(ids))
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
            elif done == len(ids) or done % max(len(ids) // 10, 1) == 0:
                self.stdout.write(line)

        deferred = 0
        for chunk in delivery.chunked(ids):
            try:
                delivery.deliver_chunk(chunk, worker=worker, on_each=on_each)
            except delivery.TransientSendError as error:
                # The claim was released: a later run (or the job's retry) sends it.
                deferred += 1
                self.stderr.write(f"\nMáy chủ thư tạm thời lỗi, để lần sau: {error}")
        if interactive:
            self.stdout.write("")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "không có gì để gửi"
        self.stdout.write(f"Xong: {summary}." + (f" {deferred} nhóm để lần sau." if deferred else ""))

    def _edition(self, month: str | None) -> datetime.date:
        if not month:
            return schedule.edition(timezone.localdate())
        try:
            period = periods.parse(month)
        except periods.PeriodError as error:
            raise CommandError(str(error)) from error
        if period.kind != "month":
            raise CommandError(f"--month cần một tháng, ví dụ 2026-11 (đã nhập “{month}”).")
        return period.start

    def _dry_run(self, edition: datetime.date, within) -> None:
        found = recipients(schedule.reported_month(edition), within=within)
        status = dict(
            DigestDelivery.objects.filter(month=edition, user_id__in=[r.user.pk for r in found]).values_list(
                "user_id", "status"
            )
        )
        self.stdout.write(
            f"Bản tin tháng {edition:%m/%Y} (báo cáo tháng {schedule.reported_month(edition):%m/%Y}), "
            f"gửi ngày {schedule.first_working_day(edition.year, edition.month):%d/%m/%Y}: {len(found)} người nhận."
        )
        cache: dict = {}
        for r in found:
            digest = build_digest(r, edition, cache=cache)
            subject = render(digest).subject
            state = status.get(r.user.pk, "chưa tạo")
            address = r.email or "(chưa có email: sẽ ghi lỗi)"
            self.stdout.write(f"- {r.user.get_username()} <{address}> [{r.language}] [{state}] {subject}")
            for section in digest.sections:
                self.stdout.write(
                    f"    {section.name}: kết nạp {section.admissions.total}, chỉ tiêu {len(section.quotas)}, "
                    f"chậm {section.lagging.total}, hạn {section.deadlines.total}, cần sửa {section.to_fix.total}"
                )
