"""Scans of signed papers: what an upload must be, and storing it through Django's storage API.

A file is accepted when its first bytes say it is a PDF (`%PDF-`), a PNG or a JPEG, whatever its name
or the browser's content type claim, and when it is no larger than PARTYHUB_ATTACHMENT_MAX_BYTES. It is
stored under a random name (`papers/<candidate id>/<hex>.<ext>`) in settings.STORAGES["default"] (local
disk by default, any S3-compatible store in production) and served only by the scoped view.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partyhub.numbers import number

from ..models import Candidate, StepAttachment
from . import selectors
from .catalogue import AttachmentStep

# (magic bytes, content type, extension): the only kinds of file a scan may be.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def max_bytes() -> int:
    return settings.PARTYHUB_ATTACHMENT_MAX_BYTES


def megabytes(size: int) -> str:
    return number(size / (1024 * 1024), 1)


def sniff(upload) -> tuple[str, str] | None:
    """(content type, extension) read from the file's first bytes, or None for any other kind of file."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def check_upload(upload) -> tuple[str, str]:
    """Refuse a file that is too large, empty, or not a PDF or an image; return (content type, extension)."""
    name = os.path.basename(upload.name or "")
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size)s MB, vượt quá giới hạn %(limit)s MB cho mỗi bản quét."),
            code="too_large",
            params={"name": name, "size": megabytes(upload.size), "limit": megabytes(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” trống."), code="empty", params={"name": name})
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải PDF hoặc ảnh (PNG, JPEG): chỉ nhận bản quét dạng PDF, PNG hoặc JPEG "
                "(kiểm tra theo nội dung tệp, không theo tên tệp)."
            ),
            code="not_pdf_or_image",
            params={"name": name},
        )
    return kind


def attach(*, candidate: Candidate, step: str, upload, by) -> StepAttachment:
    """Store the scan and record it against a step the candidate has on file."""
    if step not in selectors.records_for(candidate).recorded_steps():
        message = _("Bước “%(step)s” chưa được ghi nhận: chưa thể đính kèm giấy tờ.")
        raise ValidationError({"step": message % {"step": AttachmentStep(step).label}})
    content_type, ext = check_upload(upload)
    original = os.path.basename(upload.name or "")[:255] or f"ban-quet.{ext}"
    attachment = StepAttachment(
        candidate=candidate,
        step=step,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(f"scan.{ext}", upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)  # no stored file without its row
        raise
    return attachment
