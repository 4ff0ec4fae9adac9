from . import second_factor


def second_factor_menu(request) -> dict:
    """Whether the user menu offers the second-factor page (its holder's roles are already cached)."""
    user = getattr(request, "user", None)
    required = user is not None and second_factor.is_required(user)
    return {
        "second_factor_required": required,
        # Signed in but not yet past the second factor: the pages that poll for something of the
        # user's own (the notifications' bell) wait, or their request would be sent to the code page.
        "second_factor_pending": required and not second_factor.is_verified(user),
    }
