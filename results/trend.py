"""The page's trend: per target, its strict score over the published runs, as a small inline SVG line.

Reads the run records of results.history; no script, no network, like the rest of index.html.
"""
from __future__ import annotations

import html
from typing import Any

WIDTH, HEIGHT, PAD = 220, 44, 4
RUNS_SHOWN = 60  # about two months of nightly runs


def series(history: list[dict[str, Any]], spec: str) -> list[tuple[str, float]]:
    """(date, strict score) of every run that measured `spec`, oldest first."""
    points = []
    for run in history[-RUNS_SHOWN:]:
        entry = run.get("targets", {}).get(spec, {})
        if isinstance(entry.get("strict"), (int, float)):
            points.append((str(run.get("date", "")), float(entry["strict"])))
    return points


def sparkline(spec: str, points: list[tuple[str, float]]) -> str:
    """Scores from the lowest shown to 100%, each run a point with its date and score as a tooltip."""
    low = min(0.9, min(score for _, score in points))
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    xy = [(PAD + i * step, PAD + (1 - (score - low) / (1 - low or 1)) * (HEIGHT - 2 * PAD))
          for i, (_, score) in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.2'><title>{html.escape(date)}: {100 * s:.1f}%</title>"
                   f"</circle>" for (x, y), (date, s) in zip(xy, points))
    return (f"<svg class='trend' xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' role='img' "
            f"aria-label='strict score of {html.escape(spec)} over {len(points)} runs'>"
            f"<rect width='{WIDTH}' height='{HEIGHT}' fill='#fafafa' stroke='#ddd'/>"
            f"<polyline points='{line}' fill='none' stroke='#3572a5' stroke-width='1.5'/>{dots}</svg>")


def _change(points: list[tuple[str, float]]) -> str:
    if len(points) < 2:
        return "first run"
    delta = 100 * (points[-1][1] - points[-2][1])
    return "no change" if abs(delta) < 0.05 else f"{delta:+.1f} points"


def trend_section(history: list[dict[str, Any]]) -> str:
    specs = list(dict.fromkeys(spec for run in history for spec in run.get("targets", {})))
    rows = []
    for spec in specs:
        points = series(history, spec)
        if points:
            rows.append(f"<tr><td>{html.escape(spec)}</td><td>{sparkline(spec, points)}</td>"
                        f"<td class=num>{100 * points[-1][1]:.1f}%</td><td>{_change(points)}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Trend: strict score per published run</h2><table id='trend'><tr><th>target</th>"
            f"<th>last {min(len(history), RUNS_SHOWN)} runs</th><th>now</th><th>since the previous run</th></tr>"
            f"{''.join(rows)}</table>")


def with_trend(page: str, history: list[dict[str, Any]]) -> str:
    """index.html with the trend after the overall table (before the closing tag if the page changed shape)."""
    section = trend_section(history)
    anchor = "<h2>Heat map"
    if not section:
        return page
    if anchor in page:
        return page.replace(anchor, section + "\n" + anchor, 1)
    return page.replace("</body>", section + "\n</body>", 1)
