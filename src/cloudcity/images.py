"""Which pictures we keep, told by their first bytes (a header can say anything)."""

from __future__ import annotations

# The types a customer's reference photo may be, and the extension its file is stored with.
IMAGE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "image/heif": "heif",
}
# What a browser shows inline: HEIC/HEIF are offered as a download instead.
SHOWN_INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
HEAD_BYTES = 32  # enough of a file's start for every signature below
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})


def sniff(head: bytes) -> str | None:
    """The image type the bytes begin with (one of IMAGE_TYPES), or None when not an image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":  # ISO base media file: the major brand says which
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _HEIF_BRANDS:
            return "image/heif"
    return None


def declared_type(header: str | None) -> str | None:
    """A Content-Type header's media type, lower case and without parameters."""
    if not header:
        return None
    return header.split(";", 1)[0].strip().lower() or None


def is_image_type(header: str | None) -> bool:
    """True when a declared Content-Type is one of the image types we keep."""
    return declared_type(header) in IMAGE_TYPES
