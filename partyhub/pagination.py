"""One way to cut a long list into pages: `?trang=N`, the other parameters (the filters) kept in the links.

The pager (templates/_pagination.html) reads `page`, `querystring` and `anchor` from the context; a link
from before the parameter was named in Vietnamese (`?page=N`) still opens its page.
"""

from django.core.paginator import Page, Paginator

PAGE_PARAM = "trang"
OLD_PAGE_PARAM = "page"


def paginate(request, object_list, per_page: int) -> tuple[Page, str]:
    """The requested page of `object_list` (the last one past the end, the first one for nonsense) and the
    query string of the request without the page number, for the pager's links."""
    number = request.GET.get(PAGE_PARAM) or request.GET.get(OLD_PAGE_PARAM)
    page = Paginator(object_list, per_page).get_page(number)
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    query.pop(OLD_PAGE_PARAM, None)
    return page, query.urlencode()
