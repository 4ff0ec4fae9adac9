"""The admission board of an organisation: a cell's candidates, or a committee's whole subtree.

Each column shows the COLUMN_LIMIT cards waiting longest; `?giai_doan=<stage>` lists the whole stage page
by page (`&trang=N`), the search kept.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from members import scoping
from members.models import Organisation
from partyhub import pagecache
from partyhub.pagination import paginate

from ..selectors import pipeline, stage_times
from ..vocabulary import Stage


@login_required
@require_GET
def board(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    query = request.GET.get("q", "").strip()[:100]
    ancestors = pipeline.visible_ancestors(request.user, list(Organisation.objects.get_ancestors(organisation)))
    context = {
        "organisation": organisation,
        "breadcrumbs": [*ancestors, organisation],
        "query": query,
        "column_limit": pipeline.COLUMN_LIMIT,
        "show_cell": not organisation.is_cell,
    }
    stage = request.GET.get("giai_doan", "")
    today = timezone.localdate()
    if stage in pipeline.BOARD_STAGES:
        # The stage's usual time in this subtree, so a card stuck for a year does not look like one of a week.
        usual = stage_times.usual_days([organisation.path], today)
        candidates = pipeline.stage_candidates(organisation=organisation, user=request.user, stage=stage, query=query)
        page, querystring = paginate(request, candidates, pipeline.STAGE_PAGE_SIZE)
        context.update(
            stage=stage,
            stage_label=Stage(stage).label,
            page=page,
            querystring=querystring,
            cards=[pipeline.card_for(c, today, usual) for c in page.object_list],
        )
        return render(request, "recruitment/board_stage.html", context)
    # Computed only when the rendered board is not kept (partyhub/pagecache.py). The cards are the ones
    # this user sees (recruitment.scoping), so the board is kept per user, until the records change.
    context["board"] = SimpleLazyObject(
        lambda: pipeline.board(
            organisation=organisation,
            user=request.user,
            today=today,
            query=query,
            usual=stage_times.usual_days([organisation.path], today),
        )
    )
    context["board_key"] = pagecache.live_key("board", organisation.pk, request.user.pk, today, query)
    return render(request, "recruitment/board.html", context)
