"""index.html: one self-contained page (inline SVG, no scripts, no network) with the table and the charts."""
from __future__ import annotations

import html
from typing import Any

from . import page_sections as sections
from .signature import group_label
from .summarize import pct

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;font-size:1.2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.why{color:#777;font-size:.9em}.small{color:#666;font-size:.9em}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}
"""


def _color(score: float | None) -> str:
    """Red (0) through yellow to green (1); grey when not measured."""
    if score is None:
        return "#e6e6e6"
    if score < 0.5:
        r, g = 220, int(60 + 340 * score)
    else:
        r, g = int(220 - 340 * (score - 0.5)), 190
    return f"rgb({max(r, 40)},{min(g, 200)},70)"


def _esc(x: Any) -> str:
    return html.escape(str(x))


def overall_table(targets: list[dict]) -> str:
    head = ("<tr><th>target</th><th>product</th><th>version</th><th>status</th><th>overall (strict)</th>"
            "<th>overall (semantic)</th><th>RESP2</th><th>RESP3</th><th>cases passed/run</th>"
            "<th>not implemented</th><th>fuzz divergences</th></tr>")
    rows = []
    for t in targets:
        o = t.get("overall")
        if o is None:
            rows.append(f"<tr class='target'><td>{_esc(t['spec'])}</td><td>{_esc(t['product'])}</td><td>–</td>"
                        f"<td colspan=8 class='why'>{_esc(t['status'])}: {_esc(t['reason'])}</td></tr>")
            continue
        missing = t.get("not_implemented")
        cells = [pct(o["strict"]), pct(o["semantic"]), pct(o["resp2"]), pct(o["resp3"]),
                 f"{t['cases']['passed']}/{t['cases']['run']}", "–" if missing is None else len(missing),
                 t["fuzz_divergences"]]
        rows.append(f"<tr class='target'><td>{_esc(t['spec'])}</td><td>{_esc(t['product'])}</td>"
                    f"<td>{_esc(t['version'])}</td><td>{_esc(t['status'])}</td>"
                    + "".join(f"<td class=num>{_esc(c)}</td>" for c in cells) + "</tr>")
    return f"<table id='overall'>{head}{''.join(rows)}</table>"


def heatmap(targets: list[dict]) -> str:
    ran = [t for t in targets if t.get("groups")]
    groups = sorted({g for t in ran for g in t["groups"]})
    if not ran:
        return "<p>No target was run.</p>"
    cw, ch, left, top = 110, 24, 120, 90
    width, height = left + cw * len(ran) + 10, top + ch * len(groups) + 10
    parts = [f"<svg id='heatmap' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"role='img' aria-label='strict score per command group and target'>"]
    for j, t in enumerate(ran):
        x = left + j * cw + cw / 2
        parts.append(f"<text x='{x}' y='{top - 8}' font-size='12' text-anchor='start' "
                     f"transform='rotate(-35 {x} {top - 8})'>{_esc(t['spec'])}</text>")
    for i, g in enumerate(groups):
        y = top + i * ch
        parts.append(f"<text x='{left - 6}' y='{y + 16}' font-size='12' text-anchor='end'>"
                     f"{_esc(group_label(g))}</text>")
        for j, t in enumerate(ran):
            score = t["groups"].get(g, {}).get("strict")
            x = left + j * cw
            parts.append(f"<rect x='{x}' y='{y}' width='{cw - 2}' height='{ch - 2}' fill='{_color(score)}'>"
                         f"<title>{_esc(t['spec'])} · {_esc(g)}: {pct(score)}</title></rect>"
                         f"<text x='{x + cw / 2}' y='{y + 16}' font-size='11' text-anchor='middle'>{pct(score)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(t: dict) -> str:
    groups = sorted(t.get("groups", {}).items())
    bw, left, row = 200, 110, 18
    height = 30 + row * len(groups)
    parts = [f"<svg class='bars' xmlns='http://www.w3.org/2000/svg' width='{left + bw + 60}' height='{height}' "
             f"role='img' aria-label='{_esc(t['spec'])} per group'>",
             f"<text x='0' y='14' font-size='13' font-weight='bold'>{_esc(t['spec'])} ({_esc(t['version'])})</text>"]
    for i, (g, s) in enumerate(groups):
        y = 24 + i * row
        strict, semantic = s["strict"] or 0, s["semantic"] or 0
        parts.append(f"<text x='{left - 6}' y='{y + 12}' font-size='11' text-anchor='end'>{_esc(group_label(g))}</text>"
                     f"<rect x='{left}' y='{y}' width='{bw * semantic:.1f}' height='{row - 4}' fill='#b7d7f0'/>"
                     f"<rect x='{left}' y='{y}' width='{bw * strict:.1f}' height='{row - 4}' fill='#2f7ab8'>"
                     f"<title>{_esc(g)}: strict {pct(strict)}, semantic {pct(semantic)}</title></rect>"
                     f"<text x='{left + bw + 4}' y='{y + 12}' font-size='11'>{pct(strict)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def facts_table(targets: list[dict]) -> str:
    names = [("threading", "threading model"), ("cluster", "cluster mode"), ("multi_master", "multi-master"),
             ("tiered_storage", "tiered storage")]
    head = "<tr><th>target</th>" + "".join(f"<th>{n}</th>" for _, n in names) + "</tr>"
    rows = []
    for t in targets:
        facts = t.get("facts") or {}
        cells = "".join(
            f"<td>{_esc(facts[k]['value'])}<br><span class=small>{_esc(facts[k]['probe'])}</span></td>"
            if k in facts else f"<td class=why>not probed ({_esc(t['status'])})</td>" for k, _ in names)
        rows.append(f"<tr><td>{_esc(t['spec'])}</td>{cells}</tr>")
    return f"<table id='facts'>{head}{''.join(rows)}</table>"


def render(data: dict[str, Any], files: tuple[str, ...] = ()) -> str:
    """`files`: the published files present beside the page, which it links to."""
    targets = data["targets"]
    run = data["run"]
    bars = "".join(bar_chart(t) for t in targets if t.get("groups"))
    return f"""<!doctype html>
<!-- generated by `forkdiff run` from compat.json; do not edit -->
<html lang="en"><head><meta charset="utf-8"><title>forkdiff — compatibility with Redis 8.2</title>
<style>{CSS}{sections.CSS}</style></head><body>
<h1>How compatible is each server with Redis 8.2?</h1>
<p class=small>Run {_esc(run.get('date', ''))} · spec {_esc(data['spec_server'].get('product'))}
{_esc(data['spec_server'].get('version'))} ({data['spec_commands']} commands) ·
{'quick' if run.get('quick') else 'full'} run · fuzz budget {_esc(run.get('fuzz_budget', 0))} s.
Command score = cases passed / cases run; group and overall = mean over commands. Strict counts every difference;
semantic forgives error text alone.</p>
{sections.links(files)}
<h2>Overall</h2>{overall_table(targets)}
{sections.why(data)}
<h2>Heat map: strict score by command group</h2>{sections.legend(_color)}{heatmap(targets)}
<h2>Per target (dark: strict, light: semantic)</h2><div class=charts>{bars}</div>
<h2>Architecture facts (probed live)</h2>{facts_table(targets)}
{sections.matrix(targets)}
</body></html>
"""
