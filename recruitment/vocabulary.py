"""Stages, introducing bodies and exits of the admission pipeline (docs/domain.md §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Defined with the members: a member admitted before PartyHub records who introduced them too.
from members.vocabulary import IntroducingBody  # noqa: F401


class Stage(models.TextChoices):
    SOURCE = "source", _("Quần chúng ưu tú")
    TRAINING = "training", _("Đang học lớp bồi dưỡng")
    TRAINED = "trained", _("Đã học lớp bồi dưỡng")
    DOSSIER = "dossier", _("Đang hoàn thiện hồ sơ")
    CELL_RESOLUTION = "cell_resolution", _("Chi bộ đã ra nghị quyết")
    COMMITTEE_REVIEW = "committee_review", _("Đảng ủy cơ sở đã xét duyệt")
    DECIDED = "decided", _("Đã có quyết định kết nạp")
    PROBATIONARY = "probationary", _("Đảng viên dự bị")
    FULL = "full", _("Đảng viên chính thức")
    WITHDRAWN = "withdrawn", _("Dừng theo dõi")
    REJECTED = "rejected", _("Không được kết nạp")
    STRUCK_OFF = "struck_off", _("Xóa tên")


PIPELINE = (
    Stage.SOURCE,
    Stage.TRAINING,
    Stage.TRAINED,
    Stage.DOSSIER,
    Stage.CELL_RESOLUTION,
    Stage.COMMITTEE_REVIEW,
    Stage.DECIDED,
    Stage.PROBATIONARY,
    Stage.FULL,
)
EXITS = (Stage.WITHDRAWN, Stage.REJECTED, Stage.STRUCK_OFF)
# Stages where the person is still a candidate (not yet admitted, not exited).
OPEN_STAGES = PIPELINE[:7]
# Exits allowed from each stage: withdrawal before the ceremony, rejection until the decision,
# striking off only for a probationary member not recognised.
EXITS_FROM: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(PIPELINE[:6], (Stage.WITHDRAWN, Stage.REJECTED)),
    Stage.DECIDED: (Stage.WITHDRAWN,),
    Stage.PROBATIONARY: (Stage.STRUCK_OFF,),
}

# What the secretary does next, shown on each card.
NEXT_STEP: dict[str, str] = {
    Stage.SOURCE: _("Cử đi học lớp bồi dưỡng nhận thức về Đảng"),
    Stage.TRAINING: _("Ghi kết quả lớp bồi dưỡng"),
    Stage.TRAINED: _("Nộp hồ sơ xin vào Đảng"),
    Stage.DOSSIER: _("Chi bộ họp xét, biểu quyết"),
    Stage.CELL_RESOLUTION: _("Chờ cấp ủy xét duyệt / quyết định"),
    Stage.COMMITTEE_REVIEW: _("Chờ quyết định kết nạp"),
    Stage.DECIDED: _("Tổ chức lễ kết nạp"),
    Stage.PROBATIONARY: _("Xét công nhận đảng viên chính thức"),
}
