"""Issue 16, item 5 (Word drafts and zip packages): a draft of millions of tiny elements, a renamed
document part, a padded [Content_Types].xml, a DTD anywhere a reader parses, an oversized zip
directory — each refused before python-docx (or a workbook reader) opens the file; ZIP64 is read."""

from __future__ import annotations

import json
import re
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from scoring.errors import InvalidInputError
from scoring.files import MB
from scoring.report.word import MARKER
from scoring.zipbound import ZipBounds, ZipRefused, check_package
from tests.helpers import MINI_COLUMNS, record, rows_for
from tests.limited import run_limited
from tests.test_cli import invoke


def _draft_bytes(tmp: Path) -> Path:
    document = Document()
    document.add_paragraph("一、总体情况")
    document.add_paragraph(MARKER)
    path = tmp / "底稿.docx"
    document.save(str(path))
    return path


def _rewrite(source: Path, target: Path, member: str, change: Any) -> Path:
    """A copy of the package `source` with `member` replaced by change(old bytes) (bytes or an
    iterable of chunks), streamed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename != member:
                new.writestr(info, data)
                continue
            replaced = change(data)
            with new.open(member, "w", force_zip64=False) as handle:
                for chunk in [replaced] if isinstance(replaced, bytes) else replaced:
                    handle.write(chunk)
    return target


def assert_too_many_elements(hostile: dict[str, Path], draft: Path, tmp_path: Path) -> None:
    """A small draft of millions of XML elements is refused, under a memory limit, before
    python-docx opens it."""
    assert draft.stat().st_size < 200_000
    got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                       "--into", str(draft)], tmp_path, mb=400)
    assert not got.crashed and got.code == 1, got.stderr
    assert got.stderr.splitlines()[-1] == (f"无法打开草稿 {draft}：文档包含 1,000,000 个以上的 XML 元素，超过上限；"
                                           "文件可能已损坏或被恶意构造")


def test_draft_of_millions_of_tiny_paragraphs(hostile: dict[str, Path], tmp_path: Path) -> None:
    # 32 MB of <w:p/> in a ~90 KB file: python-docx took 1.2 GB to open it.
    def paragraphs(xml: bytes) -> Any:
        head, tail = xml.split(b"<w:body>", 1)
        yield head + b"<w:body>"
        for _ in range(560):
            yield b"<w:p/>" * 10_000
        yield tail

    draft = _rewrite(_draft_bytes(tmp_path), tmp_path / "草稿.docx", "word/document.xml", paragraphs)
    assert_too_many_elements(hostile, draft, tmp_path)
    assert not (tmp_path / "草稿-已填写.docx").exists()


def test_draft_refusals(hostile: dict[str, Path], tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    comment = b"<!--" + b"x" * 10_000 + b"-->"
    dtd = _rewrite(base, tmp_path / "dtd.docx", "word/document.xml",
                   lambda xml: xml.replace(b"?>", b"?>" + comment + b'<!DOCTYPE w [<!ENTITY a "aaaa">]>', 1))
    for path, reason in ((dtd, "包含不安全的 XML 内容（DTD/实体声明）"),
                         (Path("/dev/zero"), "这不是普通文件（是设备、管道或其他特殊文件），不能读取")):
        got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                           "--into", str(path)], tmp_path, mb=400)
        assert not got.crashed and got.code == 1, got.stderr
        assert got.stderr.splitlines()[-1] == f"无法打开草稿 {path}：{reason}"


def test_package_bounds(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=100_000))
    zeros = tmp_path / "zeros.docx"  # a picture of zeros: never unpacked to be checked
    shutil.copyfile(base, zeros)
    with zipfile.ZipFile(zeros, "a", zipfile.ZIP_DEFLATED) as add:
        add.writestr("word/media/image1.png", b"\0" * (2 * MB))
    with zipfile.ZipFile(zeros) as packed:
        unpacked = sum(m.file_size for m in packed.infolist())
    with pytest.raises(ZipRefused) as refused:
        check_package(zeros, MB, ZipBounds(unpacked=2 * MB, xml=MB, elements=100_000))
    assert refused.value.kind == "size"
    assert refused.value.reason == f"解压后有 {unpacked / MB:.1f} MB，超过上限 2.0 MB；文件可能已损坏或被恶意构造"
    with pytest.raises(ZipRefused) as refused:
        check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=50))
    assert refused.value.kind == "xml" and refused.value.reason.startswith("文档包含 50 个以上的 XML 元素")
    renamed = _rewrite(base, tmp_path / "renamed.docx", "[Content_Types].xml",
                       lambda xml: xml.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/xml"/>'
                                                            b"</Types>"))
    with zipfile.ZipFile(renamed, "a") as add:
        add.writestr("word/hidden.bin", b"<a>" + b"<b/>" * 100_000 + b"</a>")  # XML by its content type
    with pytest.raises(ZipRefused) as refused:
        check_package(renamed, MB, ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000))
    assert refused.value.kind == "xml"
    with pytest.raises(ZipRefused) as refused:  # a directory of thousands of members, read before zipfile does
        check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=100_000, directory=500))
    assert refused.value.kind == "size" and "（文件数过多）" in refused.value.reason
    (tmp_path / "text.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(ZipRefused) as refused:
        check_package(tmp_path / "text.docx", MB, ZipBounds(unpacked=MB, xml=MB, elements=50))
    assert refused.value.kind == "broken"
    from scoring.report.draft import check_draft

    with pytest.raises(InvalidInputError) as error:
        check_draft(tmp_path / "text.docx")
    assert error.value.message == f"无法打开草稿 {tmp_path / 'text.docx'}：不是有效的 Word 文档（.docx），或文件已损坏"


def test_draft_is_checked_and_parsed_once(hostile: dict[str, Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Review 35: check_draft, check_marker and fill_draft each opened the draft.
    import docx

    from scoring import zipbound

    draft = _draft_bytes(tmp_path)
    checked, parsed = [], []
    check, document = zipbound.check_package, docx.Document
    monkeypatch.setattr("scoring.report.draft.check_package", lambda *a: checked.append(a) or check(*a))
    monkeypatch.setattr(docx, "Document", lambda *a: parsed.append(a) or document(*a))
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--into", str(draft))
    assert code == 0, err
    assert len(checked) == 1 and parsed == [(str(draft),)]
    assert MARKER not in [p.text for p in Document(str(tmp_path / "底稿-已填写.docx")).paragraphs]


def _renamed_document(tmp: Path, paragraphs: int, pad: int) -> Path:
    """The review's bypass: the main document part renamed word/document.bin (declared XML in
    [Content_Types].xml, which is padded with `pad` spaces) holding `paragraphs` <w:p/>."""
    source, target = _draft_bytes(tmp), tmp / "改名.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            name = info.filename
            if name == "[Content_Types].xml":
                data = data.replace(b"/word/document.xml", b"/word/document.bin").replace(
                    b"</Types>", b" " * pad + b"</Types>")
            elif name in ("_rels/.rels", "word/_rels/document.xml.rels"):
                data = data.replace(b"word/document.xml", b"word/document.bin")
                name = name.replace("document.xml.rels", "document.bin.rels")
            if name != "word/document.xml":
                new.writestr(name, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with new.open("word/document.bin", "w", force_zip64=False) as handle:
                handle.write(head + b"<w:body>")
                for _ in range(paragraphs // 10_000):
                    handle.write(b"<w:p/>" * 10_000)
                handle.write(tail)
    return target


def test_a_renamed_document_part_is_counted(hostile: dict[str, Path], tmp_path: Path) -> None:
    # Review 3: 87 KB, 1.76 GB used: a [Content_Types].xml over 1 MB was not read, so the main
    # document renamed word/document.bin was never counted as XML.
    small = _renamed_document(tmp_path, 10_000, 0)
    assert len(Document(str(small)).paragraphs) == 10_002  # python-docx does read it as the document
    draft = _renamed_document(tmp_path, 5_000_000, 2 * MB)
    assert_too_many_elements(hostile, draft, tmp_path)
    assert not (tmp_path / "改名-已填写.docx").exists()


def test_content_types_match_without_case_and_undeclared_parts_count(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    bounds = ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000)
    upper = _rewrite(base, tmp_path / "upper.docx", "[Content_Types].xml",
                     lambda xml: xml.replace(b"</Types>", b'<Override PartName="/WORD/HIDDEN.DAT" '
                                                          b'ContentType="application/xml"/></Types>'))
    undeclared = tmp_path / "undeclared.docx"
    shutil.copyfile(base, undeclared)
    picture = _rewrite(base, tmp_path / "picture.docx", "[Content_Types].xml",
                       lambda xml: xml.replace(b"</Types>",
                                               b'<Default Extension="png" ContentType="image/png"/></Types>'))
    for path, member in ((upper, "word/hidden.dat"), (undeclared, "word/hidden.xyz"), (picture, "word/media/a.png")):
        with zipfile.ZipFile(path, "a") as add:
            add.writestr(member, b"<a>" + b"<b/>" * 100_000 + b"</a>")
    for path in (upper, undeclared):
        with pytest.raises(ZipRefused) as refused:
            check_package(path, MB, bounds)
        assert refused.value.kind == "xml"
    check_package(picture, MB, bounds)  # declared image/png (Default Extension="png"): not parsed as XML


def test_zip_directory_errors_are_in_chinese(tmp_path: Path) -> None:
    from scoring.zipbound import check_directory

    with pytest.raises(ZipRefused) as refused:  # review 25: str(exc) put English in the message
        check_directory(tmp_path / "无.docx", MB)
    assert refused.value.reason == "找不到文件"


def test_workbook_zip_checks_are_zipbound_s(hostile: dict[str, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Review 14: the .xlsx check looked for a DTD only in a part's first 4 KB and read the zip
    # directory unbounded; it now uses zipbound's checks (DTD anywhere, directory bounded).
    from scoring.engine import xlsx_package
    from tests.xlsx_builder import build_xlsx, sheet_xml

    rows = rows_for([record("一社区", "甲院", "2023-03-01")], MINI_COLUMNS)
    prolog = "<!--" + "x" * 10_000 + '--><!DOCTYPE x [<!ENTITY a "a">]>'  # past the first 4 KB
    dtd = build_xlsx(tmp_path / "dtd.xlsx", [("检查记录", sheet_xml(rows, prolog=prolog))])
    code, _, err = invoke("run", str(dtd), "--criteria", str(hostile["criteria"]), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.splitlines()[-2] == (f"错误 {dtd} 文件包含不安全的 XML 内容（DTD/实体声明），已拒绝读取；"
                                    "请在 Excel/WPS 中打开后另存为新的 .xlsx（E107）")
    plain = build_xlsx(tmp_path / "plain.xlsx", [("检查记录", sheet_xml(rows))])
    monkeypatch.setattr(xlsx_package, "DIRECTORY_MAX", 300)
    code, _, err = invoke("run", str(plain), "--criteria", str(hostile["criteria"]), "--out", str(tmp_path / "o"))
    assert code == 1
    assert re.fullmatch(rf"错误 {re.escape(str(plain))} 无法打开该文件：压缩包的目录有 \d+ 字节，超过上限 300 字节"
                        r"（文件数过多）；文件可能已损坏或被恶意构造（E103）", err.splitlines()[-2]), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("xml", "declares"), [
    (b'<?xml version="1.0"?><a/>', False),
    (b'<?xml version="1.0"?>' + b"<!--" + b"x" * 100_000 + b'--><!DOCTYPE a [<!ENTITY b "c">]><a/>', True),
    (b"\xef\xbb\xbf\n<?pi " + b"y" * 20_000 + b"?> <!DOCTYPE a><a/>", True),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"), True),
    (b"<!-- <!DOCTYPE a> -->" + b" " * (1 << 14) + b"<a/>", False),  # inside a comment: no declaration
    (b"<a/><!DOCTYPE a>", False),  # after the root: not XML, refused by the parsers themselves
    (b"", False),
])
def test_prolog_walk(xml: bytes, declares: bool) -> None:
    import io

    from scoring.zipbound import _declares_dtd

    assert _declares_dtd(io.BytesIO(xml)) is declares


def test_a_utf16_part_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    utf16 = _rewrite(base, tmp_path / "utf16.docx", "word/styles.xml",
                     lambda xml: xml.decode("utf-8").replace("UTF-8", "UTF-16").replace(
                         "?>", '?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1).encode("utf-16"))
    with pytest.raises(ZipRefused) as refused:
        check_package(utf16, MB, ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000))
    assert refused.value.kind == "dtd"


def _with_zip64_end(source: Path, target: Path) -> Path:
    """`source` with a ZIP64 end record and locator before its end record (whose counts and
    offsets then say 0xFFFF…, as exporters that always write ZIP64 do)."""
    data = source.read_bytes()
    at = data.rfind(b"PK\x05\x06")
    entries, directory, offset = struct.unpack("<HII", data[at + 10:at + 20])
    record = (b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, directory, offset))
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, at, 1)
    end = data[at:at + 8] + struct.pack("<HHII", 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + data[at + 20:]
    target.write_bytes(data[:at] + record + locator + end)
    return target


def test_a_workbook_ending_in_zip64_records_is_read(tmp_path: Path) -> None:
    from scoring.zipbound import check_directory

    sample = Path(__file__).resolve().parents[1] / "samples" / "inspections.xlsx"
    zip64 = _with_zip64_end(sample, tmp_path / "zip64.xlsx")
    with zipfile.ZipFile(zip64) as archive:  # Python's own reader takes it as it is
        assert archive.testzip() is None
    for path, out in ((sample, "a"), (zip64, "b")):
        code, _, err = invoke("run", str(path), "--out", str(tmp_path / out))
        assert code == 0, err
    totals = [[(c["courtyard"], c["total"], c["grade"]) for c in json.loads(
        (tmp_path / out / "results.json").read_text(encoding="utf-8"))["courtyards"]] for out in "ab"]
    assert totals[0] == totals[1] and len(totals[0]) == 48
    with pytest.raises(ZipRefused) as refused:  # the ZIP64 record's directory size is the one bounded
        check_directory(zip64, 100)
    assert refused.value.kind == "size" and refused.value.reason.startswith("压缩包的目录有 ")

