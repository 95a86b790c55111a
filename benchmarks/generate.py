"""Generate a city-scale inspection workbook for the bundled 2023.1 standard: ROWS rows of monthly
inspections (about 12 per courtyard, 40 courtyards per community), the office's mixed value
styles, a title row, shared strings as Excel/WPS save them.

    python benchmarks/generate.py ROWS OUT.xlsx
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ROOT / "criteria" / "beautiful-courtyard" / "2023.1.json"


def value(item: dict, rng: random.Random) -> object:
    """A plausible value in one of the styles offices type."""
    points = float(item["points"])
    kind = item["type"]
    good = rng.random() < 0.75
    if kind == "check":
        return rng.choice(["是", "√", "Y"]) if good else rng.choice(["否", "×", "N"])
    if kind == "scale":
        v = points - rng.randint(0, 2) * 0.5
        return f"{v:g}分" if rng.random() < 0.2 else v
    if kind == "choice":
        labels = list(item["choices"])
        return labels[0] if good else rng.choice(labels)
    if kind == "deduct":
        return 0 if good else rng.randint(1, 3)
    limit = len(item.get("conditions", [])) or int(points / float(item["per_unit"]))
    return limit if good else rng.randint(0, limit)


def generate(rows: int, out: Path, seed: int = 7) -> None:
    """Write the workbook."""
    crit = json.loads(CRITERIA.read_text(encoding="utf-8"))
    items = [i for c in crit["categories"] for i in c["items"]] + crit["bonus"]["items"]
    vetoes = crit["vetoes"]
    rng = random.Random(seed)
    yards = max(1, rows // 12)
    # Not constant_memory: that mode writes inline strings, while Excel/WPS save shared strings.
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet("检查记录")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, "2023年度美丽楼院检查记录表（基准测试数据）")
    header = ["社区", "楼院", "检查日期", "检查人", *(f"{i['id']} {i['name']}" for i in items),
              *(f"{v['id']} {v['name']}" for v in vetoes), "扣分原因"]
    for col, text in enumerate(header):
        sheet.write_string(1, col, text)
    for n in range(rows):
        r = n + 2
        yard = n % yards
        sheet.write_string(r, 0, f"第{yard // 40 + 1}社区")
        sheet.write_string(r, 1, f"{yard % 40 + 1}号院")
        sheet.write_datetime(r, 2, date(2023, 1 + (n // yards) % 12, 1 + yard % 28), dates)
        sheet.write_string(r, 3, rng.choice(["王建国", "李秀英", "张伟", "刘芳"]))
        for col, item in enumerate(items, start=4):
            v = value(item, rng)
            if item["id"].startswith("BON") and rng.random() < 0.7:
                continue
            sheet.write_number(r, col, v) if isinstance(v, (int, float)) else sheet.write_string(r, col, v)
        base = 4 + len(items)
        for col, _ in enumerate(vetoes, start=base):
            if rng.random() < 0.001:
                sheet.write_string(r, col, "是")
        if rng.random() < 0.3:
            sheet.write_string(r, base + len(vetoes), "楼道杂物堆放1处")
    book.close()


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
