"""The start page "Việc cần làm" (recruitment/selectors/todo.py) and one of its sections page by page.

`home` is the project's "" URL: a user with a role lands on their to-do list; anyone else keeps the
members app's start (the tree for a superuser, the "no role" page otherwise).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import scoping
from members import views as member_views
from partyhub.pagination import paginate

from ..selectors import stage_times, todo


@login_required
@require_GET
def home(request):
    if not scoping.role_assignments(request.user):
        return member_views.home(request)
    return todo_page(request)


@login_required
@require_GET
def todo_page(request):
    if not scoping.role_assignments(request.user) and not request.user.is_superuser:
        return member_views.home(request)
    today = timezone.localdate()
    kind = request.GET.get("muc", "")
    if kind:
        return _section_page(request, kind, today)
    context = {
        "todo": todo.todo_for(request.user, today),
        "organisations": scoping.top_organisations_for(request.user),
    }
    return render(request, "recruitment/todo.html", context)


def _section_page(request, kind: str, today):
    usual = stage_times.usual_days(todo.user_paths(request.user), today)
    if todo.is_candidate_kind(kind):
        rows = todo.candidate_rows(request.user, kind, today, usual)
        page, querystring = paginate(request, rows, todo.ROWS_PER_PAGE)
        items = todo.candidate_items(request.user, kind, list(page.object_list), today, usual)
        title = str(todo.CANDIDATE_SECTIONS[kind][1])
    elif todo.is_deadline_kind(kind):
        section = todo.deadline_rows(request.user, today).section(kind)
        page, querystring = paginate(request, section.rows, todo.ROWS_PER_PAGE)
        rows = list(page.object_list)
        items = todo.deadline_items(request.user, kind, rows, todo._cells(rows))
        title = str(todo._DEADLINE_TITLES[kind])
    else:
        raise Http404("Không có mục này.")
    context = {"kind": kind, "title": title, "items": items, "page": page, "querystring": querystring, "today": today}
    return render(request, "recruitment/todo_section.html", context)
