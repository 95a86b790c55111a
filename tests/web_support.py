"""What the tests of the office's page share: an app on a workspace driven in-process with
Starlette's TestClient, its CSRF token, uploads through the 评分 form, a sample with a mistake."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from starlette.testclient import TestClient

from scoring.web.app import build_app
from scoring.web.config import WebConfig

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"
SAMPLE_2022 = ROOT / "samples" / "inspections-2022.xlsx"
BASE = "http://127.0.0.1:8765"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def client_for(home: Path, **config: object) -> TestClient:
    return TestClient(build_app(WebConfig(home, **config)), base_url=BASE)  # type: ignore[arg-type]


def token(client: TestClient, path: str = "/") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def upload(client: TestClient, *files: tuple[str, bytes], **fields: str) -> object:
    return client.post("/score", data={"csrftoken": token(client), **fields},
                       files=[("files", (name, data, XLSX)) for name, data in files], follow_redirects=False)


def with_mistake(cell: str = "AF5", value: str = "可以") -> bytes:
    book = load_workbook(SAMPLE)
    book.active[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
