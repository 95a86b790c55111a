"""Benchmark of the office's page: `score serve` started as the office starts it (its own
process, on 127.0.0.1), driven over real HTTP.

- page latency: every page, PAGES_REPEAT requests each, median and slowest;
- upload vs `score run`: the same workbook uploaded through the page (request sent → redirect
  to the results, i.e. stored, scored, every output written, archived and indexed; a big upload
  goes through the progress page, polled every 0.2 s as the browser's reload would) and scored
  by `score run FILE --out DIR` in a fresh process (what a clerk would otherwise run); medians.

    python benchmarks/web.py                     # the bundled sample and 10k rows
    python benchmarks/web.py --rows 10000 100000 # city scale too (generated into benchmarks/data/)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
SAMPLE = ROOT / "samples" / "inspections.xlsx"
PAGES_REPEAT = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def score_exe() -> str:
    return str(Path(sys.executable).with_name("score"))


def workbook(rows: int) -> Path:
    path = DATA / f"inspections-{rows}.xlsx"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(rows), str(path)], check=True)
    return path


def start_server(workspace: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([score_exe(), "serve", "--no-browser", "--port", str(port), "--workspace",
                               str(workspace)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("score serve did not start")


def upload_seconds(client: httpx.Client, path: Path) -> tuple[float, str]:
    token = TOKEN.search(client.get("/").text)
    assert token
    data = path.read_bytes()
    start = time.perf_counter()
    response = client.post("/score", data={"csrftoken": token.group(1)}, files=[("files", (path.name, data, XLSX))],
                           follow_redirects=False, timeout=600)
    location = response.headers.get("location", "")
    assert response.status_code == 303, (response.status_code, response.text[:300])
    while location.endswith("/wait"):  # a big upload: the progress page, reloaded as a browser does
        time.sleep(0.2)
        waiting = client.get(location, follow_redirects=False)
        location = waiting.headers.get("location", location)
    seconds = time.perf_counter() - start
    assert location.startswith("/runs/"), location
    return seconds, location


def run_seconds(path: Path, env: dict[str, str], out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([score_exe(), "run", str(path), "--out", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def page_latency(client: httpx.Client, run: str, courtyard: str) -> list[tuple[str, float, float]]:
    pages = ["/", run, f"{run}/courtyard?name={courtyard}", "/history", f"/compare?a={run[6:]}&b={run[6:]}",
             "/report", "/template", "/criteria", "/criteria/diff?a=2022.1&b=2023.1", "/criteria/audit"]
    figures = []
    for page in pages:
        times = []
        for _ in range(PAGES_REPEAT):
            start = time.perf_counter()
            response = client.get(page)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (page, response.status_code)
        figures.append((page, statistics.median(times), max(times)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000], help="generated workbook sizes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    inputs = [("sample", SAMPLE)] + [(f"{rows:,} rows", workbook(rows)) for rows in args.rows]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "HOME": str(home), "SCORE_WORKSPACE": ""}
        workspace = home / "ws"
        server = start_server(workspace, args.port, env)
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
            token = TOKEN.search(client.get("/").text)
            assert token
            client.post("/init", data={"csrftoken": token.group(1)})  # the first-start offer
            rows = []
            first_run = ""
            for label, path in inputs:
                uploads, runs = [], []
                for k in range(args.repeat):
                    seconds, location = upload_seconds(client, path)
                    uploads.append(seconds)
                    first_run = first_run or location
                    runs.append(run_seconds(path, env, home / f"out-{k}"))
                up, cli = statistics.median(uploads), statistics.median(runs)
                rows.append(f"| {label} | {up:.2f} s | {cli:.2f} s | {up / cli:.2f}× |")
            import json

            results = json.loads(client.get(f"{first_run}/files/results.json").text)
            yard = results["courtyards"][0]
            latency = page_latency(client, first_run, f"{yard['community']}/{yard['courtyard']}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("| input | upload (page) | `score run` | upload ÷ run |\n|---|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\n| page | median | slowest of {PAGES_REPEAT} |\n|---|---:|---:|")
    for page, median, worst in latency:
        print(f"| `{page}` | {median * 1000:.0f} ms | {worst * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
