"""Which photo formats the site reads, and what to call the ones it cannot.

Pillow reads JPEG, PNG, WebP, GIF, TIFF and BMP itself, and AVIF since 11.3.
HEIF/HEIC, the iPhone's default format, needs the pillow-heif plugin: its opener
is registered once per process, before the first photo is opened (`read_heif`,
called by `lantoa.images` wherever it opens one), so every process that opens
photos (the build, `lantoa check`, their worker processes) can read them, and
one that opens none (an edit of a profile's text) does not load libheif.

An editor who sends a Photoshop file or a camera's RAW file needs to hear which
format it is and that exporting to JPEG fixes it, not that the file "is not an
image". `unsupported_format` names such files from their first bytes, because
Pillow either cannot identify them or, worse for a TIFF-based RAW, would quietly
publish its small embedded preview.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, features


@cache
def read_heif() -> None:
    """Let Pillow open HEIF photos in this process (once; some 20 ms of loading libheif)."""
    from pillow_heif import register_heif_opener

    # libheif already applies the file's rotation (irot/imir) while decoding and
    # pillow-heif then resets the EXIF orientation to 1, so ImageOps.exif_transpose
    # never turns a HEIC photo twice.
    register_heif_opener()

# Pillow's format name → the file name endings that format may have (lower case).
EXTENSIONS: dict[str, set[str]] = {
    "JPEG": {".jpg", ".jpeg", ".jfif"},
    "MPO": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "GIF": {".gif"},
    "TIFF": {".tif", ".tiff"},
    "BMP": {".bmp"},
    "HEIF": {".heic", ".heif", ".hif"},
    "AVIF": {".avif"},
}
ACCEPTED_FORMATS = frozenset(EXTENSIONS)

# Names an editor recognises, for formats Pillow identifies but the site refuses.
_LABELS = {
    "PSD": "Photoshop (PSD)",
    "JPEG2000": "JPEG 2000",
    "ICO": "ICO (biểu tượng)",
    "ICNS": "ICNS (biểu tượng)",
    "EPS": "EPS",
    "PDF": "PDF",
}

# First bytes of formats the site cannot read: (offset, bytes, name shown to the editor).
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"8BPS", "Photoshop (PSD)"),
    (0, b"\xff\x0a", "JPEG XL"),
    (0, b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (4, b"ftypcrx ", "RAW của máy ảnh Canon (CR3)"),
    (0, b"FUJIFILMCCD-RAW", "RAW của máy ảnh Fujifilm (RAF)"),
    (0, b"IIRO", "RAW của máy ảnh Olympus (ORF)"),
    (0, b"IIRS", "RAW của máy ảnh Olympus (ORF)"),
    (0, b"MMOR", "RAW của máy ảnh Olympus (ORF)"),
    (0, b"IIU\x00", "RAW của máy ảnh Panasonic (RW2)"),
    (0, b"II\x1a\x00\x00\x00HEAPCCDR", "RAW của máy ảnh Canon (CRW)"),
    (0, b"FOVb", "RAW của máy ảnh Sigma (X3F)"),
    (0, b"%PDF-", "PDF"),
)
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")
_DNG_VERSION = 50706  # TIFF tag present only in Adobe DNG files
_SUB_IFDS = 330  # TIFF tag for further full-size images: the sensor data of a camera RAW

# ISO base media "ftyp" brands of HEIF and AVIF photos: a file with one of these
# that cannot be decoded is a broken photo, not something that is not a photo.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}


def unsupported_format(data: bytes) -> str | None:
    """The name of a known photo format the site cannot read, from its first bytes."""
    for offset, signature, name in _SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return name
    if data[4:12] in (b"ftypavif", b"ftypavis") and not features.check_module("avif"):
        return "AVIF"  # a Pillow built without libavif
    if data[:4] in _TIFF_HEADERS and data[8:10] == b"CR":
        return "RAW của máy ảnh Canon (CR2)"
    head = data[:1024].lstrip()
    if head.startswith((b"<?xml", b"<svg", b"\xef\xbb\xbf<")) and b"<svg" in head:
        return "SVG"
    return None


def unsupported_variant(image: Image.Image) -> str | None:
    """The name of a format Pillow opened but the site refuses, or None if it is accepted."""
    if image.format not in ACCEPTED_FORMATS:
        return _LABELS.get(image.format or "", image.format or "không rõ")
    if image.format == "TIFF":
        tags = getattr(image, "tag_v2", {})
        if _DNG_VERSION in tags:
            return "RAW (DNG)"
        if _SUB_IFDS in tags:
            return "RAW của máy ảnh"
    return None


def looks_like_heif(data: bytes) -> bool:
    """A HEIF or AVIF container, judged by its brand alone (the rest may be broken)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS
