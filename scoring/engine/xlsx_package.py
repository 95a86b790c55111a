"""The package of an .xlsx, looked at before any reader parses it (docs/reliability.md): the zip
directory and the unpacked size of every part, no DTD in any XML part's prolog; the package
relationships and workbook.xml — the sheets (each its own part: a part shared by two sheets is
refused), which are hidden, the 1900/1904 date system; and the parts the readers load whole
before any cell (the shared-string table and the style sheet), counted first.

The sheets' own XML is scanned by `xlsx_scan`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from scoring.engine.limits import Limits, refuse
from scoring.engine.sniff import ZIP_ERRORS
from scoring.errors import InvalidInputError
from scoring.files import MB
from scoring.zipbound import ZipRefused, check_directory, check_prologs, xml_members

if TYPE_CHECKING:
    from scoring.engine.xlsx_scan import SheetScan


CHUNK = 1 << 20
# Shared strings a workbook may hold beyond one per string cell (strings a program left behind).
STALE_STRINGS = 65_536
# Formats of one kind (cell formats, fonts, fills, borders, number formats) in styles.xml;
# Excel itself stops at 65,490 cell formats.
MAX_STYLES = 131_072
WHOLE_PART = 16 * MB  # see _read_whole; a real one is a few KB (styles.xml a few MB)
_UNIQUE_COUNT = re.compile(rb"""\buniqueCount\s*=\s*["']\s*(\d+)""")
_SI = re.compile(rb"<(?:[^\s/>!?:]+:)?(si)[\s/>]")
_STRING_CELL = (b't="s"', b"t='s'")
_STYLE_KINDS = {"xf": "单元格格式", "font": "字体", "fill": "填充", "border": "边框", "numFmt": "数字格式",
                "dxf": "条件格式样式"}
_STYLE = re.compile(rb"<(?:[^\s/>!?:]+:)?(xf|font|fill|border|numFmt|dxf)[\s/>]")
_OFFICE_DOCUMENT = "/officeDocument"
_REBUILD = "文件可能已损坏或被恶意构造，请在 Excel/WPS 中打开后另存为新的 .xlsx"


@dataclass(frozen=True)
class SheetEntry:
    """A worksheet as workbook.xml lists it."""

    name: str
    part: str  # the zip member holding its XML
    hidden: bool


@dataclass
class WorkbookScan:
    """The sheets of a workbook and its date system."""

    sheets: list[SheetEntry]
    date1904: bool
    base: str = "xl/"  # the folder of workbook.xml, where calamine looks for shared strings and styles


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def too_many(file: str, detail: str, value: int, expected: str, advice: str = _REBUILD,
             sheet: str | None = None) -> InvalidInputError:
    return refuse(file, "E129", sheet=sheet, detail=detail, value=f"{value:,}", expected=expected, advice=advice)


def _xml(archive: zipfile.ZipFile, name: str, file: str) -> Element:
    try:
        return ElementTree.fromstring(archive.read(name), forbid_dtd=True)
    except DefusedXmlException:
        raise refuse(file, "E107") from None
    except (ElementTree.ParseError, *ZIP_ERRORS):
        raise refuse(file, "E103", detail=f"工作簿结构已损坏（{name}）") from None


# The zip directory, read whole by zipfile before anything else (~150,000 members: a workbook
# with a picture in every cell of a large sheet stays far inside it).
DIRECTORY_MAX = 8 * MB


def check_directory_of(path: Path, file: str) -> None:
    """Before zipfile opens the workbook: its directory at most DIRECTORY_MAX bytes (zipbound)."""
    try:
        check_directory(path, DIRECTORY_MAX)
    except ZipRefused as exc:
        raise refuse(file, "E103", detail=exc.reason) from None


def check_archive(archive: zipfile.ZipFile, file: str, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, or that declares a DTD in
    a part a reader may parse as XML (zipbound.xml_members: calamine finds parts by their
    relationships, whatever their names) — in its prolog, however long, the only place XML
    allows one (zipbound.check_prologs: 100 MB of sheets are not unpacked twice for it)."""
    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_bytes:
        raise refuse(file, "E105", value=f"{unpacked / (1 << 20):.0f} MB", expected=f"{limits.max_size_mb} MB")
    # Two members whose names differ only in case or slash (or are equal): the readers would
    # not agree on which one a sheet is, so the scan could look at another part than they read.
    seen: set[str] = set()
    for member in members:
        folded = member.filename.replace("\\", "/").lower()
        if folded in seen:
            raise refuse(file, "E103", detail=f"工作簿结构已损坏（压缩包中有两个同名的部分：{member.filename}）")
        seen.add(folded)
    for member in members:
        whole = _read_whole(member.filename)
        if member.file_size > whole:
            raise too_many(file, f"组成部分 {member.filename} 解压后有 {member.file_size / MB:.0f} MB",
                            member.file_size, f"{whole // MB} MB")
    try:
        check_prologs(archive, xml_members(archive))
    except ZipRefused as exc:
        if exc.kind == "dtd":
            raise refuse(file, "E107") from None
        raise refuse(file, "E103", detail=exc.reason) from None


def _read_whole(name: str) -> int:
    """The most a part may unpack to when some reader parses it whole into a tree or reads it
    into memory in one piece (the package and workbook relationships, workbook.xml, the
    document properties, the theme, the style sheet); other parts are streamed or not read."""
    folded = name.replace("\\", "/").lower()
    base = posixpath.basename(folded)
    if base == "styles.xml":
        return 4 * WHOLE_PART
    if (base.endswith(".rels") and posixpath.basename(posixpath.dirname(folded)) == "_rels"
            and base in (".rels", "workbook.xml.rels")) or folded == "[content_types].xml" \
            or base == "workbook.xml" or folded.startswith("docprops/") or "/theme/" in folded:
        return WHOLE_PART
    return 1 << 62


class _Members:
    """Zip member names as calamine finds them: exactly, else ignoring case and `\\` vs `/`."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.names = set(archive.namelist())
        self.folded: dict[str, str] = {}
        for name in sorted(self.names):
            self.folded.setdefault(name.replace("\\", "/").lower(), name)

    def find(self, path: str) -> str | None:
        """The member for `path`, or None. A path that means two different members (written
        one way, and normalised another) is ambiguous: None too, so the workbook is refused."""
        found = {self._one(path), self._one(posixpath.normpath(path))} - {None}
        return found.pop() if len(found) == 1 else None

    def _one(self, path: str) -> str | None:
        return path if path in self.names else self.folded.get(path.replace("\\", "/").lower())


def _target(base: str, target: str) -> str:
    """A relationship target as calamine resolves it: absolute, or relative to `base`."""
    return target[1:] if target.startswith("/") else base + target


def read_structure(archive: zipfile.ZipFile, file: str, limits: Limits) -> WorkbookScan:
    """The worksheets listed in workbook.xml, in order, and the date system. The workbook part
    is the one every reader finds (calamine through the package relationships, openpyxl through
    the content types), each sheet must have a name and a part of its own (E128)."""
    members = _Members(archive)
    book_part = _workbook_part(archive, members, file)
    base = posixpath.dirname(book_part) + "/" if "/" in book_part else ""
    book = _xml(archive, book_part, file)
    rels = _xml(archive, f"{base}_rels/{posixpath.basename(book_part)}.rels", file)
    targets = {}
    for rel in rels:
        if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/worksheet"):
            targets[rel.get("Id")] = _target(base, rel.get("Target", ""))
    date1904 = False
    sheets: list[SheetEntry] = []
    for element in book.iter():
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets:  # chartsheets and dialog sheets have no cells to read
                sheets.append(SheetEntry(element.get("name", ""), targets[rid],
                                         element.get("state", "visible") != "visible"))
    if len(sheets) > limits.max_sheets:
        raise refuse(file, "E106", value=len(sheets), expected=limits.max_sheets)
    return WorkbookScan(_own_parts(sheets, members, file), date1904, base)


_WORKBOOK_TYPES = ("spreadsheetml.sheet.main+xml", "spreadsheetml.template.main+xml",
                   "ms-excel.sheet.macroEnabled.main+xml", "ms-excel.template.macroEnabled.main+xml")


def _workbook_part(archive: zipfile.ZipFile, members: _Members, file: str) -> str:
    """The workbook part, when calamine (the folder of the package's officeDocument target,
    then `workbook.xml` in it), openpyxl (the content types) and the scan agree on it."""
    found: set[str | None] = set()
    if "_rels/.rels" in members.names:
        for rel in _xml(archive, "_rels/.rels", file):
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith(_OFFICE_DOCUMENT):
                target = _target("", rel.get("Target", ""))
                found.add(members.find(posixpath.dirname(target) + "/workbook.xml" if "/" in target
                                       else "workbook.xml"))
                found.add(members.find(target))
    typed = [part for part, kind in _overrides(archive, members, file) if kind.endswith(_WORKBOOK_TYPES)]
    found.update(typed[:1])
    if not found:
        found.add(members.find("xl/workbook.xml"))
    if len(found) != 1 or None in found:
        raise refuse(file, "E103", detail="工作簿结构已损坏（找不到 workbook.xml，或各处指向的 workbook.xml 不一致）")
    return str(found.pop())


def _overrides(archive: zipfile.ZipFile, members: _Members, file: str) -> list[tuple[str | None, str]]:
    """The parts [Content_Types].xml names, with their content types (openpyxl finds the
    workbook and the shared strings this way)."""
    if "[Content_Types].xml" not in members.names:
        return []
    return [(members.find(item.get("PartName", "").lstrip("/")), item.get("ContentType", ""))
            for item in _xml(archive, "[Content_Types].xml", file) if _local(item.tag) == "Override"]


def _own_parts(sheets: list[SheetEntry], members: _Members, file: str) -> list[SheetEntry]:
    """The sheets with their parts resolved; refused when two sheets share a name or a part.
    Excel, WPS and LibreOffice give every sheet its own part; a part shared by many sheets is
    read once per sheet, so it would multiply memory past every bound on the file."""
    resolved: list[SheetEntry] = []
    owners: dict[str, str] = {}
    names: set[str] = set()
    for entry in sheets:
        if entry.name.lower() in names:
            raise refuse(file, "E103", detail=f"工作簿结构已损坏（有两个工作表都叫“{entry.name}”）")
        names.add(entry.name.lower())
        part = members.find(entry.part)
        if part is None:
            raise refuse(file, "E103", detail=f"工作表“{entry.name}”在文件中不存在")
        if part in owners:
            raise refuse(file, "E128", value=owners[part], other=entry.name, detail=part)
        owners[part] = entry.name
        resolved.append(SheetEntry(entry.name, part, entry.hidden))
    return resolved


def part_chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    with archive.open(part) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def whole_tags(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A part in chunks that end before a tag starts (a tag longer than a chunk is cut)."""
    carry = b""
    for chunk in part_chunks(archive, part):
        data = carry + chunk
        cut = data.rfind(b"<")
        cut = cut if cut > 0 and len(data) - cut < CHUNK else len(data)
        yield data[:cut]
        carry = data[cut:]
    yield carry


# ---------------------------------------------------------------- parts read whole by the readers

def _count(archive: zipfile.ZipFile, part: str, pattern: re.Pattern[bytes]) -> dict[bytes, int]:
    """How often each first group of `pattern` occurs in a part, streamed."""
    counts: dict[bytes, int] = {}
    for data in whole_tags(archive, part):
        for name in pattern.findall(data + b" "):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _string_cells(archive: zipfile.ZipFile, part: str) -> int:
    carry, total = b"", 0
    for chunk in part_chunks(archive, part):
        data = carry + chunk
        total += sum(data[:-8].count(s) for s in _STRING_CELL)
        carry = data[-8:]
    return total + sum(carry.count(s) for s in _STRING_CELL)


def check_shared_parts(archive: zipfile.ZipFile, structure: WorkbookScan, scans: dict[str, SheetScan],
                       file: str) -> None:
    """Bound the shared-string table and the style sheet, which the readers load whole before
    reading any cell. A real workbook has at most one shared string per string cell (Excel
    and WPS rebuild the table on save; other programs may leave some unused strings behind):
    the table may hold twice the string cells of all sheets, hidden ones too, plus 65,536.
    Its `uniqueCount` (calamine reserves that many entries up front) is held to the same bound."""
    members = _Members(archive)
    string_cells = 0
    for entry in structure.sheets:
        scan = scans.get(entry.name)
        string_cells += scan.string_cells if scan else _string_cells(archive, entry.part)
    allowed = 2 * string_cells + STALE_STRINGS
    for part in _parts(archive, members, structure.base, "sharedStrings"):
        strings = declared = 0
        for data in whole_tags(archive, part):
            strings += len(_SI.findall(data + b" "))
            declared = max([declared, *map(int, _UNIQUE_COUNT.findall(data))])
        if declared > allowed:
            raise too_many(file, f"共享字符串表声明有 {declared:,} 项，而各工作表只有 {string_cells:,} 个文本单元格",
                            declared, f"{allowed:,} 项")
        if strings > allowed:
            raise too_many(file, f"共享字符串表有 {strings:,} 项，而各工作表只有 {string_cells:,} 个文本单元格",
                            strings, f"{allowed:,} 项")
    for part in _parts(archive, members, structure.base, "styles"):
        for name, count in _count(archive, part, _STYLE).items():
            if count > MAX_STYLES:
                kind = _STYLE_KINDS[name.decode()]
                raise too_many(file, f"样式表中的{kind}有 {count:,} 项", count, f"{MAX_STYLES:,} 项")


def _parts(archive: zipfile.ZipFile, members: _Members, base: str, kind: str) -> list[str]:
    """The parts holding the workbook's `kind` (sharedStrings, styles): the one calamine reads
    (`<kind>.xml` beside workbook.xml), the ones openpyxl reads (`xl/styles.xml`, the shared
    strings the content types name) and the ones the workbook's relationships name."""
    found = {members.find(f"{base}{kind}.xml"), members.find(f"xl/{kind}.xml")}
    found.update(part for part, content in _overrides(archive, members, "") if content.endswith(f".{kind}+xml"))
    rels = f"{base}_rels/workbook.xml.rels"
    if rels in members.names:
        for rel in _xml(archive, rels, ""):
            if rel.get("Type", "").endswith("/" + kind):
                found.add(members.find(_target(base, rel.get("Target", ""))))
    return sorted(p for p in found if p)
