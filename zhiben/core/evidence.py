"""Evidence files for every module: checked by content (not by name), size-limited, stored under their
SHA-256, thumbnailed; and the multi-file form field that collects them.

A module keeps its attachments in a subclass of `core.models.EvidenceFile` and stores an upload with
`store_upload(attachment, upload, size_rule="<module>.attachment_max_mb", region_code=...)`: the size
limit is that module's rule (a `RuleDef` of kind "megabytes"), so each jurisdiction may set its own.
`core.views.evidence_response` serves the stored file back.

Files go through Django's storage API (settings.STORAGES["default"]), so pointing that at an
S3-compatible backend later moves evidence without code changes.
"""

import hashlib
import io
import warnings
from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile

from .exceptions import ApplicationError
from .rules import rule

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CLAIMED = {
    "jpg": "图片",
    "jpeg": "图片",
    "png": "图片",
    "webp": "图片",
    "gif": "图片",
    "heic": "图片",
    "pdf": "PDF 文件",
    "docx": "Word 文件",
    "doc": "Word 文件",
    "xlsx": "Excel 文件",
    "xls": "Excel 文件",
}
ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx"  # what the file picker offers; the content check decides
# Pillow's decompression-bomb warning: `open_image` refuses those images itself, with a Chinese message.
warnings.filterwarnings("ignore", message=r"Image size \(\d+ pixels\) exceeds limit", module="PIL")


def sniff(data):
    """Return (content_type, extension) from the bytes, or raise ApplicationError."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if data.startswith(ZIP_MAGIC):
        head = data[:4000]
        if b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
        if b"xl/" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        if b"[Content_Types].xml" in head:
            import zipfile

            from .excel import ZIP_ERRORS

            try:
                names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            except ZIP_ERRORS:
                names = []
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    if data.startswith(OLE_MAGIC):
        return "application/x-ole-storage", "doc"
    from PIL import UnidentifiedImageError

    try:
        with open_image(data) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind in IMAGE_TYPES:
        return IMAGE_TYPES[kind]
    raise ApplicationError("文件内容不是可接受的格式：只接受 JPG/PNG/WebP/GIF 图片、PDF、Word 或 Excel 文件。")


class ImageTooLarge(ApplicationError):
    """An image declaring more pixels than settings.IMAGE_MAX_PIXELS."""


@contextmanager
def open_image(data):
    """`PIL.Image.open` on bytes, refusing decompression bombs: a small file that declares more than
    settings.IMAGE_MAX_PIXELS pixels is an ImageTooLarge (ApplicationError) before any pixel is decoded.

    Pillow itself only warns between MAX_IMAGE_PIXELS and twice that, and then decodes anyway; the size
    is checked here instead (the header is all `open` reads), without touching the process-wide
    warning filters, which other threads share."""
    from PIL import Image

    limit = settings.IMAGE_MAX_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageTooLarge(_too_many_pixels(limit)) from None
    with image:
        if image.width * image.height > limit:
            raise ImageTooLarge(_too_many_pixels(limit))
        yield image


def _too_many_pixels(limit):
    return f"图片尺寸过大（超过 {limit / 10_000:,.0f} 万像素），可能是恶意构造的图片，已拒绝。请缩小后再上传。"


def thumbnail(data, size=(320, 320)):
    """A JPEG thumbnail of image bytes (EXIF orientation applied)."""
    from PIL import ImageOps

    with open_image(data) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(size)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()


def _too_large(name, size, limit_mb):
    return ApplicationError(f"文件“{name}”过大：{size / 1048576:.1f} MB，上限 {limit_mb} MB。")


def read_upload(upload, *, max_mb):
    """Validate an uploaded file of at most `max_mb` MB → dict of evidence fields plus ContentFile objects."""
    name = getattr(upload, "name", "") or "file"
    size = getattr(upload, "size", None)
    if size is not None and size > max_mb * 1024 * 1024:
        raise _too_large(name, size, max_mb)
    data = upload.read()
    if not data:
        raise ApplicationError(f"文件“{name}”为空。")
    if len(data) > max_mb * 1024 * 1024:
        raise _too_large(name, len(data), max_mb)
    try:
        content_type, ext = sniff(data)
    except ImageTooLarge as exc:
        raise ApplicationError(f"文件“{name}”：{exc.message}") from None
    except ApplicationError:
        claimed = CLAIMED.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
        if claimed:
            raise ApplicationError(f"文件“{name}”扩展名显示为{claimed}，但内容不是{claimed}，已拒绝。") from None
        raise ApplicationError(f"文件“{name}”的内容不是可接受的格式：只接受图片、PDF、Word 或 Excel 文件。") from None
    digest = hashlib.sha256(data).hexdigest()
    fields = {
        "original_name": name[:200],
        "content_type": content_type,
        "size": len(data),
        "sha256": digest,
        "content": ContentFile(data, name=f"{digest}.{ext}"),
    }
    if content_type.startswith("image/"):
        fields["thumb"] = ContentFile(thumbnail(data), name=f"{digest}.jpg")
    return fields


def store_upload(attachment, upload, *, size_rule, region_code=""):
    """Check `upload` by content and against the size rule `size_rule` of `region_code`, fill the
    evidence fields of the unsaved `attachment` (an EvidenceFile), store the file (and a thumbnail for
    images) and save the row."""
    fields = read_upload(upload, max_mb=rule(size_rule, region_code))
    for name in ("original_name", "content_type", "size", "sha256"):
        setattr(attachment, name, fields[name])
    attachment.file.save(fields["content"].name, fields["content"], save=False)
    if "thumb" in fields:
        attachment.thumbnail.save(fields["thumb"].name, fields["thumb"], save=False)
    attachment.save()
    return attachment


# ---------------------------------------------------------------- the form field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list (empty when none was chosen)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


SHRINK_OVER = 1024 * 1024  # photos up to this size are sent as they are


def photo_attrs():
    """The input attributes that have the browser shrink large photos before sending them (static/zhiben/uploads.js:
    at most settings.PHOTO_SHRINK_PX pixels on the long side); none when that setting is 0."""
    side = settings.PHOTO_SHRINK_PX
    return {"data-shrink-px": side, "data-shrink-over": SHRINK_OVER} if side else {}


def evidence_field(label="照片/材料", *, camera=True, shrink=True):
    """An optional multi-file evidence field; with `camera`, phones offer to take a photo directly; with `shrink`,
    large photos are shrunk on the phone before they are sent (`photo_attrs`)."""
    attrs = {"accept": ACCEPT} | ({"capture": "environment"} if camera else {}) | {"multiple": True}
    return MultipleFileField(
        label=label, required=False, widget=MultipleFileInput(attrs=attrs | (photo_attrs() if shrink else {}))
    )
