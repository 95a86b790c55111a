"""A deliberately naive scorer written straight from docs/design.md §4, one row at a time with
Fractions, to check the vectorised engine against. It takes already-valid values."""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

# docs/design.md §4's yes marks and not-applicable marks (ASCII words without regard to case, README).
YES = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "有", "合格", "达标"}
NOT_APPLICABLE = {"不适用", "/", "n/a", "na", "—", "－", "-"}


def _mark(value: Any) -> str:
    return str(value).strip().lower()


def _num(x: Any) -> F:
    return F(str(x))


def item_earned(item: dict[str, Any], value: Any) -> F | None:
    """Earned points, None for 不适用."""
    if _mark(value) in NOT_APPLICABLE:
        return None
    points = _num(item["points"])
    if value == "免检":
        return points
    kind = item["type"]
    if kind == "check":
        return points if _mark(value) in YES else F(0)
    if kind == "choice":
        return _num(item["choices"][value])
    if kind == "scale":
        return _num(value)
    if kind == "deduct":
        return max(F(0), points - _num(item["per_unit"]) * int(value))
    return min(points, _num(item["per_unit"]) * int(value))


def score_row(crit: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """One inspection: per-category earned/possible, total, rule-of-law figures, item results."""
    zeroed = {v["category"] for v in crit.get("vetoes", [])
              if v["effect"] == "zero_category" and row.get(v["id"]) == "是"}
    cats, items = {}, {}
    for cat in crit["categories"]:
        e = p = F(0)
        for item in cat["items"]:
            got = item_earned(item, row[item["id"]])
            items[item["id"]] = (got, _num(item["points"]))
            if got is not None:
                e += got
                p += _num(item["points"])
        cats[cat["id"]] = (F(0) if cat["id"] in zeroed else e, p)
    earned = sum(e for e, _ in cats.values())
    possible = sum(p for _, p in cats.values())
    bonus = sum((item_earned(i, row.get(i["id"])) or F(0)) if row.get(i["id"]) is not None else F(0)
                for i in crit.get("bonus", {}).get("items", []))
    bonus = min(_num(crit.get("bonus", {}).get("cap", 0)), bonus)
    total = _num(crit["scale"]) * earned / possible + bonus
    return {"cats": cats, "items": items, "total": total,
            "vetoes": {v["id"] for v in crit.get("vetoes", []) if row.get(v["id"]) == "是"}}


def half_up_cents(x: F) -> int:
    return int((x * 200 + 1) // 2)


def _policy(values: list[F], policy: str) -> F | None:
    """values in (date, row) order."""
    if not values:
        return None
    if policy == "latest":
        return values[-1]
    if policy == "min":
        return min(values)
    return sum(values, F(0)) / len(values)


def rank(keys: list[int]) -> list[int]:
    return [1 + sum(1 for other in keys if other > k) for k in keys]


def score_all(crit: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Courtyard and community figures for rows (each with 社区, 楼院, 检查日期) of one version."""
    policy = crit.get("repeat", "mean")
    groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for n, row in enumerate(rows):
        groups.setdefault((row["社区"], row["楼院"]), []).append((n, row))
    rol_cats = {c["id"] for c in crit["categories"] if "rule_of_law" in c.get("tags", [])}
    yards = {}
    for key, members in groups.items():
        members.sort(key=lambda m: (m[1]["检查日期"], m[0]))
        scored = [score_row(crit, r) for _, r in members]
        scope = scored[-1:] if policy == "latest" else scored
        total = _policy([s["total"] for s in scored], policy)
        assert total is not None
        cents = half_up_cents(total)
        rates = {}
        for cat in crit["categories"]:
            vals = [s["cats"][cat["id"]][0] / s["cats"][cat["id"]][1] for s in scope
                    if s["cats"][cat["id"]][1] > 0]
            rates[cat["id"]] = _policy(vals, "mean" if policy == "latest" else policy)
        rol_vals = []
        for s in scope:
            p = sum(s["cats"][c][1] for c in rol_cats)
            if p > 0:
                rol_vals.append(sum(s["cats"][c][0] for c in rol_cats) / p)
        rol = _policy(rol_vals, "mean" if policy == "latest" else policy)
        vetoes = set().union(*(s["vetoes"] for s in scored))
        effects = {v["id"]: v for v in crit.get("vetoes", [])}
        grades = crit["grades"]
        disq = any(effects[v]["effect"] == "disqualify" for v in vetoes)
        grade = grades[-1]
        if not disq:
            for g in grades:
                if F(str(g["min"])) * 100 > cents:
                    continue
                full = all(s["items"][i][0] is None or s["items"][i][0] == s["items"][i][1]
                           for i in g.get("requires", []) for s in scope)
                rates_ok = all(rates[c] is None or rates[c] >= F(str(m))
                               for c, m in g.get("min_rates", {}).items())
                if full and rates_ok:
                    grade = g
                    break
            names = [g["name"] for g in grades]
            for v in vetoes:
                if effects[v]["effect"] == "cap_grade":
                    cap = names.index(effects[v]["grade"])
                    if names.index(grade["name"]) < cap:
                        grade = grades[cap]
        yards[key] = {"total": cents / 100, "grade": grade["name"],
                      "pass": grade["pass"] and not disq, "disqualified": disq,
                      "cents": cents, "rol": rol}
    ranked = [k for k in yards if not yards[k]["disqualified"]]
    for k, r in zip(ranked, rank([yards[k]["cents"] for k in ranked]), strict=True):
        yards[k]["rank"] = r
        same = [o for o in ranked if o[0] == k[0]]
        yards[k]["rank_in_community"] = rank([yards[o]["cents"] for o in same])[same.index(k)]
    for k in yards:
        yards[k].setdefault("rank", None)
        yards[k].setdefault("rank_in_community", None)
    communities = {}
    for name in {k[0] for k in yards}:
        members_ = [yards[k] for k in yards if k[0] == name]
        mean = F(sum(m["cents"] for m in members_), 100 * len(members_))
        rols = [m["rol"] for m in members_ if m["rol"] is not None]
        communities[name] = {"cents": half_up_cents(mean), "courtyards": len(members_),
                             "pass_rate": F(sum(m["pass"] for m in members_), len(members_)),
                             "rol": sum(rols, F(0)) / len(rols) if rols else None}
    names = list(communities)
    for name, r in zip(names, rank([communities[n]["cents"] for n in names]), strict=True):
        communities[name]["rank"] = r
    return {"yards": yards, "communities": communities}
