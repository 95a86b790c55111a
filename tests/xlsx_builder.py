"""Build .xlsx files part by part, to make workbooks no spreadsheet program would write:
far-away cells, lying dimensions, entity declarations, thousands of sheets."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from scoring.engine.positions import cell_ref

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(col: int, row: int, value: Any) -> str:
    """One <c> element: numbers as numbers, text inline."""
    ref = cell_ref(col, row)
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list[Any]], *, extra: str = "", dimension: str | None = None,
              hidden_rows: tuple[int, ...] = (), tail: str = "", prolog: str = "") -> str:
    """A worksheet with `rows` from A1, plus raw `extra` XML inside sheetData."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(cell(c, r, v) for c, v in enumerate(row) if v is not None)
        hidden = ' hidden="1"' if r in hidden_rows else ""
        body.append(f'<row r="{r}"{hidden}>{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{dim}<sheetData>{"".join(body)}{extra}'
            f"</sheetData>{tail}</worksheet>")


def build_xlsx(path: Path, sheets: list[tuple[str, str]], *, hidden: tuple[str, ...] = (),
               date1904: bool = False, extra_parts: dict[str, str] | None = None) -> Path:
    """Write a workbook whose sheets are (name, sheet XML); several may share one part."""
    parts: dict[str, str] = {}
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
    entries, rels = [], []
    for i, (name, xml) in enumerate(sheets, start=1):
        state = ' state="hidden"' if name in hidden else ""
        entries.append(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"{state}/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                                f'xmlns:r="{REL}">{pr}<sheets>{"".join(entries)}</sheets></workbook>')
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        f'.org/package/2006/relationships">{"".join(rels)}</Relationships>')
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path
