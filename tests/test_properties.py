"""Hypothesis properties: random standards and inspections scored by the engine agree with the
naive reference scorer; totals never exceed scale + cap; one more deduction never raises a
total; ranks depend only on totals, not on row order."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring
from scoring.criteria.regulations import load_register
from scoring.criteria.resources import bundled_root
from scoring.criteria.standard import Standard, build_criteria, check_data
from scoring.outputs.results_json import results_dict
from tests.helpers import rows_for
from tests.reference import score_all

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HALVES = st.integers(min_value=1, max_value=20).map(lambda n: Decimal(n) / 2)


@st.composite
def items(draw: st.DrawFn, prefix: str, count: int, bonus: bool = False) -> list[dict[str, Any]]:
    out = []
    for k in range(count):
        kind = draw(st.sampled_from(["check", "scale", "choice", "deduct", "count"]))
        points = draw(HALVES)
        item: dict[str, Any] = {"id": f"{prefix}{k}", "name": f"项目{prefix}{k}", "type": kind,
                                "points": points}
        if kind == "choice":
            item["choices"] = {"好": points, "中": (points / 2).quantize(Decimal("0.01")),
                               "差": Decimal(0)}
        if kind in ("deduct", "count"):
            item["per_unit"] = draw(HALVES)
        if kind == "count" and draw(st.booleans()):
            item["conditions"] = ["甲", "乙", "丙"]  # 3 conditions must be able to reach the points
            item["per_unit"] = max(item["per_unit"], (points / 3 * 2).to_integral_value(rounding="ROUND_CEILING") / 2)
        if not bonus:
            item["na"] = draw(st.booleans())
            item["exempt"] = draw(st.booleans())
        out.append(item)
    return out


@st.composite
def standards(draw: st.DrawFn) -> dict[str, Any]:
    cats = []
    for c in range(draw(st.integers(1, 3))):
        cats.append({"id": f"C{c}", "name": f"类别{c}", "tags": ["rule_of_law"] if c == 0 else [],
                     "items": draw(items(f"I{c}_", draw(st.integers(1, 3))))})
    scale = sum(i["points"] for c in cats for i in c["items"])
    mins = sorted(draw(st.lists(st.integers(1, int(scale) + 3), min_size=1, max_size=3,
                                unique=True)), reverse=True)
    grades: list[dict[str, Any]] = [{"name": f"G{k}", "min": m, "pass": k < len(mins) - 1 or
                                     draw(st.booleans())} for k, m in enumerate(mins)]
    grades.append({"name": "末等", "min": 0, "pass": False})
    first_item = cats[0]["items"][0]["id"]
    if draw(st.booleans()):
        grades[0]["requires"] = [first_item]
    if draw(st.booleans()):
        grades[0]["min_rates"] = {"C0": draw(st.sampled_from([0.5, 0.8, 0.9, 1]))}
    vetoes = [{"id": "V1", "name": "取消", "effect": "disqualify"},
              {"id": "V2", "name": "限级", "effect": "cap_grade", "grade": grades[-2]["name"]},
              {"id": "V3", "name": "清零", "effect": "zero_category", "category": "C0"}]
    return {"schema_version": 1, "id": "rand", "title": "随机标准", "version": "1",
            "effective_from": "2023-01-01", "scale": scale, "categories": cats,
            "bonus": {"cap": draw(HALVES), "items": draw(items("X", draw(st.integers(0, 2)), True))},
            "vetoes": vetoes, "grades": grades,
            "repeat": draw(st.sampled_from(["mean", "latest", "min"]))}


def value_for(draw: st.DrawFn, item: dict[str, Any]) -> Any:
    options: list[Any] = []
    points = Decimal(str(item["points"]))
    kind = item["type"]
    if kind == "check":
        options += ["是", "否", "√", "×"]
    elif kind == "choice":
        options += list(item["choices"])
    elif kind == "scale":
        options += [str(Decimal(n) / 2) for n in range(int(points * 2) + 1)]
    elif kind == "deduct":
        options += [0, 1, 2, 7]
    else:
        options += [0, 1, 2, 3] if item.get("conditions") else [0, 1, 2, 9]
    if item.get("na"):
        options.append("不适用")
    if item.get("exempt"):
        options.append("免检")
    return draw(st.sampled_from(options))


@st.composite
def inspections(draw: st.DrawFn, crit: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(1, 10))):
        row: dict[str, Any] = {
            "社区": draw(st.sampled_from(["一社区", "二社区"])),
            "楼院": draw(st.sampled_from(["甲院", "乙院", "丙院"])),
            "检查日期": f"2023-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}",
        }
        for cat in crit["categories"]:
            for item in cat["items"]:
                row[item["id"]] = value_for(draw, item)
        for item in crit["bonus"]["items"]:
            row[item["id"]] = draw(st.one_of(st.none(), st.just(value_for(draw, item))))
        for veto in crit["vetoes"]:
            row[veto["id"]] = draw(st.sampled_from(["是", None, None, None, None, "否"]))
        # Rows whose every base item is 不适用 cannot be scored (E125); keep one applicable.
        first = crit["categories"][0]["items"][0]
        if all(row[i["id"]] == "不适用" for c in crit["categories"] for i in c["items"]):
            row[first["id"]] = "免检" if first.get("exempt") else value_for(draw, {**first, "na": False})
        rows.append(row)
    return rows


def columns_of(crit: dict[str, Any]) -> list[str]:
    ids = [i["id"] for c in crit["categories"] for i in c["items"]]
    return ids + [i["id"] for i in crit["bonus"]["items"]] + [v["id"] for v in crit["vetoes"]]


REGISTER = load_register(bundled_root() / "regulations.json")


def engine(crit: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The engine through the in-memory front door: the standard built from its JSON as a file
    would give it (numbers as Decimals, checked), the inspections as a DataFrame of texts."""
    data = json.loads(json.dumps(crit, default=float), parse_float=Decimal)  # Decimals as JSON numbers
    assert check_data(data, "generated", REGISTER) == []
    standard = Standard((build_criteria(data, "generated", "0" * 64, REGISTER),), REGISTER, "generated")
    header, *body = rows_for(rows, columns_of(crit))
    frame = pd.DataFrame([[None if v is None else str(v) for v in row] for row in body], columns=header)
    return results_dict(scoring.score(frame, standard))


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    crit = draw(standards())
    return crit, draw(inspections(crit))


@SETTINGS
@given(cases())
def test_engine_agrees_with_reference(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    crit, rows = case
    got = engine(crit, rows)
    want = score_all(crit, rows)
    assert len(got["courtyards"]) == len(want["yards"])
    for y in got["courtyards"]:
        ref = want["yards"][(y["community"], y["courtyard"])]
        assert (y["total"], y["grade"], y["pass"], y["disqualified"], y["rank"],
                y["rank_in_community"]) == (ref["total"], ref["grade"], ref["pass"],
                                           ref["disqualified"], ref["rank"], ref["rank_in_community"])
        assert y["rule_of_law_rate"] == (None if ref["rol"] is None else float(ref["rol"]))
    for c in got["communities"]:
        ref = want["communities"][c["community"]]
        assert (c["mean_total"], c["courtyards"], c["pass_rate"], c["rank"]) == (
            ref["cents"] / 100, ref["courtyards"], float(ref["pass_rate"]), ref["rank"])
        assert c["rule_of_law_rate"] == (None if ref["rol"] is None else float(ref["rol"]))


@SETTINGS
@given(cases())
def test_total_never_exceeds_scale_plus_cap(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    crit, rows = case
    limit = float(crit["scale"] + crit["bonus"]["cap"])
    assert all(0 <= y["total"] <= limit for y in engine(crit, rows)["courtyards"])


@SETTINGS
@given(cases(), st.data())
def test_one_more_deduction_never_raises_a_total(
    case: tuple[dict[str, Any], list[dict[str, Any]]], data: st.DataObject
) -> None:
    crit, rows = case
    deducts = [i["id"] for c in crit["categories"] for i in c["items"] if i["type"] == "deduct"]
    targets = [(n, d) for n, r in enumerate(rows) for d in deducts if isinstance(r[d], int)]
    if not targets:
        return
    n, ident = data.draw(st.sampled_from(targets))
    worse = [dict(r) for r in rows]
    worse[n][ident] = rows[n][ident] + 1
    before = {(y["community"], y["courtyard"]): y["total"] for y in engine(crit, rows)["courtyards"]}
    after = {(y["community"], y["courtyard"]): y["total"] for y in engine(crit, worse)["courtyards"]}
    assert all(after[k] <= before[k] for k in before)


@SETTINGS
@given(cases(), st.randoms())
def test_ranks_do_not_depend_on_row_order(
    case: tuple[dict[str, Any], list[dict[str, Any]]], rnd: Any
) -> None:
    crit, rows = case
    # Same-day inspections of one courtyard are ordered by row under `latest`: keep dates unique.
    rows = [{**r, "检查日期": f"2023-{1 + k // 28:02d}-{1 + k % 28:02d}"} for k, r in enumerate(rows)]
    shuffled = list(rows)
    rnd.shuffle(shuffled)

    def ranks(res: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, ...]]:
        return {(y["community"], y["courtyard"]): (y["total"], y["rank"], y["rank_in_community"])
                for y in res["courtyards"]}

    assert ranks(engine(crit, rows)) == ranks(engine(crit, shuffled))
