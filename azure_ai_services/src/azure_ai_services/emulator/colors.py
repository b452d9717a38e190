"""Computer Vision's colour scheme from measured pixels: the 12 colour names, accent colour, black & white."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from multi_cloud.core.types import Color

#: the names Computer Vision v3.2 uses, with a representative RGB value each
NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "Black": (0, 0, 0),
    "Blue": (30, 60, 200),
    "Brown": (120, 70, 30),
    "Gray": (128, 128, 128),
    "Green": (40, 150, 50),
    "Orange": (240, 140, 20),
    "Pink": (240, 150, 190),
    "Purple": (120, 50, 150),
    "Red": (210, 30, 30),
    "Teal": (0, 128, 128),
    "White": (250, 250, 250),
    "Yellow": (240, 220, 40),
}
#: below this mean channel spread every dominant colour is grey: a black-and-white image
BW_SPREAD = 18


def color_name(red: int, green: int, blue: int) -> str:
    """The nearest of the 12 names (squared RGB distance)."""
    return min(
        NAMED_COLORS,
        key=lambda name: sum(
            (a - b) ** 2 for a, b in zip(NAMED_COLORS[name], (red, green, blue), strict=True)
        ),
    )


def color_scheme(dominant: Sequence[Color]) -> dict[str, Any]:
    """``{"dominantColorForeground", "dominantColorBackground", "dominantColors", "accentColor", "isBwImg"}``.

    The background is the most common colour, the foreground the second (the real service separates them
    by position, which pixel clustering does not know); the accent is the most saturated cluster.
    """
    colors = list(dominant)
    names = [color_name(c.red, c.green, c.blue) for c in colors]
    background = names[0] if names else "Black"
    foreground = names[1] if len(names) > 1 else background
    accent = max(
        colors, key=lambda c: max(c.red, c.green, c.blue) - min(c.red, c.green, c.blue), default=None
    )
    spread = [max(c.red, c.green, c.blue) - min(c.red, c.green, c.blue) for c in colors]
    is_bw = bool(spread) and max(spread) < BW_SPREAD
    return {
        "dominantColorForeground": foreground,
        "dominantColorBackground": background,
        "dominantColors": list(dict.fromkeys(names)),
        "accentColor": f"{accent.red:02X}{accent.green:02X}{accent.blue:02X}" if accent else "000000",
        "isBwImg": is_bw,
        "isBWImg": is_bw,
    }
