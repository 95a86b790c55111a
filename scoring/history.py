"""The workspace's index of runs (docs/design.md §8): `score.db`, an SQLite database (standard
library `sqlite3`, WAL journal) with one row per run, per courtyard and per community, so that
history, trends and year-on-year comparison need no re-scoring.

It is a cache of `runs/`: every row is read from an archived run's `run.json` and its archived
`results.json` (through `Results.load`, the same way whether the run was just made or is
re-read by `score reindex`), so deleting `score.db` and reindexing gives identical rows.
Points are stored as whole hundredths (exact), rates as the numbers written in results.json.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.engine.results import Results
from scoring.errors import OutputError
from scoring.runs import RunRecord, archive_run, archived_runs, read_record, results_path

if TYPE_CHECKING:
    from scoring.workspace import Workspace

BUSY_TIMEOUT_MS = 60_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, period TEXT NOT NULL, number INTEGER NOT NULL, created TEXT NOT NULL,
    who TEXT NOT NULL, via TEXT NOT NULL, lenient INTEGER NOT NULL, standard_id TEXT NOT NULL,
    versions TEXT NOT NULL, inputs TEXT NOT NULL, courtyards INTEGER NOT NULL,
    communities INTEGER NOT NULL, issues INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS courtyard_results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, period TEXT NOT NULL,
    community TEXT NOT NULL, courtyard TEXT NOT NULL, inspections INTEGER NOT NULL,
    version TEXT NOT NULL, total_cents INTEGER NOT NULL, grade TEXT NOT NULL, pass INTEGER NOT NULL,
    disqualified INTEGER NOT NULL, rank INTEGER, rank_in_community INTEGER, rule_of_law_rate REAL,
    vetoes TEXT NOT NULL,
    PRIMARY KEY (run_id, community, courtyard)
);
CREATE TABLE IF NOT EXISTS community_results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, period TEXT NOT NULL,
    community TEXT NOT NULL, courtyards INTEGER NOT NULL, mean_total_cents INTEGER NOT NULL,
    pass_rate REAL NOT NULL, rule_of_law_rate REAL, rank INTEGER NOT NULL, grade_counts TEXT NOT NULL,
    PRIMARY KEY (run_id, community)
);
CREATE INDEX IF NOT EXISTS courtyard_by_name ON courtyard_results (community, courtyard);
CREATE INDEX IF NOT EXISTS community_by_name ON community_results (community);
"""


@contextmanager
def connect(workspace: Workspace) -> Iterator[sqlite3.Connection]:
    """A connection to the workspace's score.db (created when missing), in WAL mode and with a
    long busy timeout so that two processes writing at once wait for each other."""
    try:
        with closing(sqlite3.connect(workspace.db_path, timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(SCHEMA)
            yield db
    except sqlite3.Error as exc:
        raise OutputError(f"工作区的评分索引 {workspace.db_path} 无法使用（{_sqlite_reason(exc)}）。"
                          "可删除 score.db 后运行 score reindex 重建") from exc


# SQLite's result codes in the office's words (its own messages are English).
_SQLITE_WORDS = {
    "SQLITE_BUSY": "正被另一个程序使用，请稍后重试", "SQLITE_LOCKED": "正被另一个程序使用，请稍后重试",
    "SQLITE_NOTADB": "文件已损坏，或不是评分索引", "SQLITE_CORRUPT": "文件已损坏，或不是评分索引",
    "SQLITE_FULL": "磁盘空间已满", "SQLITE_READONLY": "文件或磁盘是只读的",
    "SQLITE_CANTOPEN": "无法打开该文件", "SQLITE_PERM": "没有访问权限", "SQLITE_IOERR": "读写磁盘时出错",
}


def _sqlite_reason(exc: sqlite3.Error) -> str:
    name = (getattr(exc, "sqlite_errorname", None) or "").split("_")[:2]
    return _SQLITE_WORDS.get("_".join(name), "读写索引时出错")


def _rows(record: RunRecord, results: Results) -> tuple[tuple[object, ...], list[tuple[object, ...]],
                                                         list[tuple[object, ...]]]:
    run: tuple[object, ...] = (
           record.id, record.period, record.number, record.created, record.who, record.via, int(record.lenient),
           record.standard_id, json.dumps(record.versions, ensure_ascii=False),
           json.dumps([i.name for i in record.inputs], ensure_ascii=False),
           len(results.courtyards), len(results.communities), len(results.issues))
    yards: list[tuple[object, ...]] = [
             (record.id, record.period, y.community, y.courtyard, y.inspections, y.version, y.total_cents, y.grade,
              int(y.passing), int(y.disqualified), y.rank, y.rank_in_community,
              None if y.rule_of_law_rate is None else float(y.rule_of_law_rate),
              json.dumps(y.vetoes, ensure_ascii=False)) for y in results.courtyards]
    communities: list[tuple[object, ...]] = [
                   (record.id, record.period, c.community, c.courtyards, c.mean_total_cents, float(c.pass_rate),
                    None if c.rule_of_law_rate is None else float(c.rule_of_law_rate), c.rank,
                    json.dumps(c.grade_counts, ensure_ascii=False)) for c in results.communities]
    return run, yards, communities


def _insert(db: sqlite3.Connection, folder: Path, results: Results | None = None) -> None:
    record = read_record(folder)
    if results is None:
        results = Results.load(results_path(folder))
    run, yards, communities = _rows(record, results)
    db.execute("DELETE FROM runs WHERE id = ?", (record.id,))
    db.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(run))})", run)
    db.executemany(f"INSERT INTO courtyard_results VALUES ({', '.join('?' * 14)})", yards)
    db.executemany(f"INSERT INTO community_results VALUES ({', '.join('?' * 9)})", communities)


def index_run(workspace: Workspace, folder: Path, results: Results | None = None) -> None:
    """Add (or replace) one archived run in score.db, in one transaction. `results` are the run's
    own (just archived) results when the caller has them; otherwise the archived results.json is
    read. Both give the same rows: every indexed figure round-trips exactly through results.json
    (whole hundredths; rates as the shortest float text), which `score reindex` tests rely on."""
    with connect(workspace) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            _insert(db, folder, results)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def reindex(workspace: Workspace) -> int:
    """Rebuild score.db from `runs/` in one transaction (readers see the old index or the new
    one, never a half-built one); the number of runs indexed."""
    folders = archived_runs(workspace)
    with connect(workspace) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in ("courtyard_results", "community_results", "runs"):
                db.execute(f"DELETE FROM {table}")
            for folder in folders:
                _insert(db, folder)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(folders)


@dataclass(frozen=True)
class RunRow:
    """One run as listed."""

    id: str
    period: str
    number: int
    created: str
    who: str
    via: str
    lenient: bool
    versions: list[str]
    inputs: list[str]
    courtyards: int
    communities: int
    issues: int


@dataclass(frozen=True)
class ScoreRow:
    """A courtyard's or community's figures in one run."""

    run_id: str
    period: str
    community: str
    courtyard: str | None  # None for a community
    total_cents: int  # a community's mean total
    grade: str | None
    rank: int | None
    passing: bool | None  # a courtyard's; None for a community
    pass_rate: float | None  # a community's


def list_runs(workspace: Workspace) -> list[RunRow]:
    """Every indexed run, newest period first, then newest run first."""
    with connect(workspace) as db:
        rows = db.execute("SELECT id, period, number, created, who, via, lenient, versions, inputs, courtyards, "
                          "communities, issues FROM runs ORDER BY period DESC, number DESC").fetchall()
    return [RunRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), [v["version"] for v in json.loads(r[7])],
                   json.loads(r[8]), r[9], r[10], r[11]) for r in rows]


def courtyard_history(workspace: Workspace, community: str | None, courtyard: str) -> list[ScoreRow]:
    """A courtyard's figures in every indexed run (oldest period first); `community` None
    matches the name in any community."""
    query = ("SELECT y.run_id, y.period, y.community, y.courtyard, y.total_cents, y.grade, y.rank, y.pass "
             "FROM courtyard_results AS y JOIN runs AS r ON r.id = y.run_id WHERE y.courtyard = ?")
    params: list[object] = [courtyard]
    if community is not None:
        query += " AND y.community = ?"
        params.append(community)
    with connect(workspace) as db:
        rows = db.execute(query + " ORDER BY r.period, r.number", params).fetchall()
    return [ScoreRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), None) for r in rows]


def community_history(workspace: Workspace, community: str) -> list[ScoreRow]:
    """A community's figures in every indexed run (oldest period first)."""
    with connect(workspace) as db:
        rows = db.execute("SELECT c.run_id, c.period, c.community, c.mean_total_cents, c.rank, c.pass_rate "
                          "FROM community_results AS c JOIN runs AS r ON r.id = c.run_id WHERE c.community = ? "
                          "ORDER BY r.period, r.number",
                          (community,)).fetchall()
    return [ScoreRow(r[0], r[1], r[2], None, r[3], None, r[4], None, r[5]) for r in rows]


def dump_rows(workspace: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted (to check that a reindex rebuilt the same index)."""
    with connect(workspace) as db:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("runs", "courtyard_results", "community_results")}


def record_run(workspace: Workspace, results: Results, inputs: list[tuple[str, Path]],
               write_outputs: Callable[[Path], None], *, via: str, lenient: bool = False) -> RunRecord:
    """Archive a finished run under `runs/` and index it in score.db (see `runs.archive_run`)."""
    record = archive_run(workspace, results, inputs, write_outputs, via=via, lenient=lenient)
    index_run(workspace, workspace.runs_dir / record.id, results)
    return record


def known_courtyards(workspace: Workspace) -> list[str]:
    """Every courtyard in the index as 社区/楼院, sorted (for choosing one)."""
    with connect(workspace) as db:
        rows = db.execute("SELECT DISTINCT community, courtyard FROM courtyard_results "
                          "ORDER BY community, courtyard").fetchall()
    return [f"{c}/{y}" for c, y in rows]
