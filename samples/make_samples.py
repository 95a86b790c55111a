"""Make the sample inspection workbooks: realistic years of 美丽楼院 inspections.

- `samples/inspections.xlsx`: 2023, recorded on the columns of standard 2023.1;
- `samples/inspections-2022.xlsx`: 2022, on the columns of 2022.1 (for `score compare`).

6 communities × 8 courtyards, quarterly inspections plus some spot checks (暗访), a title row
above the header, and values in the office's mixed styles (是/否, √/×, "3.5分", 不适用, 免检).
Deterministic: run it again and the same workbooks come out.

    python samples/make_samples.py [OUT_DIR]
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[1]
STANDARD = ROOT / "criteria" / "beautiful-courtyard"
YEARS = {2023: ("2023.1", "inspections.xlsx"), 2022: ("2022.1", "inspections-2022.xlsx")}

COMMUNITIES = {
    "焦南社区": ["建设路1号院", "供电局家属院", "烟草公司家属院", "焦南小区", "民主南路12号院",
                 "粮食局家属院", "二中家属院", "电业小区"],
    "民主社区": ["民主北路3号院", "百货楼家属院", "公安局家属院", "民主小区", "园林处家属院",
                 "新华书店家属院", "邮电局家属院", "自来水公司家属院"],
    "新华社区": ["新华街5号院", "新华小区", "人民医院家属院", "建工家属院", "纺织厂家属院",
                 "化工厂家属院", "税务局家属院", "光明小区"],
    "光亚社区": ["光亚街8号院", "光亚小区", "焦煤集团家属院", "建行家属院", "银鑫小区",
                 "实验小学家属院", "交通局家属院", "光亚北院"],
    "春辉社区": ["春辉小区", "春辉东院", "春辉西院", "农行家属院", "卫生局家属院",
                 "技校家属院", "商业局家属院", "春辉南院"],
    "胜利社区": ["胜利街11号院", "胜利小区", "粮校家属院", "审计局家属院", "二轻局家属院",
                 "水利局家属院", "气象局家属院", "胜利北院"],
}
INSPECTORS = ["王建国", "李秀英", "张伟", "刘芳", "陈磊", "赵静"]
QUARTER_DAYS = [(3, 15), (6, 14), (9, 13), (12, 12)]
EXEMPLARY = {(0, 0), (3, 2), (1, 5)}  # (community, courtyard) of the district's model courtyards


def cell_value(item: dict, quality: float, rng: random.Random, style: int) -> object:
    """A plausible value for an item given the courtyard's quality (0..1)."""
    points = float(item["points"])
    kind = item["type"]
    good = rng.random() < quality
    if kind == "check":
        return ("是" if good else "否") if style == 0 else ("√" if good else "×")
    if kind == "scale":
        step = float(item.get("step", 0.5))
        steps = int(points / step)
        value = step * (steps - rng.randint(0, 1 if good else max(1, steps // 2)))
        text = f"{value:g}"
        return f"{text}分" if style == 1 and rng.random() < 0.3 else value
    if kind == "choice":
        labels = list(item["choices"])
        return labels[0] if good else labels[rng.randint(1, len(labels) - 1)]
    if kind == "deduct":
        return 0 if good else rng.randint(1, 3)
    limit = len(item.get("conditions", [])) or int(points / float(item["per_unit"]))
    return limit if good else rng.randint(0, max(0, limit - 1))


def make(out: Path, year: int) -> None:
    """Write the sample workbook of `year` to `out`."""
    version, _ = YEARS[year]
    crit = json.loads((STANDARD / f"{version}.json").read_text(encoding="utf-8"))
    items = [i for c in crit["categories"] for i in c["items"]]
    bonus = crit["bonus"]["items"]
    vetoes = crit["vetoes"]
    rng = random.Random(year * 10000 + 1231)
    book = Workbook()
    sheet = book.active
    sheet.title = "检查记录"
    headers = ["序号", "社区", "楼院名称", "检查日期", "检查人"]
    headers += [f"{i['id']} {i['name']}" for i in items + bonus]
    headers += [f"{v['id']} {v['name']}" for v in vetoes] + ["扣分原因", "备注"]
    sheet.append([f"{year}年度解放区美丽楼院检查记录表（示例数据）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    number = 0
    for c_index, (community, yards) in enumerate(COMMUNITIES.items()):
        for y_index, yard in enumerate(yards):
            quality = 0.55 + 0.4 * rng.random() - 0.03 * c_index - (0.05 if year < 2023 else 0)
            if (c_index, y_index) in EXEMPLARY:
                quality = 1.0
            no_lift = y_index % 3 != 0  # old courtyards without a lift
            fire_safe = y_index == 1  # a 消防安全示范楼院: 免检
            visits = [date(year, m, d) for m, d in QUARTER_DAYS]
            if (c_index + y_index) % 5 == 0:
                visits.append(date(year, rng.randint(4, 11), rng.randint(1, 28)))  # 暗访
            for visit in sorted(visits):
                number += 1
                style = rng.randint(0, 1)
                row: list[object] = [number, community, yard, visit, rng.choice(INSPECTORS)]
                reasons = []
                for item in items:
                    if item.get("na") and no_lift and item["id"] in ("FAC-02", "FAC-05"):
                        row.append("不适用")
                        continue
                    if item.get("exempt") and fire_safe:
                        row.append("免检")
                        continue
                    value = cell_value(item, quality, rng, style)
                    if item["type"] == "deduct" and value:
                        reasons.append(f"{item['name']}{value}处")
                    row.append(value)
                for item in bonus:
                    chance = 0.6 if quality == 1.0 else 0.3
                    row.append(cell_value(item, 0.15, rng, style) if rng.random() < chance else None)
                marks = {"VETO-01": (c_index, y_index, visit.month) == (5, 7, 9),
                         "VETO-02": (c_index, y_index, visit.month) == (2, 4, 6),
                         "VETO-03": (c_index, y_index, visit.month) == (4, 2, 12)}
                row += ["是" if marks[v["id"]] else None for v in vetoes]
                row += ["；".join(reasons) or None, "暗访" if visit.day not in (15, 14, 13, 12) else None]
                sheet.append(row)
                sheet.cell(sheet.max_row, 4).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "F3"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    for sample_year, (_, name) in YEARS.items():
        make(folder / name, sample_year)
