"""The official papers of a candidate's steps (PDF, DOCX) and the scans of the signed ones.

Thin views: each looks the candidate up in the user's subtree first (404 outside it, as for a missing
id), then asks recruitment.papers. Files are sent as attachments with `Cache-Control: no-store`, and a
scan is only ever read through `attachment_download`, never from a public media URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members.models import Organisation
from partyhub.forms import show_refusal

from .. import scoping as pipeline_scoping
from ..forms.papers import AttachmentForm
from ..models import StepAttachment
from ..papers import content, selectors
from ..papers import render as papers_render
from ..papers.catalogue import PAPERS
from ..selectors import pipeline
from .candidate import Crumb


def _breadcrumbs(user, candidate) -> list:
    ancestors = list(Organisation.objects.get_ancestors(candidate.cell))
    crumbs = [*pipeline.visible_ancestors(user, ancestors), candidate.cell]
    return [*crumbs, Crumb(candidate.person.full_name, candidate.get_absolute_url())]


def _no_store(response):
    patch_cache_control(response, no_store=True, private=True)
    return response


def _paper(request, pk, paper):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    if paper not in PAPERS:
        raise Http404(_("Không có mẫu giấy tờ này."))
    built = content.paper(paper, selectors.records_for(candidate))
    if built is None:
        messages.warning(request, _("Bước của giấy tờ này chưa được ghi nhận, chưa có gì để in."))
        return candidate, None
    return candidate, built


def _filename(candidate, paper: str, ext: str) -> str:
    return f"{PAPERS[paper].stem}-{candidate.pk}.{ext}"


@login_required
@require_GET
def paper_pdf(request, pk, paper):
    candidate, built = _paper(request, pk, paper)
    if built is None:
        return redirect(candidate)
    response = HttpResponse(papers_render.pdf(built), content_type=papers_render.PDF)
    response["Content-Disposition"] = f'attachment; filename="{_filename(candidate, paper, "pdf")}"'
    return _no_store(response)


@login_required
@require_GET
def paper_docx(request, pk, paper):
    candidate, built = _paper(request, pk, paper)
    if built is None:
        return redirect(candidate)
    response = HttpResponse(papers_render.docx(built), content_type=papers_render.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(candidate, paper, "docx")}"'
    return _no_store(response)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_upload(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    steps = selectors.records_for(candidate).recorded_steps()
    form = AttachmentForm(request.POST or None, request.FILES or None, candidate=candidate, steps=steps)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = form.record(by=request.user)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Đã lưu bản quét “%(name)s” vào bước “%(step)s”.")
                % {"name": attachment.original_name, "step": attachment.get_step_display()},
            )
            return redirect(f"{candidate.get_absolute_url()}#papers")
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate),
        "form": form,
        "steps": steps,
        "title": _("Đính kèm bản quét giấy tờ đã ký"),
    }
    return render(request, "recruitment/papers/upload.html", context)


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    try:
        attachment = StepAttachment.objects.get(candidate=candidate, pk=attachment_pk)
    except StepAttachment.DoesNotExist:
        raise Http404(_("Không tìm thấy bản quét trong phạm vi của bạn.")) from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    return _no_store(response)
