"""The papers a secretary prints at each step, and the steps a signed scan can be attached to.

Form numbers ("mẫu 6-KNĐ" ...) are those of the forms annexed to Hướng dẫn 12-HD/BTCTW (18/01/2022)
on the Party's member work, as software templates and the seeds quote them *(uncertain: the annex
itself was not read; docs/domain.md §3 lists the same numbers)*. Keep them here, in one place, so a
committee can correct a number without a code search.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

FORMS_SOURCE = "Hướng dẫn 12-HD/BTCTW ngày 18/01/2022 (phụ lục các mẫu KNĐ)"


class AttachmentStep(models.TextChoices):
    """The recorded step a signed paper belongs to."""

    DOSSIER = "dossier", _("Hồ sơ xin vào Đảng, giấy giới thiệu (mẫu 1, 2, 3-KNĐ)")
    CELL_VOTE = "cell_vote", _("Nghị quyết chi bộ đề nghị kết nạp (mẫu 6-KNĐ)")
    COMMITTEE_APPROVAL = "committee_approval", _("Nghị quyết đảng ủy cơ sở (mẫu 8-KNĐ)")
    DECISION = "decision", _("Quyết định kết nạp (mẫu 9-KNĐ)")
    CEREMONY = "ceremony", _("Lễ kết nạp")
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức (mẫu 13, 16-KNĐ)")


@dataclass(frozen=True)
class PaperKind:
    slug: str  # in the URL: quan-chung/<pk>/giay-to/<slug>/pdf/
    label: str
    form: str  # "6-KNĐ"; empty for a paper with no official number
    step: str  # the AttachmentStep whose record the paper is drawn from
    stem: str  # the downloaded file's name, before the candidate's id


PAPERS: dict[str, PaperKind] = {
    p.slug: p
    for p in (
        PaperKind(
            "nghi-quyet-de-nghi-ket-nap",
            _("Nghị quyết chi bộ đề nghị kết nạp đảng viên"),
            "6-KNĐ",
            AttachmentStep.CELL_VOTE,
            "nghi-quyet-de-nghi-ket-nap",
        ),
        PaperKind(
            "danh-sach-nguoi-gioi-thieu",
            _("Danh sách người giới thiệu vào Đảng"),
            "",
            AttachmentStep.DOSSIER,
            "danh-sach-nguoi-gioi-thieu",
        ),
        PaperKind(
            "quyet-dinh-ket-nap",
            _("Quyết định kết nạp đảng viên"),
            "9-KNĐ",
            AttachmentStep.DECISION,
            "quyet-dinh-ket-nap",
        ),
        PaperKind(
            "nghi-quyet-cong-nhan",
            _("Nghị quyết chi bộ đề nghị công nhận đảng viên chính thức"),
            "13-KNĐ",
            AttachmentStep.RECOGNITION,
            "nghi-quyet-cong-nhan",
        ),
        PaperKind(
            "quyet-dinh-cong-nhan",
            _("Quyết định công nhận đảng viên chính thức"),
            "16-KNĐ",
            AttachmentStep.RECOGNITION,
            "quyet-dinh-cong-nhan",
        ),
    )
}
