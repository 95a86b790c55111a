"""Issue 16, interrupted and concurrent runs (item 9): a signal mid-write leaves the earlier outputs
and no staging folder, and says which files were written; a killed run's staging is swept by the
next one; two runs into one folder never mix their files; a second Ctrl+C stops a hanging
clean-up; the folder's lock file is not left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring import interrupts
from scoring.outputs import locks
from scoring.outputs.staging import STAGING_PREFIX, sweep
from tests.output_support import (
    OUTPUTS,
    ROOT,
    invoke,
    sha,
    snapshot,
    stagings,
    start_child,
)


@pytest.mark.parametrize(("signum", "cause"), [
    (signal.SIGTERM, "收到结束程序的请求"), (signal.SIGHUP, "终端窗口已关闭"), (signal.SIGINT, "按下了 Ctrl+C")])
def test_a_signal_mid_write_leaves_the_earlier_outputs_and_no_staging(
        mini: dict[str, Path], tmp_path: Path, bigger: Path, signum: int, cause: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("earlier", encoding="utf-8")
    (out / "ranking.xlsx").write_bytes(b"earlier ranking")
    before = snapshot(out)
    child, _, _ = start_child(tmp_path, "run", bigger, "--criteria", mini["criteria"], "--out", out)
    staged = [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert len(staged) == 1 and (staged[0] / "ranking.xlsx").stat().st_size > 10_000  # mid-write, for real
    child.send_signal(signum)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 128 + signum
    assert err == f"已中断（{cause}），未写入任何文件。\n"
    assert snapshot(out) == before  # the earlier outputs, and no staging folder


def test_a_staging_folder_of_a_killed_run_goes_at_the_next_run(
        mini: dict[str, Path], tmp_path: Path, bigger: Path) -> None:
    out = tmp_path / "out"
    child, _, _ = start_child(tmp_path, "run", bigger, "--criteria", mini["criteria"], "--out", out)
    child.kill()  # SIGKILL: no clean-up at all
    child.communicate(timeout=60)
    assert len(stagings(out)) == 1
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS


def test_sweep_puts_back_an_output_set_aside_by_a_process_that_died(tmp_path: Path) -> None:
    stale = tmp_path / f"{STAGING_PREFIX}dead"
    stale.mkdir()
    (stale / ".previous-ranking.xlsx").write_bytes(b"the office's earlier ranking")
    (stale / "results.json").write_bytes(b"half written")
    (tmp_path / "results.json").write_bytes(b"new")
    held = tmp_path / f"{STAGING_PREFIX}alive"
    held.mkdir()
    owner = locks.FolderLock(held)
    assert owner.acquire(0)
    try:
        sweep(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"{STAGING_PREFIX}alive", "ranking.xlsx", "results.json"]
    finally:
        owner.release()
    assert (tmp_path / "ranking.xlsx").read_bytes() == b"the office's earlier ranking"
    assert (tmp_path / "results.json").read_bytes() == b"new"


@pytest.fixture
def handlers() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in interrupts.HANDLED}
    interrupts.install()
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def test_a_signal_while_files_are_moved_waits_for_the_move(handlers: None) -> None:
    done = []
    with pytest.raises(interrupts.Interrupted) as caught, interrupts.deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the handler has run by now, and held the signal
        done.append("moved")
    assert done == ["moved"]
    assert caught.value.exit_code == 143 and caught.value.cause == "收到结束程序的请求"


# ---------------------------------------------------------------- two runs, one folder (item 9)


def courtyards_in(folder: Path) -> tuple[list[str], str]:
    """The courtyards of results.json, and the text of ranking.xlsx's strings."""
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(folder / "ranking.xlsx") as z:
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
        strings += "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    return sorted(c["courtyard"] for c in data["courtyards"]), strings


def test_a_second_run_into_a_folder_being_written_waits_then_says_so(
        mini: dict[str, Path], tmp_path: Path, bigger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first, _, go = start_child(tmp_path, "run", bigger, "--criteria", mini["criteria"], "--out", out)
    try:
        monkeypatch.setattr(locks, "WAIT_SECONDS", 0.3)
        code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
        assert code == 3
        assert err == (f"另一次评分正在向文件夹 {out} 写入文件（已等待 0.3 秒）；"
                       "请等它完成后再试，或换一个输出文件夹\n")
    finally:
        go.write_text("go")
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    yards, ranking = courtyards_in(out)
    assert len(yards) == 100 and "49号院" in ranking and "甲院" not in ranking  # every file from the first run


def test_a_second_run_that_waits_long_enough_writes_all_its_files(
        mini: dict[str, Path], tmp_path: Path, bigger: Path) -> None:
    out = tmp_path / "out"
    first, _, go = start_child(tmp_path, "run", bigger, "--criteria", mini["criteria"], "--out", out)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("SCORE_WORKSPACE", None)
    second = subprocess.Popen([sys.executable, "-m", "scoring", "run", str(mini["data"]), "--criteria",
                               str(mini["criteria"]), "--out", str(out)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    time.sleep(1.0)  # the second scores, then waits for the folder
    assert second.poll() is None
    go.write_text("go")
    first.communicate(timeout=60)
    assert first.returncode == 0
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    yards, ranking = courtyards_in(out)
    assert yards == ["乙院", "甲院"] and "甲院" in ranking and "49号院" not in ranking  # every file from the second
    assert stagings(out) == []


def test_an_interruption_after_some_outputs_says_which_were_written(tmp_path: Path) -> None:
    from scoring.cli.common import interrupted_message
    from scoring.outputs.staging import text_writer, write_one, written_count

    before = written_count()
    hup = interrupts.Interrupted(signal.SIGHUP)
    assert interrupted_message(hup, before) == "已中断（终端窗口已关闭），未写入任何文件。"
    write_one(tmp_path / "results.json", text_writer("{}"))
    assert interrupted_message(interrupts.Interrupted(signal.SIGTERM), before) == (
        f"已中断（收到结束程序的请求）。中断前已写入：{tmp_path / 'results.json'}；其余文件未写入。")
    assert interrupted_message(KeyboardInterrupt(), written_count()) == "已中断（按下了 Ctrl+C），未写入任何文件。"


# ---------------------------------------------------------------- round two (review of issue 16)


def test_a_signal_while_files_are_moved_names_every_file_written(
        mini: dict[str, Path], tmp_path: Path, handlers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The signal arrives right after the first output is moved into place: it is held until
    # every file is in place, and the message names them all (not "未写入任何文件").
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("earlier", encoding="utf-8")
    real = os.replace
    sent = []

    def move(src: object, dst: object) -> None:
        real(src, dst)  # type: ignore[arg-type]
        if not sent and Path(str(src)).parent.name.startswith(STAGING_PREFIX) and Path(str(dst)).parent == out \
                and not Path(str(src)).name.startswith("."):
            sent.append(Path(str(dst)).name)
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "replace", move)
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out)
    assert sent == ["results.json"]
    assert code == 143
    written = "、".join(str(out / name) for name in ["results.json", "ranking.xlsx", "report.md", "report.docx"])
    assert err == f"已中断（收到结束程序的请求）。中断前已写入：{written}；其余文件未写入。\n"
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # no staging folder, no earlier file set aside
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["courtyards"]


def test_a_signal_while_the_run_is_archived_names_the_archive(
        mini: dict[str, Path], tmp_path: Path, handlers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring import runs
    from scoring.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    real = runs._claim

    def claim(*args: Path | str) -> tuple[str, int]:
        claimed = real(*args)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGHUP)
        return claimed

    monkeypatch.setattr(runs, "_claim", claim)
    code, _, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out, "--workspace",
                          workspace.root)
    assert code == 129
    written = "、".join(str(out / name) for name in ["results.json", "ranking.xlsx", "report.md", "report.docx"])
    assert err == (f"已中断（终端窗口已关闭）。中断前已写入：{written}、{workspace.runs_dir / '2023-1'}；"
                   "其余文件未写入。\n")
    assert sorted(p.name for p in workspace.runs_dir.iterdir()) == ["2023-1"]


def test_the_run_is_archived_while_out_is_still_locked(
        mini: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A second run into --out waits until the outputs are copied into the workspace: the archive
    # holds this run's files, never the second run's.
    import scoring.history as history
    from scoring.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    real = history.record_run
    free: list[bool] = []

    def record_run(*args: object, **kwargs: object) -> object:
        probe = locks.FolderLock(out)
        free.append(probe.acquire(0))  # another process (another descriptor) trying the folder
        if free[-1]:
            probe.release()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "record_run", record_run)
    code, stdout, err = invoke("run", mini["data"], "--criteria", mini["criteria"], "--out", out, "--workspace",
                               workspace.root)
    assert code == 0, err
    assert free == [False]
    archived = workspace.runs_dir / "2023-1" / "outputs"
    assert {name: sha(archived / name) for name in OUTPUTS} == {name: sha(out / name) for name in OUTPUTS}
    assert f"已存入工作区 {workspace.root}：第 2023-1 次评分" in stdout


def test_a_second_signal_during_clean_up_restores_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(interrupts, "_raised", False)
    monkeypatch.setattr(interrupts, "_pending", [])
    monkeypatch.setattr(signal, "signal", lambda s, h: calls.append(("handler", s, h)))
    monkeypatch.setattr(signal, "raise_signal", lambda s: calls.append(("raise", s)))
    with pytest.raises(interrupts.Interrupted):
        interrupts._handle(signal.SIGINT, None)
    assert calls == []
    interrupts._handle(signal.SIGINT, None)  # during the clean-up: stop the system's way
    assert calls == [("handler", signal.SIGINT, signal.SIG_DFL), ("raise", signal.SIGINT)]
    # A signal held while files are moved, then a second one: the second stops the process too.
    calls.clear()
    monkeypatch.setattr(interrupts, "_raised", False)
    monkeypatch.setattr(interrupts, "_held", 1)
    interrupts._handle(signal.SIGTERM, None)
    assert calls == [] and interrupts._pending == [signal.SIGTERM]
    interrupts._handle(signal.SIGINT, None)
    assert calls == [("handler", signal.SIGINT, signal.SIG_DFL), ("raise", signal.SIGINT)]


HANGING = """
import sys, time
from scoring import interrupts
interrupts.install()
try:
    print("ready", flush=True)
    time.sleep(60)
except interrupts.Interrupted:
    print("cleaning", flush=True)
    time.sleep(60)  # a clean-up that hangs (a stuck network drive)
"""


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_second_ctrl_c_stops_a_hanging_clean_up(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-c", HANGING], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                          text=True) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGINT)
        assert child.stdout.readline() == "cleaning\n"
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == -signal.SIGINT
        assert time.monotonic() - started < 10


@pytest.fixture
def lock_file_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders that cannot be locked themselves (Windows, some network shares): a .score-lock file."""
    monkeypatch.delattr(os, "O_DIRECTORY", raising=False)


def test_a_lock_file_is_removed_on_release(tmp_path: Path, lock_file_only: None) -> None:
    first = locks.FolderLock(tmp_path)
    assert first.acquire(0)
    assert [p.name for p in tmp_path.iterdir()] == [locks.LOCK_FILE]
    assert not locks.FolderLock(tmp_path).acquire(0)
    first.release()
    assert list(tmp_path.iterdir()) == []  # nothing left in the office's folder


def test_a_lock_file_removed_while_waited_for_is_never_held_twice(tmp_path: Path, lock_file_only: None) -> None:
    import threading

    first = locks.FolderLock(tmp_path)
    assert first.acquire(0)
    second = locks.FolderLock(tmp_path)
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(second.acquire(5)))
    waiter.start()
    time.sleep(0.3)  # the second waits on the file the first holds
    first.release()  # removes it, then lets go
    waiter.join(10)
    assert got == [True]
    assert [p.name for p in tmp_path.iterdir()] == [locks.LOCK_FILE]  # the second's own file
    assert not locks.FolderLock(tmp_path).acquire(0)  # a third comes in behind the second, not beside it
    second.release()
    assert list(tmp_path.iterdir()) == []

