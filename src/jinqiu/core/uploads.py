"""Checks on an uploaded file before it is stored through the storage API."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# Magic numbers of the photo formats phones produce.
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def is_image(head: bytes) -> bool:
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return webp or any(head.startswith(sig) for sig in IMAGE_SIGNATURES)


def check_upload(upload: UploadedFile, *, image: bool, field: str = "file") -> None:
    """Refuse an empty file, one over JINQIU_UPLOAD_MAX_MB, and (for a photo) one that is not an image."""
    limit = settings.JINQIU_UPLOAD_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise ValidationError({field: [_("The file is larger than %(mb)d MB.") % {"mb": limit}]})
    if upload.size == 0:
        raise ValidationError({field: [_("The file is empty.")]})
    if image:
        head = upload.read(16)
        upload.seek(0)
        if not is_image(head):
            raise ValidationError({field: [_("This file is not a JPEG, PNG, GIF or WebP image.")]})
