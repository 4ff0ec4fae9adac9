"""Every URL of the project, as every member of the cast, inside and outside their subtree.

A new URL fails `test_every_url_is_in_the_matrix` until it is described in ROUTES, so nothing
ships without a decision on who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
MEMBER_CELL = {"member_a": "cell_a", "member_b": "cell_b", "member_c": "cell_c"}

# name -> (kind of object in the URL, how to make kwargs from that object, status when allowed)
ROUTES = {
    "home": (None, None, 302),
    "members:tree": (None, None, 200),
    "members:tree_children": ("organisation", lambda o: {"pk": o.pk}, 200),
    "members:organisation": ("organisation", lambda o: {"pk": o.pk}, 200),
    "members:member": ("member", lambda m: {"pk": m.pk}, 200),
}
# Routes outside the matrix, each with the reason.
NOT_SCOPED = {
    "login": "public: the sign-in form",
    "logout": "POST only, acts on the caller's own session",
    "set_language": "POST only, sets the caller's own language",
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


def _cases(cast):
    for user_key, user in cast.users().items():
        for name, (kind, kwargs_for, ok_status) in ROUTES.items():
            if kind is None:
                yield user_key, user, name, {}, ok_status
            elif kind == "organisation":
                for org_key in ("province", "commune_x", "commune_y", "cell_a", "cell_b", "cell_c"):
                    expected = ok_status if org_key in VISIBLE_ORGS[user_key] else 404
                    yield user_key, user, name, kwargs_for(getattr(cast, org_key)), expected
            elif kind == "member":
                for member_key, cell_key in MEMBER_CELL.items():
                    expected = ok_status if cell_key in VISIBLE_ORGS[user_key] else 404
                    yield user_key, user, name, kwargs_for(getattr(cast, member_key)), expected
            else:
                raise AssertionError(f"unknown object kind {kind!r} for {name}")


def test_each_cast_member_sees_inside_and_gets_404_outside(client, cast):
    failures = []
    count = 0
    for user_key, user, name, kwargs, expected in _cases(cast):
        client.force_login(user)
        response = client.get(reverse(name, kwargs=kwargs))
        count += 1
        if response.status_code != expected:
            failures.append(f"{user_key} GET {name} {kwargs}: {response.status_code}, expected {expected}")
    assert count > 50
    assert not failures, "\n".join(failures)


def test_an_anonymous_visitor_is_sent_to_login_everywhere(client, cast):
    for name, (kind, kwargs_for, _ok) in ROUTES.items():
        obj = {"organisation": cast.cell_a, "member": cast.member_a}.get(kind)
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
