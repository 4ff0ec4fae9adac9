from django.utils.functional import SimpleLazyObject

from members import scoping


def pipeline_menu(request) -> dict:
    """The navbar's link to the pipeline board of the user's first organisation (their roles are already
    cached: no query). The bell's unread count is fetched by the page after it loads (htmx,
    `recruitment:notifications_unread`), so no page pays a query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_superuser:
        return {}
    return {"board_organisations": SimpleLazyObject(lambda: scoping.top_organisations_for(user)[:1])}
