"""Issue 16, files lost or overwritten: no output replaces an input or anything the toolkit did
not write; outputs are staged inside their own folder (a symlinked folder or another file system
works); an unwritable folder is said as such (signals and locks: test_hostile_signals.py)."""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from scoring.outputs.staging import STAGING_PREFIX, sweep
from tests.helpers import MINI, criteria_dir
from tests.output_support import (
    OUTPUTS,
    SAMPLE,
    invoke,
    sha,
    snapshot,
)

# ---------------------------------------------------------------- outputs onto inputs (item 7)


def test_compare_xlsx_onto_its_first_input_is_refused(mini: dict[str, Path], tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_bytes(mini["results"].read_bytes())
    b.write_bytes(mini["results"].read_bytes())
    before = a.read_bytes()
    code, out, err = invoke("compare", a, b, "--xlsx", a)
    assert code == 2
    assert err == f"输出文件 {a} 就是输入的评分结果 {a}，写入会覆盖它；请给 --xlsx 换一个文件名\n"
    assert out == ""  # refused before the comparison is shown, not after
    assert a.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_an_output_that_is_a_link_to_an_input_is_refused(mini: dict[str, Path], tmp_path: Path, link: str) -> None:
    a = tmp_path / "a.json"
    a.write_bytes(mini["results"].read_bytes())
    before = a.read_bytes()
    alias = tmp_path / "对比.xlsx"
    if link == "hard":
        os.link(a, alias)
    else:
        alias.symlink_to(a)
    code, _, err = invoke("compare", a, mini["results"], "--xlsx", alias)
    assert code == 2
    assert err == f"输出文件 {alias} 就是输入的评分结果 {a}，写入会覆盖它；请给 --xlsx 换一个文件名\n"
    assert a.read_bytes() == before
    assert alias.samefile(a)


def test_criteria_diff_onto_a_criteria_file_is_refused(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI, {**MINI, "version": "2", "effective_from": "2024-01-01"})
    target = folder / "1.json"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, _, err = invoke("criteria", "diff", "1", "2", "--criteria", folder, "--format", "json", "-o", target)
    assert code == 2
    assert err == f"输出文件 {target} 就是输入的考核标准文件 {target}，写入会覆盖它；请给 -o 换一个文件名\n"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    register = folder.parent / "regulations.json"
    register_before = register.read_bytes()
    code, _, err = invoke("criteria", "diff", "1", "2", "--criteria", folder, "--format", "markdown", "-o", register)
    assert code == 2
    assert err == f"输出文件 {register} 就是输入的法规库文件 {register}，写入会覆盖它；请给 -o 换一个文件名\n"
    assert register.read_bytes() == register_before


def test_run_whose_input_is_an_output_in_out_is_refused_before_scoring(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    source = out / "ranking.xlsx"  # an inspection workbook that happens to bear an output's name
    source.write_bytes(SAMPLE.read_bytes())
    code, _, err = invoke("run", source, "--out", out)
    assert code == 2
    assert err == f"输出文件 {source} 就是输入的检查记录 {source}，写入会覆盖它；请用 --out 换一个输出文件夹\n"
    assert sha(source) == sha(SAMPLE)
    assert [p.name for p in out.iterdir()] == ["ranking.xlsx"]


def test_a_folder_where_an_output_goes_is_kept_and_nothing_is_written(mini: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "report.md").mkdir(parents=True)
    (out / "report.md" / "笔记.txt").write_text("办公室的笔记", encoding="utf-8")
    (out / "results.json").write_text("earlier", encoding="utf-8")
    before = snapshot(out)
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 3
    assert err == (f"无法写入 {out / 'report.md'}：那里已有同名的文件夹，不会替换或删除它；"
                   "请把它移走，或换一个输出文件名或文件夹\n")
    assert snapshot(out) == before  # all or none: results.json untouched too


def test_a_symlink_where_an_output_goes_is_not_replaced(mini: dict[str, Path], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.xlsx"
    elsewhere.write_bytes(b"not ours")
    target = tmp_path / "对比.xlsx"
    target.symlink_to(elsewhere)
    code, _, err = invoke("compare", mini["results"], mini["results"], "--xlsx", target)
    assert code == 3
    assert err.endswith(f"无法写入 {target}：那里已有同名的快捷方式（符号链接），不会替换或删除它；"
                        "请把它移走，或换一个输出文件名或文件夹\n")
    assert target.is_symlink() and elsewhere.read_bytes() == b"not ours"


def test_an_output_folder_that_is_a_file_is_said_as_such(mini: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_bytes(b"a file")
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 3
    assert err == f"无法在文件夹 {out} 中写入文件：那里已有同名的文件（不是文件夹）；请换一个输出文件夹\n"
    assert out.read_bytes() == b"a file"


# ---------------------------------------------------------------- report --into (item 6)


def make_draft(path: Path, marker: bool = True) -> None:
    from docx import Document

    from scoring.report.word import MARKER

    document = Document()
    document.add_paragraph("报告")
    if marker:
        document.add_paragraph(MARKER)
    document.save(str(path))


def test_a_draft_that_is_the_report_docx_beside_results_is_refused(mini: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    results = folder / "results.json"
    results.write_bytes(mini["results"].read_bytes())
    draft = folder / "report.docx"
    make_draft(draft)
    (folder / "report.md").write_text("earlier", encoding="utf-8")
    before = snapshot(folder)
    code, out, err = invoke("report", results, "--criteria", mini["criteria"], "--into", draft, "--out", folder)
    assert (code, out) == (2, "")
    assert err == (f"输出文件 {draft} 就是输入的Word 报告草稿 {draft}，写入会覆盖它；请把草稿另存为其他文件名"
                   "（如“报告草稿.docx”）后再用 --into，或用 --out 把 report.md、report.docx 写到别的文件夹\n")
    assert snapshot(folder) == before
    # Without --out only the filled copy is written, beside the draft; the draft stays as it was.
    code, out, err = invoke("report", results, "--criteria", mini["criteria"], "--into", draft)
    assert code == 0, err
    assert out == f"已写入 {folder / 'report-已填写.docx'}\n"
    assert {k: v for k, v in snapshot(folder).items() if k != "report-已填写.docx"} == before


def test_a_draft_without_marker_writes_nothing_at_all(mini: dict[str, Path], tmp_path: Path) -> None:
    from scoring.report.word import MARKER

    draft = tmp_path / "草稿.docx"
    make_draft(draft, marker=False)
    out = tmp_path / "节"
    out.mkdir()
    (out / "report.md").write_text("earlier md", encoding="utf-8")
    (out / "report.docx").write_bytes(b"earlier docx")
    before = snapshot(tmp_path)
    code, stdout, err = invoke("report", mini["results"], "--criteria", mini["criteria"], "--into", draft,
                               "--out", out)
    assert (code, stdout) == (1, "")
    assert err == (f"草稿 {draft} 中没有找到单独成段的“{MARKER}”标记；"
                   "请在要插入考核情况的位置单独一段输入该标记（只输入一处）\n")
    assert snapshot(tmp_path) == before


def test_a_failing_output_leaves_no_filled_draft_and_the_earlier_report(
        mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The filled draft and report.md/.docx are written together or not at all.
    draft = tmp_path / "草稿.docx"
    make_draft(draft)
    out = tmp_path / "节"
    out.mkdir()
    (out / "report.md").write_text("earlier md", encoding="utf-8")
    before = snapshot(tmp_path)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("scoring.report.section.write_document", disk_full)
    code, _, err = invoke("report", mini["results"], "--criteria", mini["criteria"], "--into", draft, "--out", out)
    assert code == 3
    assert err == f"无法写入 {out / 'report.docx'}：磁盘空间已满，请清理磁盘后重试\n"
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- where staging happens (item 8)


def test_out_as_a_symlink_to_another_file_system(mini: dict[str, Path], tmp_path: Path) -> None:
    other = Path(tempfile.mkdtemp(dir="/dev/shm")) if Path("/dev/shm").is_dir() else None
    if other is None or other.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a second file system (/dev/shm)")
    try:
        link = tmp_path / "out"
        link.symlink_to(other, target_is_directory=True)
        code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", link)
        assert code == 0, err  # staged beside the files: no "Invalid cross-device link"
        assert sorted(p.name for p in other.iterdir()) == OUTPUTS
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    finally:
        subprocess.run(["rm", "-rf", str(other)], check=True)


@pytest.mark.parametrize(("error", "reason"), [
    (PermissionError(errno.EACCES, "Permission denied"), "没有在该文件夹中新建文件的权限"),
    (OSError(errno.EROFS, "Read-only file system"), "磁盘或文件夹是只读的"),
])
def test_a_folder_that_takes_no_files_is_named_with_its_reason(
        mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str) -> None:
    # Tests run as root, whom permissions do not bind: the refusal is simulated where the
    # system would give it (making the staging folder inside the output folder).
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranking.xlsx").write_bytes(b"earlier")

    def refused(*args: object, **kwargs: object) -> str:
        raise error

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 3
    assert err == f"无法在文件夹 {out} 中写入文件：{reason}；请换一个输出文件夹\n"
    assert "Excel" not in err
    assert snapshot(out) == {"ranking.xlsx": b"earlier"}


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_folder_for_real(mini: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    finally:
        out.chmod(0o755)
    assert code == 3
    assert err == f"无法在文件夹 {out} 中写入文件：没有在该文件夹中新建文件的权限；请换一个输出文件夹\n"


# ---------------------------------------------------------------- a USB drive has no hard links (sibling)


def test_a_new_criteria_version_is_written_where_there_are_no_hard_links(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.criteria import importing
    from scoring.errors import UsageError

    def no_links(*args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")  # what FAT/exFAT answer

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "2024.1.json"
    importing._write_new(target, '{"version": "2024.1"}\n')
    assert target.read_text(encoding="utf-8") == '{"version": "2024.1"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["2024.1.json"]
    with pytest.raises(UsageError, match="已存在，不会覆盖"):
        importing._write_new(target, "{}")
    assert target.read_text(encoding="utf-8") == '{"version": "2024.1"}\n'


def test_a_failed_write_into_a_new_folder_leaves_no_folder(
        mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("scoring.report.section.write_document", disk_full)
    out = tmp_path / "新建"
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 3
    assert err == f"无法写入 {out / 'report.docx'}：磁盘空间已满，请清理磁盘后重试\n"
    assert not out.exists()


@pytest.mark.parametrize("how", ["mount point", "symbolic link"])
def test_out_on_another_file_system_simulated(
        mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    # A USB drive or a network share, simulated where CI has none: any rename between the drive
    # and elsewhere fails as the system says it then (EXDEV). Outputs staged beside the final
    # files are moved within the drive only.
    drive = (tmp_path / "U盘").resolve()
    drive.mkdir()
    out = drive
    if how == "symbolic link":
        out = tmp_path / "out"
        out.symlink_to(drive, target_is_directory=True)

    def on_drive(path: object) -> bool:
        return Path(os.path.realpath(str(path))).is_relative_to(drive)

    def across(real: Callable[..., None]) -> Callable[..., None]:
        def move(src: object, dst: object, *args: object, **kwargs: object) -> None:
            if on_drive(src) != on_drive(dst):
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            real(src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(os, "replace", across(os.replace))
    monkeypatch.setattr(os, "rename", across(os.rename))
    (tmp_path / "probe").write_text("x", encoding="utf-8")
    with pytest.raises(OSError) as refused:  # the simulation bites: staging beside --out would fail
        (tmp_path / "probe").replace(out / "probe")
    assert refused.value.errno == errno.EXDEV
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 0, err
    assert sorted(p.name for p in drive.iterdir()) == OUTPUTS
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["U盘", "probe", *(["out"] if out != drive else [])])


def test_a_read_only_folder_simulated(mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a folder without write permission answers to a non-root user, for every way of making
    # something in it (tests run as root, whom permissions do not bind).
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranking.xlsx").write_bytes(b"earlier")
    real_mkdir, real_open = os.mkdir, os.open

    def inside(path: object) -> bool:
        return Path(os.path.realpath(str(path))).parent == out

    def mkdir(path: object, *args: object, **kwargs: object) -> None:
        if inside(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    def open_(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT and inside(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 3
    assert err == f"无法在文件夹 {out} 中写入文件：没有在该文件夹中新建文件的权限；请换一个输出文件夹\n"
    assert snapshot(out) == {"ranking.xlsx": b"earlier"}


def test_an_earlier_output_that_cannot_be_put_back_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.errors import OutputError
    from scoring.outputs.staging import text_writer, write_all

    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("the office's earlier a", encoding="utf-8")
    (out / "b.txt").write_text("the office's earlier b", encoding="utf-8")
    real = os.replace

    def move(src: object, dst: object) -> None:
        source, target = Path(str(src)), Path(str(dst))
        if target == out / "b.txt" and source.name == "b.txt":
            raise OSError(errno.ENOSPC, "No space left on device")  # the second file cannot go in
        if target == out / "a.txt" and source.name == ".previous-a.txt":
            raise PermissionError(errno.EACCES, "Permission denied")  # nor the first be put back
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", move)
    with pytest.raises(OutputError) as failed:
        write_all(out, {"a.txt": text_writer("new a"), "b.txt": text_writer("new b")})
    kept = [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert len(kept) == 1  # kept, with the earlier a in it, and said where
    assert failed.value.message == (f"无法写入 {out / 'b.txt'}：磁盘空间已满，请清理磁盘后重试。"
                                    f"原有的 a.txt 未能放回原处，保存在 {kept[0] / '.previous-a.txt'}，"
                                    f"请把它移回 {out / 'a.txt'}")
    assert (out / "b.txt").read_text(encoding="utf-8") == "the office's earlier b"
    assert (kept[0] / ".previous-a.txt").read_text(encoding="utf-8") == "the office's earlier a"
    sweep(out)  # the next run's sweep does not delete it either: something took its place
    assert (kept[0] / ".previous-a.txt").read_text(encoding="utf-8") == "the office's earlier a"
    monkeypatch.setattr(os, "replace", real)
    (out / "a.txt").unlink()  # once the place is free, the next sweep puts it back
    sweep(out)
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "the office's earlier a"


def test_a_successful_write_leaves_no_earlier_file_behind(tmp_path: Path) -> None:
    from scoring.outputs.staging import text_writer, write_all

    (tmp_path / "a.txt").write_text("earlier", encoding="utf-8")
    write_all(tmp_path, {"a.txt": text_writer("new")})
    assert snapshot(tmp_path) == {"a.txt": b"new"}


def test_an_output_folder_made_meanwhile_by_another_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.errors import OutputError
    from scoring.outputs.staging import text_writer, write_all

    out = tmp_path / "新建"
    real = os.mkdir

    def raced(path: object, *args: object, **kwargs: object) -> None:
        if Path(str(path)) == out and not out.exists():
            real(out)  # the other process, between our look and our mkdir
            raise FileExistsError(errno.EEXIST, "File exists", str(path))
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", raced)
    assert write_all(out, {"a.txt": text_writer("a")}) == [out / "a.txt"]
    assert snapshot(out) == {"a.txt": b"a"}

    def disk_full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "另一个"  # made by the other process too, then our write fails
    with pytest.raises(OutputError):
        write_all(out, {"b.txt": disk_full})
    assert out.is_dir() and list(out.iterdir()) == []  # not made by us: not removed


@pytest.mark.parametrize(("error", "reason"), [
    (PermissionError(errno.EACCES, "Permission denied"), "没有在该文件夹中新建文件的权限"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满，请清理磁盘后重试"),
])
def test_a_workspace_that_cannot_be_made_says_why_in_chinese(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str) -> None:
    # The one wording of a folder that takes no new file, and never the system's English.
    def refused(*args: object, **kwargs: object) -> str:
        raise error

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    root = tmp_path / "ws"
    code, _, err = invoke("init", root)
    assert code == 3
    assert err == f"无法在 {root} 建立工作区：{reason}\n"

