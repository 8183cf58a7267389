"""The trend chart: controls complete per criterion group over the runs, as a static SVG.

Drawn at build time with nothing to load: no JavaScript, no fonts, no remote files. An SVG
shown as an image cannot follow the page's colour scheme, so the chart brings its own light
panel: its text keeps at least 4.5:1 contrast and its lines 3:1 against that panel whether the
page around it is light or dark.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from generator.history import RunSummary

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 190, 20, 44
PANEL = "#ffffff"
INK = "#4a4f57"
COLOURS = [
    "#d0103a",
    "#2e8b3a",
    "#8a6a00",
    "#3a56c4",
    "#c25400",
    "#8a1aab",
    "#16788a",
    "#b8179e",
    "#5f6a12",
]


def trend_svg(history: Sequence[RunSummary], groups: Sequence[tuple[str, int]]) -> str:
    """Return an SVG line chart with one line per (group id, size) and one point per run."""
    top = max([size for _, size in groups] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(history) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step if len(history) > 1 else LEFT + plot_w / 2

    def y(value: int) -> float:
        return TOP + plot_h - value / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" font-family="sans-serif" font-size="12">',
        "<title>Controls complete per criterion group, run by run</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="6" fill="{PANEL}"/>',
    ]
    for value in sorted({0, top // 2, top}):
        ends = f'x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}"'
        parts.append(f'<line {ends} stroke="{INK}" stroke-opacity="0.35"/>')
        parts.append(_label(LEFT - 6, y(value) + 4, str(value), anchor="end"))
    parts.append(_label(LEFT, HEIGHT - 24, history[0].info.id[:10] if history else "", "start"))
    if len(history) > 1:
        parts.append(_label(LEFT + plot_w, HEIGHT - 24, history[-1].info.id[:10], "end"))
    parts.append(_label(LEFT + plot_w / 2, HEIGHT - 6, f"{len(history)} run(s)", "middle"))

    for index, (group, size) in enumerate(groups):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x(i), y(summary.complete.get(group, 0))) for i, summary in enumerate(history)]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points
        ]
        legend_y = TOP + 8 + index * 18
        swatch = f'x="{WIDTH - RIGHT + 16}" y="{legend_y - 8}" width="10" height="10"'
        parts.append(f'<rect {swatch} fill="{colour}"/>')
        last = history[-1].complete.get(group, 0) if history else 0
        label = f"{group} ({last}/{size})"
        parts.append(_label(WIDTH - RIGHT + 32, legend_y + 1, label, "start"))

    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _label(x: float, y: float, text: str, anchor: str) -> str:
    position = f'x="{x:.1f}" y="{y:.1f}"'
    return f'<text {position} fill="{INK}" text-anchor="{anchor}">{escape(text)}</text>'
