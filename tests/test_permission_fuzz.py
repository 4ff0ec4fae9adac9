"""The permission fuzz: every URL pattern × GET and POST × every role of the cast and an anonymous
visitor, with ids inside the role's subtree, outside it, missing and malformed.

Where tests/test_permission_matrix.py writes out by hand what each role may open, this walks the URL
resolver, so a new URL is fuzzed as soon as it exists: its id kwargs are filled from ID_KINDS (by
kwarg name, or for a bare `pk` by the path segment before it), and a pattern whose kwargs cannot be
filled must be listed in SKIPPED with a reason (`test_every_pattern_is_fuzzed_or_skipped`).

The rules checked (docs/security.md, "Who sees what"):
- an outside id answers exactly as a missing one (same status, 404 unless the view refuses the
  method or the role before any lookup), and a malformed one 404;
- no response, page or file (streamed bodies read to the end, workbooks unzipped and their XML
  searched, the PDF's HTML searched), names an outside unit or person or shows an outside citizen ID;
- nothing answers 500.
The cast (tests/cast.py) gets a second province here, so the province's board staff has an outside too.
"""

import datetime
import html
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls import path as django_path
from django.urls.converters import IntConverter
from openpyxl import Workbook

from members.models import Person
from members.vocabulary import Level, Sector
from recruitment.papers import render as papers_render
from reports.exports import pdf
from reports.models import ExportKind, ExportRun, ExportStatus, ImportRun, ImportStatus
from reports.progress import jobs

from .cast import add_recruitment, build_cast
from .factories import MemberFactory, OrganisationFactory, PersonFactory

ROLES = ("sec_a", "sec_b", "commune_sec", "commune_board", "province_board", "outsider", "anonymous")
METHODS = ("get", "post")
# Ids no row will have: one inside the database's integer range, one past any integer column's.
MISSING_IDS = (2_147_483_000, 10**20)
MALFORMED = "abc"

# The kind of object an id kwarg names. A bare `pk` is named by the path segment before it.
ID_KINDS = {
    "org_pk": "organisation",
    "organisation_pk": "organisation",
    "member_pk": "member",
    "candidate_pk": "candidate",
    "verification_pk": "verification",
    "class_pk": "party_class",
    "run_pk": "import_run",
    "export_pk": "export_run",
    "run_id": "recompute_run",
    "attachment_pk": "attachment",
}
PK_SEGMENTS = {
    "to-chuc": "organisation",
    "dang-vien": "member",
    "quan-chung": "candidate",
    "tham-tra": "verification",
    "lop-boi-duong": "party_class",
}
# Kwargs that are not ids: one value known to the view, and any other string is malformed.
FIXED = {"step": "enrol", "paper": "nghi-quyet-de-nghi-ket-nap", "which": "chua-ket-nap"}

# Patterns the fuzz does not visit, each with the reason (the Django admin is left out by namespace:
# staff only, tested in tests/test_permission_matrix.py).
SKIPPED = {
    "reports:digest_unsubscribe": "public: the signed token is the credential, no id of anyone's data; malformed "
    "tokens are fuzzed in test_a_malformed_unsubscribe_token_is_refused_without_an_error",
    "recruitment:notification_open": "the id is of a notification, a row of its recipient's own (no subtree of its "
    "own): anyone else's answers 404 like a missing one, tested in tests/recruitment/test_notifications.py",
}
# Patterns anyone may open, signed in or not: no id, nothing of anyone's but the caller's.
PUBLIC = {"login", "set_language"}

# What each role sees, written out by hand as in the matrix: the object of each kind inside its
# subtree, and the objects outside it (the other commune's, the sibling cell's, the other province's).
INSIDE = {
    "sec_a": {"organisation": "cell_a", "member": "member_a", "candidate": "candidate_a", "party_class": "class_x"},
    "sec_b": {"organisation": "cell_b", "member": "member_b", "candidate": "candidate_b", "party_class": "class_x"},
    "outsider": {"organisation": "cell_c", "member": "member_c", "candidate": "candidate_c", "party_class": "class_y"},
    "commune_sec": {"organisation": "commune_x", "member": "member_a", "candidate": "candidate_b"},
    "commune_board": {"organisation": "commune_x", "member": "member_b", "candidate": "candidate_a"},
    "province_board": {"organisation": "province", "member": "member_c", "candidate": "candidate_c"},
}
for _key, _inside in INSIDE.items():
    _cell = {"candidate_a": "a", "candidate_b": "b", "candidate_c": "c"}[_inside["candidate"]]
    _inside.setdefault("party_class", "class_y" if _key == "province_board" else "class_x")
    _inside["verification"] = f"verification_{_cell}"
    _inside["attachment"] = f"attachment_{_cell}"
    _inside["import_run"] = f"run_{_key}"
    _inside["export_run"] = f"export_{_key}"
    _inside["recompute_run"] = f"recompute_{_inside['organisation']}"
# The branches outside each role: the objects in them are what must never be named.
BRANCH = {
    "x": {"commune_x", "cell_a", "cell_b"},
    "a": {"cell_a"},
    "b": {"cell_b"},
    "y": {"commune_y", "cell_c"},
    "q": {"province_q", "commune_z", "cell_d"},
}
OUTSIDE_BRANCHES = {
    "sec_a": ("b", "y", "q"),
    "sec_b": ("a", "y", "q"),
    "commune_sec": ("y", "q"),
    "commune_board": ("y", "q"),
    "outsider": ("x", "q"),
    "province_board": ("q",),
}


@dataclass(frozen=True)
class Url:
    pattern: URLPattern
    route: str  # the full route, the includes' prefixes first

    @property
    def converters(self) -> dict:
        return getattr(self.pattern.pattern, "converters", {})


def _walk(resolver, prefix="", route=""):
    """(name, Url) of every named URL, through every include except the Django admin's."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry, namespace, route + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", Url(entry, route + str(entry.pattern))


def _kinds(url: Url) -> dict[str, str | None] | None:
    """kwarg -> kind of object (None for a FIXED kwarg), or None if some kwarg cannot be filled."""
    kinds: dict[str, str | None] = {}
    route = url.route
    for kwarg in url.converters:
        if kwarg in FIXED:
            kinds[kwarg] = None
        elif kwarg in ID_KINDS:
            kinds[kwarg] = ID_KINDS[kwarg]
        elif kwarg == "pk" and (found := re.search(r"([\w-]+)/<\w+:pk>", route)) and found[1] in PK_SEGMENTS:
            kinds[kwarg] = PK_SEGMENTS[found[1]]
        else:
            return None
    return kinds


def _patterns():
    return dict(_walk(get_resolver()))


def test_every_pattern_is_fuzzed_or_skipped():
    unmapped = sorted(name for name, pattern in _patterns().items() if _kinds(pattern) is None and name not in SKIPPED)
    assert not unmapped, (
        f"URL patterns the fuzz cannot fill: {unmapped}; map their kwargs in ID_KINDS / PK_SEGMENTS / FIXED "
        "or list them in SKIPPED with a reason"
    )
    stale = sorted(set(SKIPPED) - set(_patterns()))
    assert not stale, f"SKIPPED names patterns that no longer exist: {stale}"


def test_a_new_pattern_is_filled_by_its_kwargs_or_reported():
    def url(route):
        return Url(django_path(route, lambda request, **kwargs: None), route)

    assert _kinds(url("quan-chung/<int:pk>/ho-so/")) == {"pk": "candidate"}
    assert _kinds(url("to-chuc/<int:org_pk>/lop/<int:class_pk>/")) == {
        "org_pk": "organisation",
        "class_pk": "party_class",
    }
    assert _kinds(url("quan-chung/<int:pk>/buoc/<slug:step>/")) == {"pk": "candidate", "step": None}
    assert _kinds(url("so-tay/<int:pk>/")) is None
    assert _kinds(url("to-chuc/<int:org_pk>/<int:thing_pk>/")) is None


# --- the world: the cast, its recruitment, a second province, import and recompute runs -----------


def _build_world():
    cast = build_cast()
    recruitment = add_recruitment(cast)
    objects = {**vars(cast), **vars(recruitment)}
    province_q = OrganisationFactory(code="Q", name="Đảng bộ tỉnh Quế Ngoại", level=Level.PROVINCE)
    commune_z = OrganisationFactory(code="Z", name="Đảng bộ xã Zơ Ngoại", level=Level.COMMUNE, parent=province_q)
    cell_d = OrganisationFactory(
        code="D", name="Chi bộ thôn Đồi Ngoại", level=Level.CELL, parent=commune_z, sector=Sector.RESIDENTIAL
    )
    member_d = MemberFactory(cell=cell_d, person=PersonFactory(full_name="Đảng viên Dương Ngoại"))
    from recruitment import services

    day = datetime.date(2024, 3, 1)
    candidate_d = services.candidate_propose(
        cell=cell_d,
        introduced_by="youth_union",
        proposed_on=day,
        person_fields={
            "full_name": "Quần chúng Diệp Ngoại",
            "gender": "female",
            "date_of_birth": datetime.date(2000, 1, 1),
            "general_education": "upper_secondary",
        },
        by=None,
    )
    class_z = services.class_create(
        organiser=commune_z, name="Lớp bồi dưỡng Zơ", starts_on=day, ends_on=day + datetime.timedelta(days=4), by=None
    )
    verification_d = services.verification_request_create(
        candidate=candidate_d,
        sent_to="Công an xã",
        sent_on=day,
        reply_due_on=day + datetime.timedelta(days=30),
        by=None,
    )
    objects.update(
        province_q=province_q,
        commune_z=commune_z,
        cell_d=cell_d,
        member_d=member_d,
        candidate_d=candidate_d,
        class_z=class_z,
        verification_d=verification_d,
    )
    # Each candidate's cell vote (so the papers of that step are drawn) and a scan of the signed resolution.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recruitment.models import CellVote
    from recruitment.papers import attachments

    for key in ("a", "b", "c", "d"):
        candidate = objects[f"candidate_{key}"]
        CellVote.objects.create(candidate=candidate, held_on=day, votes_for=2, full_members=2)
        scan = SimpleUploadedFile(f"nghi-quyet-{key}.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
        objects[f"attachment_{key}"] = attachments.attach(candidate=candidate, step="cell_vote", upload=scan, by=None)
    # Citizen IDs that cannot be mistaken for anything else on a page.
    for index, key in enumerate(("member_a", "member_b", "member_c", "member_d")):
        Person.objects.filter(pk=objects[key].person_id).update(citizen_id=f"0799000{index:05d}")
    for index, key in enumerate(("candidate_a", "candidate_b", "candidate_c", "candidate_d")):
        Person.objects.filter(pk=objects[key].person_id).update(citizen_id=f"0798000{index:05d}")
    # One finished import run per user (a run is seen by its uploader only), and a foreign one.
    for key, user in cast.users().items():
        objects[f"run_{key}"] = ImportRun.objects.create(
            created_by=user, organisation=objects[INSIDE[key]["organisation"]], filename=f"nhap-{key}.xlsx"
        )
    # The same for large exports: one finished run with its file per user, and a foreign one.
    book = io.BytesIO()
    Workbook().save(book)
    for key, user in cast.users().items():
        objects[f"export_{key}"] = ExportRun.objects.create(
            created_by=user,
            organisation=objects[INSIDE[key]["organisation"]],
            kind=ExportKind.PEOPLE,
            filename=f"xuat-{key}.xlsx",
            status=ExportStatus.DONE,
            content=book.getvalue(),
        )
    objects["export_foreign"] = ExportRun.objects.create(
        created_by=None,
        organisation=cell_d,
        kind=ExportKind.IMPORT_FORMAT,
        filename="Đảng viên Dương Ngoại.xlsx",
        status=ExportStatus.DONE,
        content=book.getvalue(),
    )
    objects["run_foreign"] = ImportRun.objects.create(
        created_by=None,
        organisation=cell_d,
        filename="Đảng viên Dương Ngoại.xlsx",
        status=ImportStatus.DONE,
        finished_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    return objects


class _Ref:
    """A recompute run, known by its id (a slug), kept in the cache."""

    def __init__(self, pk):
        self.pk = pk


def _register_recompute_runs(objects):
    for key in ("province", "commune_x", "commune_y", "cell_a", "cell_b", "cell_c", "province_q", "cell_d"):
        run_id = f"fuzz{objects[key].pk:04d}{key.replace('_', '')}"
        jobs.run_register(run_id=run_id, total=1, organisation_id=objects[key].pk)
        objects[f"recompute_{key}"] = _Ref(run_id)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module in a transaction rolled back at its end; each test adds a savepoint.
    The scans of signed papers are stored in a temporary directory."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("scans"))},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], STORAGES=storages),
        transaction.atomic(),
    ):
        objects = _build_world()
        yield objects
        transaction.set_rollback(True)


# --- what each role must not see ---------------------------------------------------------------


def _outside_keys(role: str) -> set[str]:
    branches = ("x", "y", "q") if role == "anonymous" else OUTSIDE_BRANCHES[role]
    return set().union(*(BRANCH[branch] for branch in branches))


# One object of each kind in each branch, the ids the fuzz tries as outside.
IN_BRANCH = {
    "x": {"organisation": "commune_x", "cell": "a", "party_class": "class_x"},
    "a": {"organisation": "cell_a", "cell": "a"},
    "b": {"organisation": "cell_b", "cell": "b"},
    "y": {"organisation": "commune_y", "cell": "c", "party_class": "class_y"},
    "q": {"organisation": "province_q", "cell": "d", "party_class": "class_z"},
}


def _outside_objects(role: str, kind: str) -> list[str]:
    """Keys of an object of the kind in each branch outside the role's subtree."""
    keys = []
    for branch in OUTSIDE_BRANCHES[role]:
        found = IN_BRANCH[branch]
        if kind in ("member", "candidate", "verification", "attachment"):
            keys.append(f"{kind}_{found['cell']}")
        elif kind == "recompute_run":
            keys.append(f"recompute_{found['organisation']}")
        elif kind in found:
            keys.append(found[kind])
    if kind == "import_run":
        # Someone else's run, and one from the other province with no uploader left.
        keys = ["run_foreign", "run_outsider" if role != "outsider" else "run_sec_a"]
    if kind == "export_run":
        keys = ["export_foreign", "export_outsider" if role != "outsider" else "export_sec_a"]
    return keys


def _secrets(role: str, objects) -> set[str]:
    """The names and citizen IDs outside the role's subtree."""
    orgs = _outside_keys(role)
    found = {objects[key].name for key in orgs}
    for key in orgs:
        if key.startswith("cell_"):
            for kind in ("member", "candidate"):
                person = Person.objects.get(pk=objects[f"{kind}_{key[-1]}"].person_id)
                found |= {person.full_name, person.citizen_id}
    if "province_q" in orgs:
        found.add(objects["class_z"].name)
    return found


def _variants(secret: str) -> set[str]:
    return {secret, html.escape(secret), json.dumps(secret)[1:-1]}


def _body_texts(response, rendered_pdf_html: list[str]) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                texts.append(html.unescape(archive.read(name).decode("utf-8", "replace")))
    if body[:4] == b"%PDF":
        texts.extend(rendered_pdf_html)
    rendered_pdf_html.clear()
    texts.extend(f"{key}: {value}" for key, value in response.items())
    return texts


# --- the fuzz ------------------------------------------------------------------------------------


def _path(name: str, kwargs: dict) -> str:
    return reverse(name, kwargs=kwargs)


def _malformed_paths(name: str, kinds: dict, inside_kwargs: dict) -> list[str]:
    """Each kwarg in turn malformed: an int one in the raw path (the resolver must not match), a
    slug or str one reversed with a value nothing knows."""
    paths = []
    for kwarg, converter in _patterns()[name].converters.items():
        if isinstance(converter, IntConverter):
            sentinel = 987_654_321
            raw = _path(name, {**inside_kwargs, kwarg: sentinel})
            paths.append(raw.replace(str(sentinel), MALFORMED))
        else:
            paths.append(_path(name, {**inside_kwargs, kwarg: f"{MALFORMED}-{kwarg}"}))
    return paths


class Fuzz:
    def __init__(self, role, objects, pdf_html):
        self.role = role
        self.objects = objects
        self.user = None if role == "anonymous" else objects[role]
        # An anonymous visitor sees nobody: every branch is outside.
        self.secrets = _secrets(role, objects)
        self.needles = {variant: secret for secret in self.secrets for variant in _variants(secret)}
        self.pdf_html = pdf_html
        self.client = None
        self.session_paths = {reverse("logout"), reverse("set_language")}
        self.requests = 0
        self.failures: list[str] = []
        self.leaks: list[str] = []

    def request(self, method: str, path: str):
        if self.client is None:
            self.client = Client()
            if self.user is not None:
                self.client.force_login(self.user)
        client = self.client
        if path in self.session_paths:
            self.client = None  # logout and set_language act on the session: the next request starts anew
        self.requests += 1
        try:
            response = getattr(client, method)(path, {})
        except Exception as error:  # the test client re-raises what the view raised: a 500
            self.failures.append(f"{self.role} {method.upper()} {path}: 500 ({type(error).__name__}: {error})")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {path}: {response.status_code}")
        for text in _body_texts(response, self.pdf_html):
            for needle, secret in self.needles.items():
                if needle in text:
                    self.leaks.append(f"{self.role} {method.upper()} {path}: {secret!r} ({response.status_code})")
        return response

    def is_login_redirect(self, response) -> bool:
        return response.status_code == 302 and response.url.startswith(reverse("login"))

    def run_pattern(self, name, pattern):
        kinds = _kinds(pattern)
        if not kinds:
            for method in METHODS:
                response = self.request(method, _path(name, {}))
                if response is not None and self.user is None and name not in PUBLIC:
                    self.expect_refused(name, method, response)
            return
        role = "province_board" if self.user is None else self.role
        inside = {
            kwarg: FIXED[kwarg] if kind is None else self.objects[INSIDE[role][kind]].pk
            for kwarg, kind in kinds.items()
        }
        for method in METHODS:
            inside_response = self.request(method, _path(name, inside))
            if inside_response is None:
                pass
            elif self.user is None:
                self.expect_refused(name, method, inside_response)
            elif method == "get" and inside_response.status_code == 404:
                # The fuzz's own check: an id meant to be inside must be, or outside ≡ missing proves nothing.
                self.failures.append(f"{self.role} GET {name} {inside}: 404 for an id inside the subtree")
            for kwarg, kind in kinds.items():
                if kind is None:
                    continue
                for missing_id in self._missing(kind):
                    missing = self.request(method, _path(name, {**inside, kwarg: missing_id}))
                    expected = self.expect_not_found(name, method, missing, inside_response)
                for key in _outside_objects(role, kind):
                    outside = self.request(method, _path(name, {**inside, kwarg: self.objects[key].pk}))
                    if outside is not None and missing is not None and outside.status_code != missing.status_code:
                        self.failures.append(
                            f"{self.role} {method.upper()} {name} {kwarg}={key}: {outside.status_code}, "
                            f"but a missing id answers {missing.status_code}"
                        )
                    elif outside is not None and expected is not None:
                        self.expect_not_found(name, method, outside, inside_response)
            for path in _malformed_paths(name, kinds, inside):
                malformed = self.request(method, path)
                if malformed is None or malformed.status_code == 404 or self.is_login_redirect(malformed):
                    continue
                if not (malformed.status_code == 405 and inside_response and inside_response.status_code == 405):
                    self.failures.append(f"{self.role} {method.upper()} {path} (malformed): {malformed.status_code}")

    @staticmethod
    def _missing(kind):
        return [f"fuzzmissing{MISSING_IDS[0]}"] if kind == "recompute_run" else MISSING_IDS

    def expect_refused(self, name, method, response):
        """An anonymous visitor is sent to log in, or refused the method before anything."""
        if not (self.is_login_redirect(response) or response.status_code == 405):
            self.failures.append(f"anonymous {method.upper()} {name}: {response.status_code}, expected the login page")

    def expect_not_found(self, name, method, response, inside_response):
        """A missing or outside id: 404, or 405 where the view refuses the method whatever the id (the
        inside one too); the login page for an anonymous visitor. No view answers 403 before its
        lookup today; one that did would have to answer it for outside and missing ids alike."""
        if response is None:
            return None
        status = response.status_code
        if self.user is None:
            self.expect_refused(name, method, response)
        elif status != 404 and not (status == 405 and inside_response and inside_response.status_code == 405):
            self.failures.append(f"{self.role} {method.upper()} {name}: {status} for a missing/outside id")
        return status


@pytest.fixture
def pdf_html(monkeypatch):
    """The HTML each PDF is drawn from, searched with the PDF (whose text is in subset fonts)."""
    rendered: list[str] = []
    original = pdf.html

    def recording(*args, **kwargs):
        text = original(*args, **kwargs)
        rendered.append(text)
        return text

    def recording_paper(paper):
        text = original_paper(paper)
        rendered.append(text)
        return text

    original_paper = papers_render.html
    monkeypatch.setattr(pdf, "html", recording)
    monkeypatch.setattr(papers_render, "html", recording_paper)
    return rendered


def _fuzz_patterns():
    return {name: pattern for name, pattern in _patterns().items() if name not in SKIPPED}


@pytest.mark.parametrize("role", ROLES)
def test_the_fuzz(role, world, db, pdf_html, capsys, request):
    # No cache.clear(): on PostgreSQL + Redis the test workers share one Redis database, and clearing
    # it dropped another test's recompute run under it. The registrations below overwrite their keys.
    _register_recompute_runs(world)
    fuzz = Fuzz(role, world, pdf_html)
    started = time.monotonic()
    patterns = _fuzz_patterns()
    for name, pattern in patterns.items():
        fuzz.run_pattern(name, pattern)
    # Summed over the roles at the end of the run (tests/conftest.py), with xdist too.
    request.node.user_properties.append(
        (
            "permission_fuzz",
            {
                "role": role,
                "patterns": len(patterns),
                "requests": fuzz.requests,
                "leaks": len(fuzz.leaks),
                "failures": len(fuzz.failures),
            },
        )
    )
    with capsys.disabled():
        print(
            f"\npermission fuzz [{role}]: {len(patterns)} URL patterns × {len(METHODS)} methods, "
            f"{fuzz.requests} requests, {len(fuzz.leaks)} leaks, {len(fuzz.failures)} failures, "
            f"{time.monotonic() - started:.1f} s"
        )
    assert fuzz.requests > 4 * len(patterns)
    assert not fuzz.leaks, "\n".join(fuzz.leaks)
    assert not fuzz.failures, "\n".join(fuzz.failures)


def test_the_fuzz_finds_a_view_that_forgets_the_scope(world, db, pdf_html, monkeypatch):
    """The fuzz can fail: with the scoping told that everyone sees everything (as a view that forgot
    its scope would do), it reports the outside units, people and citizen IDs in the pages and the
    workbook, and outside ids answering unlike missing ones."""
    from members import scoping

    monkeypatch.setattr(scoping, "_sees_everything", lambda user: True)
    fuzz = Fuzz("commune_board", world, pdf_html)
    patterns = _patterns()
    for name in (
        "members:organisation",
        "members:member",
        "reports:export_import_format",
        "reports:export_progress_pdf",
    ):
        fuzz.run_pattern(name, patterns[name])
    leaked = "\n".join(fuzz.leaks)
    for secret in ("Đảng bộ tỉnh Quế Ngoại", "Đảng bộ xã Yên", "Đảng viên Dương Ngoại", "079900000003"):
        assert secret in leaked, secret
    assert any("du-lieu.xlsx" in leak and "079900000003" in leak for leak in fuzz.leaks)
    assert any("tai-xuong.pdf" in leak and "Đảng bộ tỉnh Quế Ngoại" in leak for leak in fuzz.leaks)
    assert any("but a missing id answers 404" in failure for failure in fuzz.failures)


@pytest.mark.parametrize("token", ["abc", "a" * 300, "0:0:0", "..", "%00", "fuzz:missing:token"])
def test_a_malformed_unsubscribe_token_is_refused_without_an_error(client, db, token):
    for method in METHODS:
        response = getattr(client, method)(reverse("reports:digest_unsubscribe", kwargs={"token": token}))
        assert response.status_code == 400, (method, token)
