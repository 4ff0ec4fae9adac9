"""Every URL of the project, as every member of the cast, inside and outside their subtree.

A new URL fails `test_every_url_is_in_the_matrix` until it is described in ROUTES, so nothing
ships without a decision on who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.cast import add_recruitment

pytestmark = pytest.mark.django_db

# What each cast member may see, written out by hand (not computed by the scoping module under test).
VISIBLE_ORGS = {
    "sec_a": {"cell_a"},
    "sec_b": {"cell_b"},
    "commune_sec": {"commune_x", "cell_a", "cell_b"},
    "commune_board": {"commune_x", "cell_a", "cell_b"},
    "province_board": {"province", "commune_x", "commune_y", "cell_a", "cell_b", "cell_c"},
    "outsider": {"cell_c"},
}
# Where each user holds a committee role (secretary, deputy, board), which allows the committee's steps.
COMMITTEE_OVER = {
    "sec_a": set(),
    "sec_b": set(),
    "commune_sec": VISIBLE_ORGS["commune_sec"],
    "commune_board": VISIBLE_ORGS["commune_board"],
    "province_board": VISIBLE_ORGS["province_board"],
    "outsider": set(),
}
# Where each user may import from Excel: board staff and administrators only (docs/domain.md §6).
IMPORT_OVER = {
    **{key: set() for key in COMMITTEE_OVER},
    "commune_board": VISIBLE_ORGS["commune_board"],
    "province_board": VISIBLE_ORGS["province_board"],
}
ORGS = ("province", "commune_x", "commune_y", "cell_a", "cell_b", "cell_c")
# Objects of each kind, with the organisation that decides who sees them.
OBJECTS = {
    "organisation": {key: key for key in ORGS},
    "member": {"member_a": "cell_a", "member_b": "cell_b", "member_c": "cell_c"},
    "candidate": {"candidate_a": "cell_a", "candidate_b": "cell_b", "candidate_c": "cell_c"},
    "verification": {"verification_a": "cell_a", "verification_b": "cell_b", "verification_c": "cell_c"},
    # A class is seen by its organiser's subtree, including the cells that send people to it.
    "party_class": {"class_x": "commune_x", "class_y": "commune_y"},
}
CLASS_VISIBLE = {
    "class_x": {"sec_a", "sec_b", "commune_sec", "commune_board", "province_board"},
    "class_y": {"outsider", "province_board"},
}


def _pk(obj):
    return {"pk": obj.pk}


def _org(obj):
    return {"org_pk": obj.pk}


# name -> (kind of object in the URL, kwargs from that object, who may open it, status when allowed)
# "view": anyone who sees the object; "committee": a committee role over it (else 403); "import":
# board staff or an administrator role over it (else 403).
ROUTES = {
    "home": (None, None, "view", 200),
    "members:tree": (None, None, "view", 200),
    "members:tree_children": ("organisation", _pk, "view", 200),
    "members:organisation": ("organisation", _pk, "view", 200),
    "members:member": ("member", _pk, "view", 200),
    "recruitment:board": ("organisation", _org, "view", 200),
    "recruitment:propose": ("organisation", _org, "view", 200),
    "recruitment:candidate": ("candidate", _pk, "view", 200),
    "recruitment:candidate_step": ("candidate", lambda c: {"pk": c.pk, "step": "enrol"}, "view", 200),
    "recruitment:candidate_exit": ("candidate", _pk, "view", 200),
    "recruitment:candidate_return": ("candidate", _pk, "committee", 200),
    "recruitment:verification_add": ("candidate", _pk, "view", 200),
    "recruitment:verification_reply": ("verification", _pk, "view", 200),
    # Corrections: whoever records the step corrects it; every role of the cast records the cell's steps.
    "recruitment:candidate_edit": ("candidate", _pk, "view", 200),
    "recruitment:candidate_correct": ("candidate", lambda c: {"pk": c.pk, "step": "enrol"}, "view", 200),
    "recruitment:candidate_undo": ("candidate", _pk, "view", 200),
    "recruitment:verification_correct": ("verification", _pk, "view", 200),
    # The official papers of a step: the cast's candidates have no step recorded, so the page sends
    # back to the candidate (the drawn papers are tested in tests/recruitment/test_papers.py).
    "recruitment:paper_pdf": ("candidate", lambda c: {"pk": c.pk, "paper": "quyet-dinh-ket-nap"}, "view", 302),
    "recruitment:paper_docx": ("candidate", lambda c: {"pk": c.pk, "paper": "quyet-dinh-ket-nap"}, "view", 302),
    "recruitment:attachment_upload": ("candidate", _pk, "view", 200),
    "recruitment:classes": ("organisation", _org, "view", 200),
    "recruitment:class_create": ("organisation", _org, "committee", 200),
    "recruitment:class": ("party_class", _pk, "view", 200),
    "recruitment:class_enrol": ("party_class", _pk, "committee", 200),
    "recruitment:class_results": ("party_class", _pk, "committee", 200),
    "recruitment:committee_queue": ("organisation", _org, "committee", 200),
    "recruitment:deadlines": ("organisation", _org, "view", 200),
    "reports:dashboard": ("organisation", _org, "view", 200),
    "reports:dashboard_cells": ("organisation", lambda o: {"org_pk": o.pk, "which": "chua-ket-nap"}, "view", 200),
    "reports:quotas": ("organisation", _org, "committee", 200),
    "reports:export_progress_xlsx": ("organisation", _org, "view", 200),
    "reports:export_progress_pdf": ("organisation", _org, "view", 200),
    "reports:export_breakdown_xlsx": ("organisation", _org, "view", 200),
    "reports:export_deadlines_xlsx": ("organisation", _org, "view", 200),
    "reports:export_people_xlsx": ("organisation", _org, "view", 200),
    # The whole subtree in the import format, sensitive fields included: whoever may import.
    "reports:export_import_format": ("organisation", _org, "import", 200),
    "reports:import_upload": ("organisation", _org, "import", 200),
    # The empty template: example values only, no one's data.
    "reports:import_template": (None, None, "view", 200),
    # Reconciliation with the national database and the upward export: the same board-or-administrator
    # policy as the import.
    "reports:reconcile": ("organisation", _org, "import", 200),
    "reports:reconcile_upward_xlsx": ("organisation", _org, "import", 200),
    # The caller's own digest (preferences, preview); someone else's preview is tested in
    # tests/reports/digest/test_views.py (404 unless an administrator).
    "reports:digest_preferences": (None, None, "view", 200),
    "reports:digest_preview": (None, None, "view", 200),
    # The audit page and its file: administrators only (superusers, staff with reports.view_audit), so 404
    # for every member of the cast whatever their role; the administrators' side is tested in
    # tests/reports/audit/test_audit_page.py.
    "reports:audit": (None, None, "view", 404),
    "reports:audit_xlsx": (None, None, "view", 404),
    # The caller's own to-do list and notifications (issue 13 items 5 and 6; scope tested in
    # tests/recruitment/test_todo.py and test_notifications.py).
    "recruitment:todo": (None, None, "view", 200),
    "recruitment:notifications": (None, None, "view", 200),
    "recruitment:notifications_unread": (None, None, "view", 200),
    "recruitment:notification_preferences": (None, None, "view", 200),
}
# Routes outside the matrix, each with the reason.
NOT_SCOPED = {
    "login": "public: the sign-in form",
    "logout": "POST only, acts on the caller's own session",
    "set_language": "POST only, sets the caller's own language",
    "accounts:password_change": "the caller's own password; tested in tests/accounts/test_password.py",
    "accounts:otp_settings": "the caller's own second factor; tested in tests/accounts/test_second_factor.py",
    "accounts:otp_verify": "confirms the caller's own login; tested in tests/accounts/test_second_factor.py",
    "accounts:otp_enrol": "sets up the caller's own authenticator; tested in tests/accounts/test_second_factor.py",
    "accounts:otp_recovery_codes": "POST only, the caller's own recovery codes; tested in "
    "tests/accounts/test_second_factor.py",
    "recruitment:notifications_read_all": "POST only, marks the caller's own notifications read",
    "recruitment:notification_open": "takes the id of the caller's own notification; anyone else's is 404, tested "
    "in tests/recruitment/test_notifications.py",
    "reports:recompute": "POST only; 403/404 tested in tests/reports/progress/test_recompute_views.py",
    "reports:recompute_status": "takes the id of a run a POST started; scoped in "
    "tests/reports/progress/test_recompute_views.py",
    "reports:import_run": "a run is seen by its uploader only (404 for anyone else); tested in "
    "tests/reports/imports/test_import_views.py",
    "reports:import_marked": "the marked workbook of a run, seen by its uploader only; tested in "
    "tests/reports/imports/test_import_views.py",
    "reports:reconcile_xlsx": "POST only, with the token of a result the caller was just shown; 403/404 and the "
    "token's owner tested in tests/reports/reconcile/test_reconcile_views.py",
    "recruitment:attachment_download": "takes the id of a scan of the candidate's; 404 outside the subtree and for "
    "another candidate's scan tested in tests/recruitment/test_papers.py, and fuzzed in tests/test_permission_fuzz.py",
    # Member movements and unit changes (issue 13 item 4): decided by the role over the unit and the
    # unit's place (the board above it, the receiving cell), beyond what this matrix's modes say.
    **{
        f"members:{name}": "404 outside the subtree and 403 without the role, GET and POST, tested in "
        "tests/members/test_movement_pages.py; fuzzed in tests/test_permission_fuzz.py"
        for name in (
            "member_exit",
            "member_readmit",
            "member_transfer",
            "transfer_in",
            "transfers",
            "unit_create",
            "unit_dissolve",
            "unit_merge",
            "unit_rename",
            "unit_split",
        )
    },
    "reports:export_run": "a background export is seen by its requester only (404 for anyone else); tested in "
    "tests/reports/exports/test_export_jobs.py and fuzzed in tests/test_permission_fuzz.py",
    "reports:export_run_file": "the file of a background export, its requester's only; tested in "
    "tests/reports/exports/test_export_jobs.py",
    "reports:digest_unsubscribe": "public: the signed token in the URL is the credential (one-click unsubscribe, "
    "RFC 8058); tested in tests/reports/digest/test_views.py",
}


def _names(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin: staff only, tested below
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def test_every_url_is_in_the_matrix():
    names = set(_names(get_resolver()))
    missing = names - set(ROUTES) - set(NOT_SCOPED)
    assert not missing, f"URLs without a permission decision: {sorted(missing)}; add them to ROUTES"


def _expected(user_key: str, kind: str, obj_key: str, policy: str, ok_status: int) -> int:
    home = OBJECTS[kind][obj_key]
    visible = user_key in CLASS_VISIBLE[obj_key] if kind == "party_class" else home in VISIBLE_ORGS[user_key]
    if not visible:
        return 404
    if policy == "committee" and home not in COMMITTEE_OVER[user_key]:
        return 403
    if policy == "import" and home not in IMPORT_OVER[user_key]:
        return 403
    return ok_status


def _cases(cast, objects):
    for user_key, user in cast.users().items():
        for name, (kind, kwargs_for, policy, ok_status) in ROUTES.items():
            if kind is None:
                yield user_key, user, name, {}, ok_status
                continue
            for obj_key in OBJECTS[kind]:
                expected = _expected(user_key, kind, obj_key, policy, ok_status)
                yield user_key, user, name, kwargs_for(objects[obj_key]), expected


@pytest.fixture
def objects(cast):
    recruitment = add_recruitment(cast)
    return {**vars(cast), **vars(recruitment)}


def test_each_cast_member_sees_inside_and_gets_404_outside(client, cast, objects):
    failures = []
    count = 0
    for user_key, user, name, kwargs, expected in _cases(cast, objects):
        client.force_login(user)
        response = client.get(reverse(name, kwargs=kwargs))
        # A server reads each response to its end; the test client closes a streamed one (the
        # workbook downloads hold a temporary file open) only then. Calling close() directly would
        # fire request_finished, which closes a PostgreSQL test connection mid-transaction.
        if response.streaming:
            b"".join(response.streaming_content)
        count += 1
        if response.status_code != expected:
            failures.append(f"{user_key} GET {name} {kwargs}: {response.status_code}, expected {expected}")
    assert count > 300
    assert not failures, "\n".join(failures)


def test_an_anonymous_visitor_is_sent_to_login_everywhere(client, objects):
    first_of_kind = {kind: objects[next(iter(keys))] for kind, keys in OBJECTS.items()}
    for name, (kind, kwargs_for, _policy, _ok) in ROUTES.items():
        obj = first_of_kind.get(kind)
        response = client.get(reverse(name, kwargs=kwargs_for(obj) if kind else {}))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


def test_the_admin_is_for_staff_only(client, cast, django_user_model):
    client.force_login(cast.province_board)
    assert client.get(reverse("admin:index")).status_code == 302
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:members_organisation_changelist")).status_code == 200
