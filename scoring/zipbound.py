"""Look inside a zip package (.docx, .xlsx) before a library opens it (issue 16): a few hundred
KB can unpack to gigabytes, or hold millions of tiny XML elements that a DOM parser (lxml under
python-docx) turns into gigabytes of nodes. Checked here, from the zip directory and by streaming
the XML parts in bounded chunks, never holding one whole:

- the central directory is bounded before zipfile reads it (it reads every entry into memory);
- all members unpacked together — the sizes in the directory are a safe bound, as zipfile never
  inflates a member past its stated size;
- the XML parts together, in bytes and in elements (start tags), since memory follows the
  number of elements more than their bytes. A part is XML by its name (*.xml, *.rels), by its
  content type in [Content_Types].xml (matched without regard to case, as the OPC readers do:
  word/document.bin declared XML is parsed as the document), or when [Content_Types].xml
  declares no type for it; only parts declared with a non-XML type (pictures, embedded files) are
  left out. [Content_Types].xml itself is parsed as a stream, whatever its size (padding it past
  any fixed size must not make every part look like a picture);
- no DTD or entity declaration anywhere in an XML part (XML bombs, external entities), also in
  UTF-16 parts (their zero bytes left out).

check_prologs is the cheap form of the last check, for workbooks whose XML is 100 MB unpacked
(the sheets are streamed by their own scan): XML allows a DTD only in the prolog, before the root
element, so each part's prolog is walked whatever its length (comments and processing
instructions skipped — padding does not hide a declaration) and read no further. A declaration
after the root element is not well-formed XML: expat and lxml refuse the part, and calamine's
parser expands no entity declared there ("unrecognized entity").

Callers turn ZipRefused into their own message or Issue: `reason` is the Chinese text and `kind`
which bound it broke (size, xml, dtd, broken).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from scoring.engine.sniff import ZIP_ERRORS
from scoring.files import MB, FileRefused, check_regular, size_text
from scoring.oserrors import describe

CHUNK = 1 << 20
_PROLOG_READ = 1 << 14  # a prolog is a few hundred bytes; read on only while it goes on
_SKIPPED = b" \t\r\n\xef\xbb\xbf\xff\xfe"  # white space and byte order marks
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_END = b"PK\x05\x06"  # end of central directory record
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"  # the ZIP64 end of central directory record
_END_SIZE = 22


class ZipRefused(FileRefused):
    """A zip package that is not opened; `kind` is the bound it broke: size (all members
    unpacked), xml (XML bytes or elements), dtd, broken (not a zip, or damaged)."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass(frozen=True)
class ZipBounds:
    """Upper bounds for one package."""

    unpacked: int  # bytes of all members unpacked together
    xml: int  # bytes of the XML parts unpacked together
    elements: int  # start tags in the XML parts together
    directory: int = 1 * MB  # bytes of the central directory (~20,000 members)


def check_directory(path: Path, limit: int) -> None:
    """Refuse a file with no zip end record, or a central directory over `limit` bytes — read
    from the file's last 64 KB (and, for ZIP64, which some exporters write even for small files,
    its 56-byte end record) only."""
    broken = ZipRefused("不是有效的压缩包（找不到压缩包的目录）", "broken")
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - (1 << 16) - _END_SIZE))
            tail = handle.read()
            at = tail.rfind(_END)
            if at < 0 or len(tail) - at < _END_SIZE:
                raise broken
            directory = struct.unpack("<I", tail[at + 12:at + 16])[0]
            locator = tail[max(0, at - 20):at]
            if locator.startswith(_END64_LOCATOR):
                handle.seek(struct.unpack("<Q", locator[8:16])[0])
                record = handle.read(56)
                if len(record) < 56 or not record.startswith(_END64):
                    raise broken
                directory = struct.unpack("<Q", record[40:48])[0]
            elif directory == 0xFFFFFFFF:
                raise broken
    except (OSError, OverflowError, ValueError) as exc:
        raise ZipRefused(describe(exc) if isinstance(exc, OSError) else broken.reason, "broken") from None
    if directory > limit:
        raise ZipRefused(f"压缩包的目录有 {size_text(directory)}，超过上限 {size_text(limit)}（文件数过多）；"
                         "文件可能已损坏或被恶意构造", "size")


def _too_many_elements(limit: int) -> ZipRefused:
    return ZipRefused(f"文档包含 {limit:,} 个以上的 XML 元素，超过上限；文件可能已损坏或被恶意构造", "xml")


def _declared_types(archive: zipfile.ZipFile, limit: int) -> tuple[dict[str, bool], dict[str, bool]]:
    """From [Content_Types].xml, streamed (at most `limit` elements): whether each declared part
    name, and each declared extension, is XML — both lowercased."""
    parts: dict[str, bool] = {}
    extensions: dict[str, bool] = {}
    try:
        types = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return parts, extensions
    count = 0
    root = None
    try:
        with archive.open(types) as handle:
            for event, entry in ElementTree.iterparse(handle, events=("start", "end"), forbid_dtd=True):
                if root is None:
                    root = entry
                if event == "start" or entry is root:
                    continue
                count += 1
                if count > limit:
                    raise _too_many_elements(limit)
                xml = "xml" in entry.get("ContentType", "").lower()
                if entry.get("Extension"):
                    extensions[entry.get("Extension", "").lower()] = xml
                if entry.get("PartName"):
                    parts[entry.get("PartName", "").lstrip("/").lower()] = xml
                root.clear()  # the entries read so far: only what is kept above stays
    except DefusedXmlException:
        raise ZipRefused("包含不安全的 XML 内容（DTD/实体声明）", "dtd") from None
    except (ElementTree.ParseError, *ZIP_ERRORS):
        raise ZipRefused("文件已损坏（[Content_Types].xml）", "broken") from None
    return parts, extensions


def xml_members(archive: zipfile.ZipFile, limit: int = 1 << 62) -> list[zipfile.ZipInfo]:
    """The members a reader may parse as XML (see the module); ZipRefused when
    [Content_Types].xml is damaged, declares a DTD or holds more than `limit` elements."""
    parts, extensions = _declared_types(archive, limit)

    def xml(member: zipfile.ZipInfo) -> bool:
        name = member.filename.lower()
        if member.is_dir():
            return False
        if name.endswith((".xml", ".rels")):
            return True
        base = posixpath.basename(name)
        declared = parts[name] if name in parts else extensions.get(base.rpartition(".")[2] if "." in base else "")
        return declared is None or declared

    return [m for m in archive.infolist() if xml(m)]


def scan_xml(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int = 1 << 62) -> None:
    """Stream `members`: ZipRefused at a DTD or entity declaration anywhere in one, or past
    `limit` start tags in all of them together."""
    elements = 0
    for member in members:
        carry = b""
        try:
            with archive.open(member) as handle:
                while chunk := handle.read(CHUNK):
                    data = carry + chunk
                    if _DTD.search(data) or (b"\0" in data and _DTD.search(data.replace(b"\0", b""))):
                        raise ZipRefused("包含不安全的 XML 内容（DTD/实体声明）", "dtd")
                    elements += chunk.count(b"<") - chunk.count(b"</")
                    if elements > limit:
                        raise _too_many_elements(limit)
                    carry = data[-16:]
        except ZIP_ERRORS:
            raise ZipRefused(f"文件已损坏（{member.filename}）", "broken") from None


def _declares_dtd(handle: IO[bytes]) -> bool:
    """Whether the prolog of the XML read from `handle` holds a `<!` other than a comment (a
    DOCTYPE, with any entity declarations), read in pieces up to the root element."""
    data, closing = b"", b""  # closing: the end of the comment or instruction being skipped
    while True:
        chunk = handle.read(_PROLOG_READ)
        data += chunk.replace(b"\0", b"")  # UTF-16: its markup without the zero bytes
        while True:
            if closing:
                end = data.find(closing)
                if end < 0:
                    data = data[-(len(closing) - 1):]
                    break
                data, closing = data[end + len(closing):], b""
            data = data.lstrip(_SKIPPED)
            if len(data) < 4 and chunk:
                break  # read on
            if data.startswith(b"<?"):
                data, closing = data[2:], b"?>"
            elif data.startswith(b"<!--"):
                data, closing = data[4:], b"-->"
            else:
                return data.startswith(b"<!")
        if not chunk:
            return False


def check_prologs(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """ZipRefused at a DTD or entity declaration in the prolog of any of `members` (see the
    module: where XML allows one), each read only up to its root element."""
    for member in members:
        try:
            with archive.open(member) as handle:
                declares = _declares_dtd(handle)
        except ZIP_ERRORS:
            raise ZipRefused(f"文件已损坏（{member.filename}）", "broken") from None
        if declares:
            raise ZipRefused("包含不安全的 XML 内容（DTD/实体声明）", "dtd")


def check_members(archive: zipfile.ZipFile, bounds: ZipBounds) -> None:
    """Refuse a package over `bounds` or with a DTD (see the module)."""
    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    if unpacked > bounds.unpacked:
        raise ZipRefused(f"解压后有 {size_text(unpacked)}，超过上限 {size_text(bounds.unpacked)}；"
                         "文件可能已损坏或被恶意构造", "size")
    xml = xml_members(archive, bounds.elements)
    xml_size = sum(m.file_size for m in xml)
    if xml_size > bounds.xml:
        raise ZipRefused(f"文档内容（XML）解压后有 {size_text(xml_size)}，超过上限 {size_text(bounds.xml)}；"
                         "文件可能已损坏或被恶意构造", "xml")
    scan_xml(archive, xml, bounds.elements)


def check_package(path: Path, file_limit: int, bounds: ZipBounds) -> None:
    """Check the zip package at `path` before any library opens it: a regular file of at most
    `file_limit` bytes (scoring.files), its directory, members and XML within `bounds`."""
    check_regular(path, file_limit)
    check_directory(path, bounds.directory)
    try:
        with zipfile.ZipFile(path) as archive:
            check_members(archive, bounds)
    except ZipRefused:
        raise
    except ZIP_ERRORS:
        raise ZipRefused("不是有效的压缩包或已损坏", "broken") from None
