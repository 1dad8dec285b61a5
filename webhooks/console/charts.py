"""Charts drawn here as SVG (no script, nothing fetched): stacked columns and horizontal bars.
Each carries a title and a description for screen readers; the page shows the same figures as a table."""
from __future__ import annotations

import itertools
from html import escape

from markupsafe import Markup

# At least 3:1 against white (WCAG 1.4.11), and told apart by the legend's words, not colour alone.
COLOURS = {"voice": "#1f5fa8", "sms": "#a04f00", "whatsapp": "#2e7d32", "web": "#6a3d9a",
           "handed_off": "#1f5fa8", "contained": "#2e7d32", "abandoned": "#b3261e", "in_progress": "#5f6368",
           "verified": "#2e7d32", "not_verified": "#b3261e",
           "answered": "#2e7d32", "left": "#a04f00", "not_taken": "#6a3d9a", "pending": "#5f6368",
           "texted": "#2e7d32", "no_phone": "#a04f00", "not_matched": "#b3261e", "unfinished": "#5f6368"}
_ids = itertools.count(1)


def _frame(width: int, height: int, title: str, description: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart{n}-t chart{n}-d" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f'<title id="chart{n}-t">{escape(title)}</title><desc id="chart{n}-d">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def _legend(series: list[tuple[str, str]], y: int, x0: int = 8) -> list[str]:
    parts, x = [], x0
    for label, key in series:
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS.get(key, "#444")}"/>'
                     f'<text x="{x + 16}" y="{y}" class="legend">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return parts


def columns(title: str, description: str, categories: list[str], series: list[tuple[str, str, list[int]]]) -> Markup:
    """Stacked columns: one per category (a day), one segment per series (a channel)."""
    width, height, left, bottom, top = 640, 260, 40, 40, 30
    plot_h = height - bottom - top
    totals = [sum(values[i] for _, _, values in series) for i in range(len(categories))]
    peak = max(totals + [1])
    step = (width - left - 10) / max(len(categories), 1)
    bar = max(4.0, min(40.0, step * 0.7))
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" class="axis"/>',
            f'<text x="{left - 6}" y="{top + 4}" class="tick" text-anchor="end">{peak}</text>',
            f'<text x="{left - 6}" y="{top + plot_h}" class="tick" text-anchor="end">0</text>']
    body += _legend([(label, key) for label, key, _ in series], 16)
    label_every = max(1, round(len(categories) / 10))
    for i, category in enumerate(categories):
        x = left + i * step + (step - bar) / 2
        y = top + plot_h
        for label, key, values in series:
            if values[i]:
                h = plot_h * values[i] / peak
                y -= h
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                            f'fill="{COLOURS.get(key, "#444")}"><title>{escape(category)}: {values[i]} {escape(label)}'
                            f'</title></rect>')
        if totals[i]:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" class="value" text-anchor="middle">{totals[i]}</text>')
        if i % label_every == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" class="tick" text-anchor="middle">'
                        f'{escape(category)}</text>')
    return _frame(width, height, title, description, body)


def bars(title: str, description: str, rows: list[tuple[str, list[tuple[str, str, int]]]], *,
         note: dict[str, str] | None = None) -> Markup:
    """Horizontal stacked bars: one per row (a channel, a department), segments (label, colour key, value)."""
    width, left, row_h = 640, 150, 30
    series = []
    for _, segments in rows:
        for label, key, _ in segments:
            if (label, key) not in series:
                series.append((label, key))
    height = 34 + row_h * max(len(rows), 1)
    peak = max([sum(v for _, _, v in segments) for _, segments in rows] + [1])
    plot_w = width - left - 90
    body = _legend(series, 16)
    for i, (name, segments) in enumerate(rows):
        y = 30 + i * row_h
        body.append(f'<text x="{left - 8}" y="{y + 15}" class="tick" text-anchor="end">{escape(name)}</text>')
        x = float(left)
        for label, key, value in segments:
            if value:
                w = plot_w * value / peak
                body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 10}" '
                            f'fill="{COLOURS.get(key, "#444")}"><title>{escape(name)}: {value} {escape(label)}</title></rect>')
                x += w
        text = (note or {}).get(name, str(sum(v for _, _, v in segments)))
        body.append(f'<text x="{x + 6:.1f}" y="{y + 15}" class="value">{escape(text)}</text>')
    return _frame(width, height, title, description, body)
