"""What a file really is, from its first bytes — never from its name — before any library sees
it: an .xlsx/.xlsm zip, a legacy .xls, an encrypted workbook, CSV text, or an HTML or XML file
pretending to be a workbook."""

from __future__ import annotations

import struct
import zipfile
import zlib
from enum import Enum
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
HEAD = 8192
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
    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    HTML = "html"
    XML2003 = "xml2003"
    ODS = "ods"
    WORD = "word"
    ZIP = "zip"  # a zip that is not a workbook
    BROKEN_ZIP = "broken_zip"
    UNKNOWN = "unknown"


def _text_kind(head: bytes) -> Kind:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head:
        return Kind.UNKNOWN
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                text = head.decode("gb18030")
            except UnicodeDecodeError:
                return Kind.UNKNOWN
        else:
            text = head[: exc.start].decode("utf-8")
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
        # An encrypted .xlsx is an OLE2 container holding an "EncryptedPackage" stream; its
        # directory sits near the start of small files but may be anywhere, so look at it all.
        data = path.read_bytes()
        return Kind.ENCRYPTED if ENCRYPTED_MARK in data else Kind.XLS
    return _text_kind(head)
