"""The demo logins: one user per role, all with the same published password.

Browser tests and the Makefile sign in with these constants; change them here only.
"""

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ..models import Member, Organisation, RoleAssignment
from ..names import user_name
from ..vocabulary import MemberStatus, Role

DEMO_PASSWORD = "PartyHub@2026"

ADMINISTRATOR = "quantri"
PROVINCE_BOARD = "bantochuc.tinh"
COMMUNE_SECRETARY = "bithu.xa"
COMMUNE_DEPUTY = "phobithu.xa"
COMMUNE_BOARD = "bantochuc.xa"
CELL_SECRETARY = "bithu.chibo"
OTHER_CELL_SECRETARY = "bithu.chibo2"


class Post:
    """Where a demo login holds its role."""

    PROVINCE = "province"
    COMMUNE = "commune"
    CELL = "cell"  # a residential cell of that commune
    OTHER_CELL = "other_cell"  # another residential cell of the same commune


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    post: str
    title: str  # what the person does, in Vietnamese


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(ADMINISTRATOR, Role.ADMINISTRATOR, Post.PROVINCE, "Quản trị hệ thống"),
    DemoLogin(PROVINCE_BOARD, Role.BOARD_STAFF, Post.PROVINCE, "Cán bộ Ban Tổ chức Tỉnh ủy"),
    DemoLogin(COMMUNE_SECRETARY, Role.COMMITTEE_SECRETARY, Post.COMMUNE, "Bí thư Đảng ủy xã"),
    DemoLogin(COMMUNE_DEPUTY, Role.COMMITTEE_DEPUTY, Post.COMMUNE, "Phó Bí thư Thường trực Đảng ủy xã"),
    DemoLogin(COMMUNE_BOARD, Role.BOARD_STAFF, Post.COMMUNE, "Cán bộ Ban Xây dựng Đảng Đảng ủy xã"),
    DemoLogin(CELL_SECRETARY, Role.CELL_SECRETARY, Post.CELL, "Bí thư chi bộ"),
    DemoLogin(OTHER_CELL_SECRETARY, Role.CELL_SECRETARY, Post.OTHER_CELL, "Bí thư chi bộ"),
)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)


def split_name(full_name: str) -> tuple[str, str]:
    """(first_name, last_name) as Django's Vietnamese admin labels them: "Tên" and "Họ".

    "Nguyễn Văn An" gives first_name "An" and last_name "Nguyễn Văn": the given name is the last
    word, the family and middle names come before it.
    """
    *family, given = full_name.split()
    return given, " ".join(family)


def display_name(user) -> str:
    """The name in Vietnamese order (family name first), which `get_full_name()` does not give."""
    return user_name(user)


def create_demo_users(
    *,
    posts: dict[str, Organisation],
    leaders_cell: Organisation,
    rng: random.Random,
    name_for_outsider,
) -> list:
    """Create the demo users with their role assignments.

    Cell secretaries and commune leaders are real members of their own cells on the demo rolls
    (their names are taken from there); the province staff are drawn fresh.
    """
    User = get_user_model()
    # One hash for the shared password: hashing is deliberately slow (about 0.4 s each) and the
    # password is published anyway.
    password = make_password(DEMO_PASSWORD)
    taken: set[int] = set()
    users = []
    for login in DEMO_LOGINS:
        organisation = posts[login.post]
        if login.post in (Post.CELL, Post.OTHER_CELL):
            full_name = _member_name(organisation, rng, taken)
        elif login.post == Post.COMMUNE:
            full_name = _member_name(leaders_cell, rng, taken)
        else:
            full_name = name_for_outsider()
        first_name, last_name = split_name(full_name)
        is_admin = login.role == Role.ADMINISTRATOR
        user = User.objects.create(
            username=login.username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=f"{login.username}@minhson.example.vn",
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        RoleAssignment.objects.create(user=user, organisation=organisation, role=login.role)
        users.append(user)
    return users


def _member_name(cell: Organisation, rng: random.Random, taken: set[int]) -> str:
    candidates = list(
        Member.objects.filter(cell=cell, status=MemberStatus.FULL)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", "person__full_name")
    )
    if not candidates:  # a tiny test build: any member, or a placeholder name
        candidates = list(
            Member.objects.filter(cell=cell).exclude(pk__in=taken).order_by("pk").values_list("pk", "person__full_name")
        )
    if not candidates:
        return "Nguyễn Văn Bình"
    pk, full_name = rng.choice(candidates)
    taken.add(pk)
    return full_name


@dataclass(frozen=True)
class LoginRow:
    username: str
    password: str
    role: str
    organisation: str
    full_name: str


def login_rows() -> list[LoginRow]:
    """The demo logins as stored, in the order of DEMO_LOGINS; missing users are left out."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assignments = {
        (ra.user_id, ra.role): ra
        for ra in RoleAssignment.objects.filter(user__in=users.values()).select_related("organisation")
    }
    rows = []
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        assignment = assignments.get((user.pk, login.role))
        rows.append(
            LoginRow(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.title,
                organisation=assignment.organisation.name if assignment else "",
                full_name=display_name(user),
            )
        )
    return rows


def format_logins(rows: list[LoginRow]) -> list[str]:
    headers = ("Tên đăng nhập", "Mật khẩu", "Vai trò", "Tổ chức", "Họ và tên")
    table = [headers] + [(r.username, r.password, r.role, r.organisation, r.full_name) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines
