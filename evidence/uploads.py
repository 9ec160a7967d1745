"""Uploaded files made safe to keep: typed by their content, decoded, and re-encoded.

What is stored is never the bytes that were sent. A picture is decoded by Pillow (under a pixel
limit) and saved again, which drops anything riding along (a page or a script after the image
data, GPS and other EXIF) while its date is kept in the database. A PDF is parsed, refused if it
carries scripts or embedded files, and written out again by pypdf, which leaves out bytes outside
its objects. A CSV is parsed and written again with spreadsheet formulas neutralised. Anything
else, a web page or an SVG above all, is refused."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime

import imagehash
import magic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from core.csv_stream import neutralise
from core.errors import InvalidInput

JPEG, PNG, WEBP, PDF, CSV = "image/jpeg", "image/png", "image/webp", "application/pdf", "text/csv"
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
TEXT_TYPES = {"text/plain", "text/csv", "application/csv"}
# What libmagic calls markup or code: a browser or a server would run it.
ACTIVE_TYPES = {
    "text/html",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "application/xhtml+xml",
    "text/x-php",
    "text/javascript",
    "application/javascript",
    "text/x-shellscript",
    "application/x-shockwave-flash",
}
# Markup inside a file that otherwise reads as text (a page with a comma on its first line).
MARKUP = re.compile(
    r"<\s*(?:script|html|body|head|svg|iframe|object|embed|meta|link|style|img|form|base"
    r"|!doctype|\?php|\?xml)\b|<\?=|javascript:",
    re.IGNORECASE,
)
# PDF names that make a document run code, launch programs or carry other files.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
}
PDF_MAX_OBJECTS = 200_000  # a walk past this many objects is a bomb, not a scan
SNIFF_BYTES = 64 * 1024
EXIF_IFD, DATE_TIME_ORIGINAL, DATE_TIME = 0x8769, 0x9003, 0x0132
FLAT_CONTRAST = 8  # grey levels between the darkest and the brightest pixel


@dataclass(frozen=True)
class CleanFile:
    """An upload as it will be stored: re-encoded content and what the checks read from it."""

    name: str
    content_type: str
    content: bytes
    sha256: str
    perceptual_hash: str = ""
    taken_at: datetime | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def upload_name(upload: UploadedFile) -> str:
    """The uploader's file name without any folder, for messages and the download name."""
    return (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or "file"


def clean_upload(upload: UploadedFile) -> CleanFile:
    """Check one upload and return what is to be stored, or refuse it with a reason."""
    name = upload_name(upload)
    limit = settings.ARBITER["EVIDENCE_MAX_FILE_BYTES"]
    if upload.size == 0:
        raise _refused(_("%(name)s is empty.") % {"name": name}, _("The file is empty."))
    if upload.size > limit:
        raise _refused(
            _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)},
            _("The file is too large."),
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    detected = magic.from_buffer(data[:SNIFF_BYTES], mime=True)
    if detected in PILLOW_FORMATS:
        return _clean_picture(name, data, detected)
    if detected == PDF:
        return _clean_pdf(name, data)
    if detected in TEXT_TYPES:
        return _clean_csv(name, data)
    if detected in ACTIVE_TYPES:
        raise _active(name)
    raise _refused(
        _("%(name)s is not a JPEG, PNG, WebP, PDF or CSV file.") % {"name": name},
        _("This type of file is not accepted."),
    )


def _refused(message: str, field_error: str) -> InvalidInput:
    return InvalidInput(message, fields={"file": [field_error]})


def _active(name: str) -> InvalidInput:
    return _refused(
        _("%(name)s contains a web page, a script or an embedded file, which is not accepted.")
        % {"name": name},
        _("Files with web pages, scripts or embedded files are not accepted."),
    )


def _unreadable(name: str, kind: str) -> InvalidInput:
    return _refused(
        _("%(name)s cannot be read as a %(kind)s file; it may be damaged.")
        % {"name": name, "kind": kind},
        _("The file cannot be read."),
    )


def _clean_file(name: str, content_type: str, content: bytes, **read) -> CleanFile:
    return CleanFile(
        name=name,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        **read,
    )


# --- pictures -----------------------------------------------------------------------------------


def _clean_picture(name: str, data: bytes, content_type: str) -> CleanFile:
    max_pixels = settings.ARBITER["EVIDENCE_MAX_IMAGE_PIXELS"]
    kind = PILLOW_FORMATS[content_type]
    try:
        # open() reads the header only: the size is known before a pixel is decoded.
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            if image.width * image.height > max_pixels:
                raise _too_many_pixels(name, image.width, image.height, max_pixels)
            image.load()
            taken_at = _taken_at(image.getexif())
            upright = ImageOps.exif_transpose(image)
            phash = _perceptual_hash(upright)
            content = _encode_picture(upright, kind, icc_profile=image.info.get("icc_profile"))
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name, 0, 0, max_pixels) from exc
    except (OSError, ValueError, SyntaxError) as exc:  # what Pillow raises for broken data
        raise _unreadable(name, kind) from exc
    return _clean_file(name, content_type, content, perceptual_hash=phash, taken_at=taken_at)


def _too_many_pixels(name: str, width: int, height: int, max_pixels: int) -> InvalidInput:
    return _refused(
        _("%(name)s is %(width)s × %(height)s pixels; pictures may have at most %(mp)s megapixels.")
        % {"name": name, "width": width, "height": height, "mp": max_pixels // 1_000_000},
        _("The picture is too large."),
    )


def _taken_at(exif: Image.Exif) -> datetime | None:
    """When the camera says the picture was taken; cameras rarely say their zone: read as UTC."""
    for stamp in (exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL), exif.get(DATE_TIME)):
        try:
            return datetime.strptime(str(stamp).strip("\x00 ") + "+0000", "%Y:%m:%d %H:%M:%S%z")
        except ValueError:
            continue
    return None


def _perceptual_hash(image: Image.Image) -> str:
    # A flat picture (blank, one colour) hashes like every other flat one: nothing to recognise
    # it by, so it is never called the same picture as another.
    darkest, brightest = image.convert("L").getextrema()
    return "" if brightest - darkest < FLAT_CONTRAST else str(imagehash.phash(image))


def _encode_picture(image: Image.Image, kind: str, *, icc_profile: bytes | None) -> bytes:
    """The first frame, saved anew without EXIF (no GPS), with its colour profile."""
    modes = {"JPEG": ("RGB", "L"), "WEBP": ("RGB", "RGBA"), "PNG": ("1", "L", "LA", "RGB", "RGBA")}
    if image.mode not in modes[kind]:
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and kind != "JPEG" else "RGB")
    buffer = io.BytesIO()
    options = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, kind, **options)
    return buffer.getvalue()


# --- PDFs ---------------------------------------------------------------------------------------


def _clean_pdf(name: str, data: bytes) -> CleanFile:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refused(
                _("%(name)s is protected by a password; upload it without the password.")
                % {"name": name},
                _("Password-protected PDFs are not accepted."),
            )
        if _has_active_content(reader.trailer):
            raise _active(name)
        writer = PdfWriter(clone_from=reader)
        buffer = io.BytesIO()
        writer.write(buffer)
    except InvalidInput:
        raise
    except Exception as exc:  # a hostile PDF can break the parser in any way: it is unreadable
        raise _unreadable(name, "PDF") from exc
    return _clean_file(name, PDF, buffer.getvalue())


def _has_active_content(root: DictionaryObject) -> bool:
    """Whether anything reachable from the trailer runs code or carries another file."""
    seen: set[tuple[int, int]] = set()
    pending: list = [root]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, DictionaryObject):
            if PDF_ACTIVE_KEYS.intersection(node.keys()):
                return True
            if str(node.get("/S", "")) in PDF_ACTIVE_ACTIONS:
                return True
            pending.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return False


# --- CSV ----------------------------------------------------------------------------------------


def _clean_csv(name: str, data: bytes) -> CleanFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refused(
            _("%(name)s is not UTF-8 text; save the CSV as UTF-8 and upload it again.")
            % {"name": name},
            _("The CSV must be UTF-8 text."),
        ) from exc
    if "\x00" in text:
        raise _unreadable(name, "CSV")
    if MARKUP.search(text):
        raise _active(name)
    first_line = text.split("\n", 1)[0]
    delimiters = [d for d in (",", ";", "\t") if d in first_line]
    if not delimiters:
        raise _refused(
            _("%(name)s is not a JPEG, PNG, WebP, PDF or CSV file.") % {"name": name},
            _("This type of file is not accepted."),
        )
    out = io.StringIO()
    newline = "\r\n" if "\r\n" in text else "\n"  # the sender's line ends, as they were
    writer = csv.writer(out, delimiter=delimiters[0], lineterminator=newline)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiters[0]):
            writer.writerow([neutralise(cell) for cell in row])
    except csv.Error as exc:  # a field past the csv module's limit, a quote never closed
        raise _unreadable(name, "CSV") from exc
    return _clean_file(name, CSV, out.getvalue().encode())
