"""One rule for each thing user text must obey (issue 16, review round two): which characters XML
cannot hold (scoring/text.py, used by excel_rules.py and bulk.py), how a message shows a character
it cannot show as it is (`visible`, in the terminal and in every file alike), how long a value
quoted in a message may be (`shown_value`/`cut`) — and the outputs that follow them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from xlsxwriter.xmlwriter import XMLwriter

from scoring.cli.common import SafeConsole
from scoring.criteria.register_workbook import write_register_workbook
from scoring.criteria.resources import bundled_root
from scoring.engine.reader import CHOICE_LISTS_SHEET
from scoring.engine.results import Results
from scoring.outputs import ranking_sheets
from scoring.outputs.bulk import text_xml
from scoring.outputs.excel_rules import EXCEL, SheetLimits, plain_text, sheet_name
from scoring.outputs.template import ChoiceLists
from scoring.outputs.workbook import write_ranking
from scoring.outputs.xlsx import PageTexts, TableWriter, new_workbook
from scoring.text import UNWRITABLE, cut, shown_value, unwritable, visible
from tests.helpers import record, score_results

# Terminal controls (ESC, BEL, CR, DEL, CSI), bidirectional override and isolate, non-characters,
# a lone surrogate; tab and newline stay as they are.
HOSTILE = "a\x1b[2J\x07\r\x7f\x9b\u202e\u2066\ufffe\uffff\ud800\tb\nc"
SHOWN = "a<U+001B>[2J<U+0007><U+000D><U+007F><U+009B><U+202E><U+2066><U+FFFE><U+FFFF><U+D800>\tb\nc"


def test_one_visible_form_in_messages_and_on_the_terminal() -> None:
    assert visible(HOSTILE) == SHOWN
    assert unwritable(HOSTILE) == "U+001B、U+0007、U+FFFE、U+FFFF、U+D800"  # the names visible() writes
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=False, width=200)
    console.print(f"错误 社区{HOSTILE}", markup=False)
    # The terminal used to pass U+FFFE and lone surrogates through, and wrote \x1b where files said <U+…>.
    assert out.getvalue() == f"错误 社区{SHOWN.replace(chr(9), ' ' * 3)}\n"  # rich expands the tab


def test_every_writer_agrees_on_what_xml_cannot_hold() -> None:
    for code in range(0x10000):
        ch = chr(code)
        refused = UNWRITABLE.search(ch) is not None
        assert (plain_text(f"a{ch}b") == "a\ufffdb") == (refused or ch == "\ufffd"), hex(code)
        if ch != "_":
            assert (sheet_name(f"a{ch}b", set()) == "a_b") == (refused or ch in "[]:*?/\\\t\n\r"), hex(code)
        xml = text_xml(f"a{ch}b")
        changed = xml != f"<is><t>a{ch}b</t></is>"
        assert changed == (refused or ch in "&<>\r"), hex(code)  # a bare CR would read back as LF
        if not 0xD800 <= code <= 0xDFFF:
            ElementTree.fromstring(xml.encode("utf-8"))  # well-formed whatever the character


@pytest.mark.parametrize(("value", "shown"), [
    ("x" * 50, '"' + "x" * 39 + "…"),  # as cut from the whole: the opening quote counts
    ("甲院", '"甲院"'),
    ("a\x1bb\ufffe", '"a\\u001bb<U+FFFE>"'),  # JSON's own escape for controls, visible() for the rest
    ({"a": [1]}, "{…}（对象）"),
    ([[[[1]]]], "[…]（列表）"),
    (True, "true"),
    (None, "null"),
    (float("nan"), "NaN"),
    (float("-inf"), "-Infinity"),
    (12, "12"),
    (10 ** 40, "1" + "0" * 39 + "…"),
    (10 ** 4299, "（位数过多的数字）"),  # str() of it would take long; of 10**4300 Python refuses
])
def test_a_value_in_a_message_is_short_whatever_it_is(value: Any, shown: str) -> None:
    assert shown_value(value) == shown
    assert cut("一二三", 2) == "一二…" and cut("一二", 2) == "一二"


def test_the_note_on_courtyards_kept_red_is_labelled_red_black_when_the_lists_are_split(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = score_results(tmp_path, [record("一社区", f"{n}院", f"2023-03-{1 + n:02d}") for n in range(8)])
    note = "甲院 同时符合红榜和黑榜的条件，按公示规则只列入红榜"

    def red_and_black(results: Results) -> Any:
        red, black, _ = real(results)
        return red, black, note

    real = ranking_sheets.red_and_black
    monkeypatch.setattr(ranking_sheets, "red_and_black", red_and_black)
    small, whole = tmp_path / "small.xlsx", tmp_path / "whole.xlsx"
    write_ranking(results, small, SheetLimits(rows=6, columns=40))  # 红榜 and 黑榜 no longer fit one sheet
    write_ranking(results, whole)
    book = load_workbook(small)
    assert "红黑榜" not in book.sheetnames and {"红榜", "黑榜"} <= set(book.sheetnames)
    about = [[c.value for c in row] for name in book.sheetnames if name.startswith("说明") for row in book[name]]
    assert ["红黑榜", note] in about
    assert all(row[1] != note for row in about if row[0] == "分表")
    kept = load_workbook(whole)
    assert note in [c.value for row in kept["红黑榜"] for c in row]  # on its sheet when it fits
    assert note not in [c.value for row in kept["说明"] for c in row]


def test_the_choice_lists_sheet_is_the_sheet_its_references_name(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    book = new_workbook(path)
    out = TableWriter(book, PageTexts(), EXCEL)
    out.names.add(CHOICE_LISTS_SHEET)  # however the name came to be taken: no assert, no exit 70
    lists = ChoiceLists(out)
    source = lists.source(["是", "否"])
    out.add_sheet("检查记录").write_string(0, 0, "x")
    lists.finish()
    book.close()
    sheet = load_workbook(path)[f"{CHOICE_LISTS_SHEET}(2)"]
    assert source == f"='{CHOICE_LISTS_SHEET}(2)'!$A$1:$A$2"
    assert [sheet["A1"].value, sheet["A2"].value, sheet.sheet_state] == ["是", "否", "hidden"]


def test_xlsxwriter_escapes_overlapping_escapes_as_patched() -> None:
    # scoring/outputs/xlsx.py replaces xmlwriter.re_control_chars_1 (checked in XlsxWriter 3.2.0 to
    # 3.3.1; pinned in pyproject.toml). When an upgrade renames or stops using it, this fails.
    assert XMLwriter._escape_control_characters("_x0041_x0042_\x01") == "_x005F_x0041_x005F_x0042__x0001_", (
        "xlsxwriter changed how it escapes text: review the patch in scoring/outputs/xlsx.py and the pin")


def test_the_register_workbook_page_header_follows_the_header_rules(tmp_path: Path) -> None:
    path = tmp_path / "法规库.xlsx"
    write_register_workbook(json.loads((bundled_root() / "regulations.json").read_text(encoding="utf-8")), path)
    with zipfile.ZipFile(path) as archive:
        headers = [re.search(r"<oddHeader>(.*?)</oddHeader>", archive.read(name).decode())
                   for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
    found = sorted(m.group(1) for m in headers if m)
    assert found == ["&amp;C&amp;12&amp;\"黑体\"法规库 — 修正", "&amp;C&amp;12&amp;\"黑体\"法规库 — 法规"]
