"""Exact decimal arithmetic: half-up (四舍五入) rounding on exact values, never on floats.

docs/design.md §4: 90.005 becomes 90.01 although the float nearest to 90.005 lies below it, so
every rounding here works on `Fraction`s or integer numerators and denominators.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: the light modules that round need not import numpy
    import numpy as np
    import numpy.typing as npt

CENTS = 100  # scores are rounded to 2 decimals


def cents_half_up(value: Fraction) -> int:
    """The value rounded half-up to 2 decimals, as a whole number of hundredths."""
    sign = -1 if value < 0 else 1
    return sign * int((abs(value) * CENTS * 2 + 1) // 2)


def cents_half_up_array(
    num: npt.NDArray[np.int64], den: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Vectorised `cents_half_up` of num/den for num >= 0, den > 0 (exact integer arithmetic)."""
    return (num * (2 * CENTS) + den) // (2 * den)


def decimals_of(value: Decimal) -> int:
    """How many decimal places a Decimal needs (0 for whole numbers). Exact: `normalize()` would
    round to the context's 28 digits (1E-999999999 would need none, 1.000…0001 none)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN/Infinity are refused when criteria are loaded
        raise ValueError(f"not a finite decimal: {value}")
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if trailing == len(digits):  # zero
        return 0
    return max(0, -(exponent + trailing))


def to_units(value: Decimal, factor: int) -> int:
    """`value` expressed as a whole number of 1/factor points; exact or ValueError."""
    scaled = value * factor
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} is not a multiple of 1/{factor}")
    return int(scaled)



def half_up(value: Fraction | Decimal | int, places: str = "0.01") -> Decimal:
    """An exact value rounded half-up to the decimal places of `places` ("0.01", "0.1", "1")."""
    frac = Fraction(value)
    step = Fraction(Decimal(places))
    sign = -1 if frac < 0 else 1
    steps = (abs(frac) / step * 2 + 1) // 2
    return sign * Decimal(int(steps)) * Decimal(places)


def percent(rate: Fraction | Decimal | float, places: str = "0.1", *, trim: bool = True) -> str:
    """A rate in [0, 1] as a percentage rounded half-up: "70.8%", and with `trim` a whole number
    as "90%" (for thresholds in prose; tables keep "90.0%"). A float counts as the decimal it
    prints as."""
    exact = Decimal(repr(rate)) if isinstance(rate, float) else rate
    text = f"{half_up(Fraction(exact) * 100, places):f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"
