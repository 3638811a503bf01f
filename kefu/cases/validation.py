"""Input checks shared by the case actions. They raise ValidationFailed naming the fields."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import IO

import filetype
from django.conf import settings

from kefu.core.errors import ValidationFailed
from kefu.core.validation import require_choice as require_choice  # the shared check

ALLOWED_ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp3": "audio/mpeg",
    ".wav": "audio/x-wav",
    ".amr": "audio/amr",
    ".mp4": "video/mp4",
    ".zip": "application/zip",
    ".eml": "message/rfc822",
}
# Office formats are zip or OLE containers; sniffing reports the container.
_CONTAINER_OK = {
    ".docx": {"application/zip"},
    ".xlsx": {"application/zip"},
    ".doc": {"application/x-ole-storage", "application/msword"},
    ".xls": {"application/x-ole-storage", "application/vnd.ms-excel"},
    ".wav": {"audio/x-wav", "audio/wav"},
}


def require_text(value: str | None, field: str, *, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{field} is required", fields={field: "required"})
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            f"{field} is too long", fields={field: f"at most {max_length} characters"}
        )
    return text


def check_attachment(name: str, size: int, head: bytes) -> tuple[str, str]:
    """Validate an upload; return (safe file name, content type)."""
    safe_name = PurePath(name.replace("\\", "/")).name.strip() or "attachment"
    limit = settings.KEFU_MAX_ATTACHMENT_BYTES
    if size <= 0:
        raise ValidationFailed("the file is empty", fields={"file": "empty"})
    if size > limit:
        raise ValidationFailed(
            f"the file is larger than {limit // (1024 * 1024)} MB",
            fields={"file": f"at most {limit} bytes"},
        )
    suffix = PurePath(safe_name).suffix.lower()
    declared = ALLOWED_ATTACHMENT_TYPES.get(suffix)
    if declared is None:
        raise ValidationFailed(
            f"files of type '{suffix or safe_name}' are not accepted",
            fields={"file": "type not allowed: " + ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES))},
        )
    sniffed = filetype.guess_mime(head)
    if sniffed is not None and sniffed != declared and sniffed not in _CONTAINER_OK.get(suffix, ()):
        raise ValidationFailed(
            f"the file's content ({sniffed}) does not match its name ({suffix})",
            fields={"file": "content does not match the file type"},
        )
    if sniffed is None and suffix not in {".txt", ".csv", ".eml"}:
        raise ValidationFailed(
            f"the file's content is not a valid {suffix} file",
            fields={"file": "content does not match the file type"},
        )
    return safe_name, declared


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
