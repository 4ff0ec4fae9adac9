"""The attributes of a new member that Biểu 2-BTCTW counts and that a share quota can aim at.

One table: the breakdown's attribute rows (reports/progress/breakdown.py) and the share quotas
(reports/progress/sections.py, the quota form, the import's quota sheet) all read `ATTRIBUTES`, so a
share and its breakdown row cannot disagree. Each test reads an `Admission`
(reports/progress/admissions.py) and nothing else, so it runs over loaded facts.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.vocabulary import IntroducingBody, Occupation, Sector

MAJORITY_ETHNICITY = "Kinh"
STUDENT_OCCUPATIONS = (Occupation.UNIVERSITY_STUDENT, Occupation.PUPIL)


@dataclass(frozen=True)
class Attribute:
    key: str  # stored on a share quota (max 50 characters) and used as the breakdown row's key
    label: str  # Vietnamese, as in Biểu 2 ("Nữ")
    share_label: str  # after "Tỷ lệ đảng viên mới có đặc điểm" ("nữ"), translated (lazy)
    test: Callable  # Admission -> bool
    in_breakdown: bool = True  # a row of the breakdown (students and residential are sums of others)


def _occupation(value: str) -> Callable:
    return lambda a: a.occupation == value


def _introduced_by(value: str) -> Callable:
    return lambda a: a.introduced_by == value


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("women", "Nữ", _("nữ"), lambda a: a.gender == "female"),
    Attribute(
        "ethnic_minority",
        "Dân tộc thiểu số",
        _("người dân tộc thiểu số"),
        lambda a: bool(a.ethnicity) and a.ethnicity != MAJORITY_ETHNICITY,
    ),
    Attribute("religious", "Có đạo", _("có đạo"), lambda a: bool(a.religion) and a.religion.lower() != "không"),
    Attribute("youth_union", "Đoàn viên", _("là đoàn viên"), lambda a: a.youth_union),
    Attribute(
        "business_owner", "Chủ doanh nghiệp tư nhân", _("là chủ doanh nghiệp tư nhân"), lambda a: a.business_owner
    ),
    Attribute("readmitted", "Kết nạp lại", _("kết nạp lại"), lambda a: a.readmitted),
    *(
        Attribute(f"occupation:{value}", str(label), format_lazy(_("nghề nghiệp: {}"), label), _occupation(value))
        for value, label in Occupation.choices
    ),
    Attribute(
        "students",
        "Học sinh, sinh viên",
        _("học sinh, sinh viên"),
        lambda a: a.occupation in STUDENT_OCCUPATIONS,
        in_breakdown=False,
    ),
    Attribute(
        "residential",
        "Ở chi bộ nông thôn, khu dân cư",
        _("ở chi bộ nông thôn, khu dân cư"),
        lambda a: a.sector == Sector.RESIDENTIAL,
        in_breakdown=False,
    ),
    # The key "youth_union_introduced" predates the table: quotas stored with it keep their meaning.
    Attribute(
        "youth_union_introduced",
        f"Do {IntroducingBody.YOUTH_UNION.label} giới thiệu",
        _("do Đoàn giới thiệu"),
        _introduced_by(IntroducingBody.YOUTH_UNION),
        in_breakdown=False,
    ),
    *(
        Attribute(
            f"introduced:{value}",
            f"Do {label} giới thiệu",
            format_lazy(_("do {} giới thiệu"), label),
            _introduced_by(value),
            in_breakdown=False,
        )
        for value, label in IntroducingBody.choices
        if value != IntroducingBody.YOUTH_UNION
    ),
)

BY_KEY: dict[str, Attribute] = {a.key: a for a in ATTRIBUTES}
SHARE_CHOICES: list[tuple[str, str]] = [(a.key, a.share_label) for a in ATTRIBUTES]


def introduced_by_key(body: str) -> str:
    """The share attribute counting the admissions a body introduced."""
    return "youth_union_introduced" if body == IntroducingBody.YOUTH_UNION else f"introduced:{body}"
