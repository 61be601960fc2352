"""The parts of index.html that explain a score: links to every published file, the colour legend, each target's
root causes (ranked by the cases they explain, with the cases and a repro) and the per-command matrix with filters.

Plain HTML and CSS (filters are radio buttons and sibling selectors), so the page still needs no script.
"""
from __future__ import annotations

import html
from collections import defaultdict
from typing import Any, Callable, Iterable

from .signature import group_label

CSS = """
nav.links a{margin-right:1em}.legend{display:flex;gap:.8em;align-items:center;flex-wrap:wrap;margin:.4em 0}
.swatch{display:inline-block;width:1.4em;height:1em;vertical-align:middle;border:1px solid #bbb;margin-right:.3em}
details{margin:.25em 0}details>summary{cursor:pointer}details.cause{margin-left:1em}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em}.count{font-variant-numeric:tabular-nums}
.matrix td.pass{background:#d8f0d0}.matrix td.partial{background:#fbeec0}.matrix td.fail{background:#f6c9c0}
.matrix td.missing{background:#e9d0f0}.filters label{margin-right:1em}
#show-differs:checked~.matrix tr.same{display:none}#show-missing:checked~.matrix tr:not(.has-missing){display:none}
"""

# Each published file a reader may want, and what it holds; only those present are linked.
FILES = [("COMPATIBILITY.md", "the table as Markdown"), ("DIVERGENCES.md", "every root cause, per target"),
         ("compat.json", "the figures and root causes, machine-readable"), ("SCHEMA.md", "what compat.json holds"),
         ("data/targets.json", "what each target is, as probed"),
         ("data/conformance.jsonl.gz", "every case's outcome (the stored run)"),
         ("data/fuzz/divergences.jsonl", "the fuzzer's catalogue"),
         ("known_divergences.toml", "curated known divergences"), ("root_causes.toml", "curated root-cause titles")]

STATUS_WORDS = {"pass": "passes", "partial": "partly", "fail": "fails", "missing": "missing", "not run": "not run"}


def _esc(x: Any) -> str:
    return html.escape(str(x))


def anchor(*parts: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts)


WRITTEN = {"COMPATIBILITY.md", "DIVERGENCES.md", "compat.json"}  # published beside the page, always


def links(present: Iterable[str]) -> str:
    here = set(present) | WRITTEN
    items = [f"<a href='{_esc(name)}'>{_esc(name)}</a> <span class=small>({_esc(what)})</span>"
             for name, what in FILES if name in here]
    items += ["<a href='#why'>why each target scores lower</a>", "<a href='#matrix'>per-command matrix</a>"]
    return f"<nav class=links>{' · '.join(items)}</nav>"


def legend(color: Callable[[float | None], str]) -> str:
    stops = [(0.0, "0%"), (0.5, "50%"), (0.8, "80%"), (0.9, "90%"), (0.95, "95%"), (1.0, "100%")]
    cells = [f"<span><span class=swatch style='background:{color(s)}'></span>{label}</span>" for s, label in stops]
    cells.append(f"<span><span class=swatch style='background:{color(None)}'></span>not measured</span>")
    return ("<div class=legend id=legend><b>Colour:</b> strict score of the group (cases passed / run, mean over "
            f"commands) {''.join(cells)}</div>")


def why(data: dict[str, Any], max_cases: int = 15) -> str:
    """Each target → its root causes, most cases first → the cases and a repro."""
    causes = {c["id"]: c for c in data.get("root_causes", [])}
    parts = ["<h2 id=why>Why each target scores lower</h2>",
             "<p class=small>A root cause is one difference from Redis 8.2.3, however many cases show it (RESP2 and "
             "RESP3 runs of a case count once); the same difference on several versions of a product is one root "
             "cause. Click a target, then a root cause, for its cases and a repro.</p>"]
    for t in data["targets"]:
        summary = t.get("root_causes") or {}
        if not summary.get("ids") and not t.get("excluded"):
            continue
        items = "".join(_cause(t["spec"], causes[i], max_cases) for i in summary.get("ids", []))
        parts.append(f"<details class=target id='{anchor('why', t['spec'])}'><summary><b>{_esc(t['spec'])}</b> "
                     f"{_esc(t.get('version', ''))}: {summary.get('root_causes', 0)} root causes explain "
                     f"{summary.get('cases', 0)} failing cases and {summary.get('findings', 0)} fuzz findings"
                     f"</summary><ol>{items}</ol>{_excluded(t.get('excluded') or [])}</details>")
    return "".join(parts)


def _excluded(cases: list[dict]) -> str:
    if not cases:
        return ""
    items = "".join(f"<li><code>{_esc(c['case'])}</code> · {_esc(c['command'])} · "
                    f"{_esc(', '.join(f'{k} {v}' for k, v in sorted(c['outcomes'].items())))} — {_esc(c['reason'])}"
                    f"</li>" for c in cases)
    return f"<p>Left out of the scores, since their outcome depends on timing:</p><ul>{items}</ul>"


def _cause(spec: str, c: dict, max_cases: int) -> str:
    cases = [x for x in c["cases"] if x["target"] == spec]
    findings = [f for f in c["findings"] if f["target"] == spec]
    others = [f"<a href='#{anchor('rc', t, c['id'])}'>{_esc(t)}</a> ({n})" for t, n in c["targets"].items()
              if t != spec]
    listed = "".join(f"<li><code>{_esc(x['case'])}</code> · {_esc(x['command'])} · RESP"
                     f"{'/'.join(map(str, x['resp']))}</li>" for x in cases[:max_cases])
    more = f"<li>… and {len(cases) - max_cases} more (DIVERGENCES.md)</li>" if len(cases) > max_cases else ""
    fuzz = "".join(f"<li>fuzz finding <code>{_esc(f['id'])}</code> ({_esc(f['command'])}, reproduced "
                   f"{_esc(f['reproduced'])}/{_esc(f['reruns'])})</li>" for f in findings[:max_cases])
    known = (f"<p>Known: <a href='{_esc(c['known']['link'])}'>{_esc(c['known']['reason'])}</a></p>"
             if c.get("known") else "")
    return (f"<li><details class=cause id='{anchor('rc', spec, c['id'])}'><summary>{_esc(c['title'])} "
            f"<span class=small>· {_esc(c['class'])} · <span class=count>{len(cases)}</span> cases"
            f"{f' · {len(findings)} fuzz' if findings else ''}</span></summary>"
            f"<p class=small>id <code>{_esc(c['id'])}</code> · {_esc(c['group'])} · commands: "
            f"{_esc(', '.join(c['commands']) or '–')}{' · also on ' + ', '.join(others) if others else ''}</p>"
            f"{known}<ul>{listed}{more}{fuzz}</ul><pre>{_esc(chr(10).join(c['repro']))}</pre></details></li>")


def matrix(targets: list[dict]) -> str:
    """Every command × target: its status and cases passed/run, by group, with filters."""
    ran = [t for t in targets if t.get("commands")]
    if not ran:
        return ""
    by_group: dict[str, set[str]] = defaultdict(set)
    for t in ran:
        for name, c in t["commands"].items():
            by_group[c["group"]].add(name)
    head = "<tr><th>command</th>" + "".join(f"<th>{_esc(t['spec'])}</th>" for t in ran) + "</tr>"
    tables = "".join(f"<details open><summary>{_esc(group_label(g))} ({len(names)} commands)</summary>"
                     f"<table class=matrix>{head}{''.join(_matrix_row(n, ran) for n in sorted(names))}</table>"
                     f"</details>" for g, names in sorted(by_group.items(), key=lambda kv: group_label(kv[0])))
    return ("<h2 id=matrix>Per command</h2><div class=filters>"
            "<input type=radio name=filter id=show-all checked><label for=show-all>every command</label>"
            "<input type=radio name=filter id=show-differs><label for=show-differs>commands some target fails"
            "</label><input type=radio name=filter id=show-missing><label for=show-missing>commands some target lacks"
            f"</label><div class=matrix>{tables}</div></div>")


def _matrix_row(name: str, ran: list[dict]) -> str:
    cells, statuses = [], set()
    for t in ran:
        c = t["commands"].get(name)
        if c is None:
            cells.append("<td>–</td>")
            continue
        statuses.add(c["status"])
        cells.append(f"<td class='{_esc(c['status'].replace(' ', '-'))}' title='{_esc(t['spec'])}: "
                     f"{_esc(STATUS_WORDS[c['status']])}'>{_esc(STATUS_WORDS[c['status']])} "
                     f"{c['passed']}/{c['run']}</td>")
    classes = ("same" if statuses <= {"pass", "not run"} else "differs") + (" has-missing" if "missing" in statuses
                                                                           else "")
    return f"<tr class='{classes}'><td><code>{_esc(name)}</code></td>{''.join(cells)}</tr>"
