from . import second_factor


def second_factor_menu(request) -> dict:
    """Whether the user menu offers the second-factor page (its holder's roles are already cached)."""
    user = getattr(request, "user", None)
    return {"second_factor_required": user is not None and second_factor.is_required(user)}
