"""What a cell means for an item (docs/design.md §4, exactly): earned points, 不适用, 免检, blank,
or an error that says which values are accepted.

`interpret` looks at one distinct value; the engine calls it once per distinct value of a
column and maps the result over the column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from scoring import marks
from scoring.criteria.model import Item, Veto
from scoring.engine.reader import NO_RESULT
from scoring.exact import to_units
from scoring.text import normalise

Kind = Literal["ok", "na", "exempt", "blank", "invalid", "na_refused", "exempt_refused", "error",
               "no_result", "image", "ambiguous", "unit_refused"]

EXCEL_ERRORS = frozenset({
    "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
# A plain decimal in ASCII digits, optionally with thousands separators; nothing float() would
# also take (nan, inf, 1_000, other scripts' digits).
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# The units inspectors write after a number, and the item types each fits (docs/design.md §4 drops a
# trailing 分; issue 15 adds the counting words): "3.5分" scores a scale item, "3处" "2次" "3项"
# "4个" count the problems of a deduct item or the conditions of a count item. Any other pairing
# ("3分" in a deduct item: 3 points or 3 problems?) is refused rather than guessed.
UNITS: dict[str, frozenset[str]] = {
    "scale": frozenset("分"),
    "deduct": frozenset("处次项个"),
    "count": frozenset("处次项个"),
}
ALL_UNITS = frozenset("分处次项个")
# A bare "无" where 不适用 is allowed reads two ways (no → 0 points, or "this courtyard has none"
# → not applicable); it is refused with both readings offered.
AMBIGUOUS_NO = "无"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The meaning of one cell for one item: `units` is earned points × the engine's factor."""

    kind: Kind
    units: int = 0
    text: str = ""


def display(value: Any) -> str:
    """A cell value as text for messages and outputs (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return normalise(str(value))


def _number(value: Any, units: frozenset[str] = frozenset()) -> Decimal | None:
    """An exact number from a numeric cell or from text like ` 88 `, `８５`, or with one of
    `units` after it (`90分`, `3处`)."""
    if isinstance(value, (bool, date, time)):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else Decimal(repr(value))
    if not isinstance(value, str):
        return None
    text = normalise(value)
    if text[-1:] in units:
        text = text[:-1].strip()
    if not _NUMBER.match(text):
        return None
    return Decimal(text.replace(",", ""))


def _whole(value: Any, units: frozenset[str]) -> int | None:
    number = _number(value, units)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def expected_text(item: Item) -> str:
    """What the item accepts, in the office's words."""
    if item.type == "check":
        pairs = "√/×、Y/N、1/0、合格/不合格" if item.na else "√/×、Y/N、1/0、有/无、合格/不合格"
        text = f"应填“是”（得分）或“否”（不得分），也可用 {pairs}"
    elif item.type == "scale":
        text = f"应填 0 到 {item.points} 之间的分数，按 {item.scale_step} 分一档（可写“分”，如 3 或 3分）"
    elif item.type == "choice":
        text = f"应填以下选项之一：{'、'.join(item.choices)}"
    elif item.type == "deduct":
        text = (f"应填发现问题的处数（0 或正整数，可写“处”“次”“项”“个”，如 3 或 3处；不写“分”），"
                f"每处扣 {item.per_unit} 分，扣完为止")
    elif item.conditions:
        text = (f"应填符合的项数（0 到 {len(item.conditions)} 的整数，可写“项”“个”等，如 3 或 3项；不写“分”）："
                f"{'、'.join(item.conditions)}")
    else:
        text = (f"应填次数（0 或正整数，可写“次”“项”“个”等，如 2 或 2次；不写“分”），"
                f"每次 {item.per_unit} 分，最高 {item.points} 分")
    if item.na:
        text += "；不适用的填“不适用”"
    if item.exempt:
        text += "；免检的填“免检”"
    return text


def _earned(value: Any, item: Item) -> Decimal | None:
    """Earned points for a non-blank, non-mark value, or None when the value is not accepted."""
    if item.type == "check":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yes = True if value == 1 else False if value == 0 else None
        else:
            yes = marks.check_value(normalise(str(value))) if isinstance(value, str) else None
        return None if yes is None else (item.points if yes else Decimal(0))
    if item.type == "choice":
        label = display(value)
        for name, points in item.choices.items():
            if normalise(name) == label:
                return points
        return None
    if item.type == "scale":
        number = _number(value, UNITS["scale"])
        if number is None or not 0 <= number <= item.points or number % item.scale_step != 0:
            return None
        return number
    n = _whole(value, UNITS[item.type])
    if n is None or n < 0:
        return None
    assert item.per_unit is not None  # the schema requires per_unit for deduct and count
    if item.type == "deduct":
        return max(Decimal(0), item.points - item.per_unit * n)
    if item.conditions and n > len(item.conditions):
        return None
    return min(item.points, item.per_unit * n)


def special(value: Any) -> Outcome | None:
    """Cells that hold no value at all: blank, an Excel error, a formula without a saved
    result, a WPS in-cell picture."""
    if value is None:
        return Outcome("blank")
    if value is NO_RESULT:
        return Outcome("no_result", text="（公式无结果）")
    if isinstance(value, str):
        text = normalise(value)
        if not text:
            return Outcome("blank")
        if text.upper() in EXCEL_ERRORS:
            return Outcome("error", text=text)
        if "DISPIMG(" in text.upper():
            return Outcome("image", text="（嵌入图片）")
    return None


def interpret(value: Any, item: Item, factor: int) -> Outcome:
    """The meaning of one cell value for `item`, with earned points in 1/factor units."""
    found = special(value)
    if found is not None:
        return found
    if isinstance(value, str):
        text = normalise(value)
        # Choice labels never collide with these marks (criteria check C029).
        if marks.is_not_applicable(text):
            return Outcome("na" if item.na else "na_refused", text=text)
        if marks.is_exempt(text):
            if item.exempt:
                return Outcome("exempt", to_units(item.points, factor), text)
            return Outcome("exempt_refused", text=text)
        if text == AMBIGUOUS_NO and item.na and item.type == "check":
            return Outcome("ambiguous", text=text)
        if misfit_unit(text, item):
            return Outcome("unit_refused", text=text)
    earned = _earned(value, item)
    if earned is None:
        return Outcome("invalid", text=display(value))
    return Outcome("ok", to_units(earned, factor), display(value))


def misfit_unit(text: str, item: Item) -> str | None:
    """The unit after a number when it does not fit the item's type ("3分" in a deduct item)."""
    unit = text[-1:]
    fits = UNITS.get(item.type, frozenset())
    if unit not in ALL_UNITS or unit in fits or item.type not in UNITS:
        return None
    return unit if _number(text, frozenset(unit)) is not None else None


def veto_marked(value: Any) -> bool | None:
    """A veto cell: True when marked, False when blank or 'no', None when unreadable."""
    if value is None:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True if value == 1 else False if value == 0 else None
    if not isinstance(value, str):
        return None
    text = normalise(value)
    return False if not text else marks.check_value(text)


def veto_expected(veto: Veto) -> str:
    """What a veto column accepts."""
    return f"发生“{veto.name}”的填“是”，未发生的填“否”或留空"
