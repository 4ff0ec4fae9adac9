from . import scoping


def roles(request) -> dict:
    """The signed-in user's role assignments for the navigation bar (one cached query)."""
    user = getattr(request, "user", None)
    return {"my_roles": scoping.role_assignments(user) if user is not None else []}
