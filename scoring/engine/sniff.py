"""What a file really is, from its first bytes — never from its name — before any library sees
it: an .xlsx/.xlsm zip, a legacy .xls, an encrypted workbook, CSV text (UTF-8, GB18030 or UTF-16,
with its byte order mark or without), or something else pretending to be a workbook: an HTML or XML file,
an .xlsb, text in an encoding that cannot be told."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from enum import Enum
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
HEAD = 8192
# Control bytes that text in some unknown encoding does not hold (tab, LF, FF, CR and ESC aside):
# a sample without them that does not decode is text in an encoding we cannot tell.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# What reading a damaged zip can raise: a bad directory or header (struct.error), a corrupt
# deflate stream, a CRC mismatch, a truncated member, a member flagged as encrypted
# (RuntimeError) or compressed with an unknown method (NotImplementedError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError, ValueError, KeyError,
              RuntimeError, NotImplementedError, OverflowError)


class Kind(Enum):
    """The real format of an input file."""

    XLSX = "xlsx"
    XLS = "xls"
    CSV = "csv"
    XLSB = "xlsb"
    BAD_TEXT = "bad_text"  # text, but neither UTF-8 nor GB18030 (nor UTF-16 with a BOM)
    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    HTML = "html"
    XML2003 = "xml2003"
    ODS = "ods"
    WORD = "word"
    ZIP = "zip"  # a zip that is not a workbook
    BROKEN_ZIP = "broken_zip"
    UNKNOWN = "unknown"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the sample is UTF-16 text saved without its byte order
    mark (some tools do): the high byte of every delimiter, digit and line break is 0, so NULs
    fill one side of the byte pairs and hardly ever the other; the sample must then decode into text
    without control characters. None otherwise."""
    pairs = len(head) // 2
    if pairs < 2 or head.startswith(UTF16_BOMS):
        return None
    even, odd = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if max(even, odd) * 8 < pairs or min(even, odd) * 4 > max(even, odd):  # (U+4E00 一 is 00 4E)
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    sample = head[:pairs * 2]
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the end of the sample
            return None
        text = sample[:exc.start].decode(encoding)
    return None if _CONTROL.search(text) else encoding


def _decode_head(head: bytes) -> str | None:
    """The sample as text (UTF-16 with a BOM, UTF-8, else GB18030), or None."""
    if head.startswith(UTF16_BOMS):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace")  # a cut last character aside
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start >= len(head) - 4:
            return head[: exc.start].decode("utf-8")
    try:
        return head.decode("gb18030")
    except UnicodeDecodeError as exc:
        return head[: exc.start].decode("gb18030") if exc.start >= len(head) - 4 else None


def _text_kind(head: bytes) -> Kind:
    if utf16_without_bom(head):
        return Kind.CSV
    text = _decode_head(head)
    if text is None:
        return Kind.UNKNOWN if _BINARY.search(head) else Kind.BAD_TEXT
    start = text.lstrip().lower()
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in start:
            return Kind.XML2003
        if "<html" in start or "<table" in start or start.startswith("<!doctype html"):
            return Kind.HTML
        return Kind.UNKNOWN
    return Kind.CSV


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    """The first bytes of a member (never the whole of it: it may inflate to gigabytes)."""
    with archive.open(name) as handle:
        return handle.read(100)


def _zip_kind(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return Kind.XLSX
            if "xl/workbook.bin" in names:
                return Kind.XLSB
            if "mimetype" in names and b"spreadsheet" in _head(archive, "mimetype"):
                return Kind.ODS
            if "word/document.xml" in names:
                return Kind.WORD
            return Kind.ZIP
    except ZIP_ERRORS:
        return Kind.BROKEN_ZIP


def sniff(path: Path) -> Kind:
    """The real format of the file at `path` (which exists and is a file)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    if not head:
        return Kind.EMPTY
    if head.startswith(ZIP_MAGICS):
        return _zip_kind(path)
    if head.startswith(OLE2_MAGIC):
        return Kind.ENCRYPTED if _holds(path, ENCRYPTED_MARK) else Kind.XLS
    return _text_kind(head)


def _holds(path: Path, mark: bytes) -> bool:
    """Whether the file holds `mark` anywhere, read in bounded chunks. (An encrypted .xlsx is an
    OLE2 container holding an "EncryptedPackage" stream; its directory sits near the start of
    small files but may be anywhere.)"""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if mark in tail + chunk[: len(mark)] or mark in chunk:
                return True
            tail = chunk[-len(mark):]
    return False
