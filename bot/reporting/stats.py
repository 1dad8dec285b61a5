"""Two proportions compared: Wilson score intervals, Newcombe's interval for their difference, and
how many conversations a difference of this size needs before it can be told from chance.

>>> low, high = wilson(8, 10)
>>> round(low, 3), round(high, 3)
(0.49, 0.943)
>>> low, high = newcombe(56, 70, 48, 80)   # Newcombe (1998), example (a): 0.0524 to 0.3339
>>> round(low, 4), round(high, 4)
(0.0524, 0.3339)
>>> per_group(0.5, 0.6)   # 95% confidence, 80% power
388
"""
from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95%
Z_POWER80 = 0.8416212335729143


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for successes/n (0 to 1 when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(successes_1: int, n_1: int, successes_2: int, n_2: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) for p1 - p2."""
    p1 = successes_1 / n_1 if n_1 else 0.0
    p2 = successes_2 / n_2 if n_2 else 0.0
    l1, u1 = wilson(successes_1, n_1, z)
    l2, u2 = wilson(successes_2, n_2, z)
    difference = p1 - p2
    return (difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def per_group(p1: float, p2: float, z: float = Z95, z_power: float = Z_POWER80) -> int | None:
    """Conversations per variant to detect p1 vs p2 (two-sided, 80% power); None when they are equal."""
    if p1 == p2:
        return None
    mean = (p1 + p2) / 2
    root = z * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root * root / ((p1 - p2) ** 2))
