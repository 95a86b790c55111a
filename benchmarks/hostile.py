"""Peak memory of every reader on the hostile inputs of issue 16: each case is built here, in code,
run as its own `score` process, and measured with `os.wait4` (the child's own maximum resident
set size). Every case must end in a result or a clear Chinese message — exit 0, 1 or 2 — never a
crash; the table says which, with the message's code.

    python benchmarks/hostile.py                 # all cases, a Markdown table for the README
    python benchmarks/hostile.py --only csv      # the cases whose label contains "csv"

Each child runs under an address-space limit (--limit-mb, default 3072) so that a regression
shows as a crash in the table instead of taking the machine down.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.xls_builder import Sheet, build_xls  # noqa: E402
from tests.xlsx_builder import build_xlsx, sheet_xml  # noqa: E402

SAMPLE = ROOT / "samples" / "inspections.xlsx"
HEADER = [["社区", "楼院", "检查日期", "A1"], ["东区", "1号院", "2023-03-01", "是"]]
MB = 1 << 20


def _far_cell_lowercase(tmp: Path) -> list[str]:
    xml = sheet_xml(HEADER, extra="<row r='1048576'><c r = 'xfd1048576'><v>1</v></c></row>")
    return ["run", str(build_xlsx(tmp / "far.xlsx", [("检查记录", xml)]))]


def _far_cell_within_limit(tmp: Path) -> list[str]:
    # A1 to T1000000: 20M cells, exactly the default --max-cells — what a reader may be asked to hold.
    xml = sheet_xml(HEADER, extra='<row r="1000000"><c r="T1000000"><v>1</v></c></row>')
    return ["run", str(build_xlsx(tmp / "within.xlsx", [("检查记录", xml)]))]


def _implicit_positions(tmp: Path) -> list[str]:
    # 7,000 rows × 7,000 cells with no r attribute at all: 49M cells from ~200 KB.
    row = "<row>" + "<c><v>1</v></c>" * 7000 + "</row>"
    xml = sheet_xml(HEADER, extra=row * 7000)
    return ["run", str(build_xlsx(tmp / "implicit.xlsx", [("检查记录", xml)]))]


def _shared_part(tmp: Path) -> list[str]:
    # 200 sheets whose relationships all point at one 20 MB part.
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="T{r}"><v>2</v></c></row>' for r in range(3, 200_000))
    path = build_xlsx(tmp / "shared.xlsx", [(f"表{i}", sheet_xml(HEADER, extra=rows)) for i in range(200)])
    _point_all_sheets_at_one_part(path)
    return ["run", str(path)]


def _point_all_sheets_at_one_part(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = re.sub(r"worksheets/sheet\d+\.xml", "worksheets/sheet1.xml", rels).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if not re.fullmatch(r"xl/worksheets/sheet(?:[2-9]|\d\d+)\.xml", name):
                archive.writestr(name, data)


def _tiny_shared_strings(tmp: Path) -> list[str]:
    strings = "<si><t/></si>" * 8_000_000
    sst = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="8000000" '
           f'uniqueCount="8000000">{strings}</sst>')
    return ["run", str(build_xlsx(tmp / "sst.xlsx", [("检查记录", sheet_xml(HEADER))],
                                  extra_parts={"xl/sharedStrings.xml": sst}))]


def _xls_false_dimensions(tmp: Path) -> list[str]:
    sheet = Sheet("检查记录", HEADER, dimensions=(0, 0x7FFF_FFFF, 0, 256))
    return ["run", str(build_xls(tmp / "dims.xls", [sheet]))]


def _xls_many_far_sheets(tmp: Path) -> list[str]:
    # 40 sheets of A1 and IV65536 each: every one within --max-cells, together 671M cells.
    sheets = [Sheet(f"表{i}", HEADER if i == 0 else [], cells=[(65535, 255, 1)]) for i in range(40)]
    return ["run", str(build_xls(tmp / "sheets.xls", sheets))]


def _csv_of_commas(tmp: Path) -> list[str]:
    path = tmp / "commas.csv"
    path.write_bytes(b"\xe7\xa4\xbe\xe5\x8c\xba,\xe6\xa5\xbc\xe9\x99\xa2\n" + b"," * (103 * MB))
    return ["run", str(path)]


def _csv_of_blank_lines(tmp: Path) -> list[str]:
    path = tmp / "blank.csv"
    path.write_bytes(b"\n" * (60 * MB))
    return ["run", str(path)]


def _device_as_criteria(tmp: Path) -> list[str]:
    return ["run", str(SAMPLE), "--criteria", "/dev/zero", "--out", str(tmp / "out-dev")]


def _deep_results(tmp: Path) -> list[str]:
    path = tmp / "deep" / "results.json"
    path.parent.mkdir()
    path.write_bytes(b"[" * (15 * MB))
    return ["report", str(path), "--out", str(tmp / "out-deep")]


def _scored(tmp: Path, name: str) -> Path:
    """The sample's results.json, scored into its own folder."""
    out = tmp / f"out-{name}"
    subprocess.run([sys.executable, "-m", "scoring", "run", str(SAMPLE), "--out", str(out)],
                   capture_output=True, check=True)
    return out / "results.json"


def _template(tmp: Path, name: str, text: str) -> list[str]:
    """`score report` of the scored sample with a report template of `text`."""
    results = _scored(tmp, name)
    template = tmp / f"{name}.md.j2"
    template.write_text(text, encoding="utf-8")
    return ["report", str(results), "--template", str(template), "--out", str(results.parent)]


def _template_bomb(tmp: Path) -> list[str]:
    return _template(tmp, "bomb", "{{ 'x' * 10**9 }}")


def _template_container(tmp: Path) -> list[str]:
    return _template(tmp, "container", '{{ ["x" * 1000000] * 1500 }}')


def _draft_of_tiny_paragraphs(tmp: Path) -> list[str]:
    results = _scored(tmp, "draft")
    from docx import Document

    draft = tmp / "草稿.docx"
    document = Document()
    document.add_paragraph("（美丽楼院考核情况）")
    document.save(str(draft))
    with zipfile.ZipFile(draft) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 5_600_000)
    with zipfile.ZipFile(draft, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return ["report", str(results), "--into", str(draft), "--out", str(tmp / "out-filled")]


def _sample(tmp: Path) -> list[str]:
    return ["run", str(SAMPLE), "--out", str(tmp / "out-sample")]


CASES: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("baseline: the bundled sample (run)", _sample),
    ("xlsx: far-away cell, lowercase single-quoted ref (2 KB)", _far_cell_lowercase),
    ("xlsx: a far cell just within --max-cells (A1:T1000000, 20M cells)", _far_cell_within_limit),
    ("xlsx: 49M cells without references (implicit positions)", _implicit_positions),
    ("xlsx: 200 sheets sharing one part", _shared_part),
    ("xlsx: 8M empty shared strings", _tiny_shared_strings),
    ("xls: DIMENSIONS claiming 2^31 rows", _xls_false_dimensions),
    ("xls: 40 sheets of A1 and IV65536 each", _xls_many_far_sheets),
    ("csv: 103 MB of commas", _csv_of_commas),
    ("csv: 60 MB of blank lines", _csv_of_blank_lines),
    ("criteria: /dev/zero", _device_as_criteria),
    ("results.json: 15 MB of '['", _deep_results),
    ("report template: 'x' * 10**9", _template_bomb),
    ("report template: a list of 1,500 × 1M characters", _template_container),
    ("report --into: draft of 5.6M empty paragraphs", _draft_of_tiny_paragraphs),
]


def measure(args: list[str], cwd: Path, limit_mb: int) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, last stderr line) of `score *args`."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * MB, limit_mb * MB))

    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "scoring", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, preexec_fn=limit,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("考核标准：")]
    return child.returncode, seconds, usage.ru_maxrss / 1024, lines[0] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run only the cases whose label contains this")
    parser.add_argument("--limit-mb", type=int, default=3072, help="address-space limit of each child")
    options = parser.parse_args()
    print("| hostile input | exit | outcome | peak RSS | time |")
    print("|---|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for label, build in CASES:
            if options.only not in label:
                continue
            args = build(tmp)
            code, seconds, peak, line = measure(args, tmp, options.limit_mb)
            found = re.search(r"（([A-Z]\d{3})）\s*$", line)
            outcome = ("crash" if code not in (0, 1, 2, 3) or "Traceback" in line
                       else "scored" if code == 0 else f"refused ({found.group(1)})" if found else "refused")
            print(f"| {label} | {code} | {outcome} | {peak:.0f} MB | {seconds:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
