"""One way to cut a long list into pages: `?trang=N`, the other parameters (the filters) kept in the links.

The pager (templates/_pagination.html) reads `page`, `querystring`, `anchor` and, for a second list on the
same page, `page_param` from the context; a link from before the parameter was named in Vietnamese
(`?page=N`) still opens its page.
"""

from django.core.paginator import Page, Paginator

PAGE_PARAM = "trang"
OLD_PAGE_PARAM = "page"


def paginate(request, object_list, per_page: int, param: str = PAGE_PARAM) -> tuple[Page, str]:
    """The requested page of `object_list` (the last one past the end, the first one for nonsense) and the
    query string of the request without that page number, for the pager's links."""
    names = (param, OLD_PAGE_PARAM) if param == PAGE_PARAM else (param,)
    number = next((request.GET[name] for name in names if request.GET.get(name)), None)
    page = Paginator(object_list, per_page).get_page(number)
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return page, query.urlencode()
