"""A real (small) run is published, and the page renders in headless Chromium with a row per target."""
from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from results.run import publish, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TARGETS = ["reference", "redis@8.2", "garnet"]  # garnet: no image here, so it must show as 'not run' with a reason


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.target_rows = 0
        self.svgs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "target":
            self.target_rows += 1
        if tag == "svg":
            self.svgs.append(a.get("id") or a.get("class") or "")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    run(TARGETS, out, budget=0, quick=True, files=["test_protocol.py"])
    return out


def test_run_publishes_every_file(published):
    for name in ("COMPATIBILITY.md", "DIVERGENCES.md", "compat.json", "index.html"):
        assert (published / name).stat().st_size > 0, name
    data = json.loads((published / "compat.json").read_text())
    assert data["format_version"] == 1
    by_spec = {t["spec"]: t for t in data["targets"]}
    assert by_spec["redis@8.2"]["version"] == "8.2.3"
    assert by_spec["redis@8.2"]["overall"]["strict"] == 1.0  # Redis defines right: it passes every case
    assert by_spec["garnet"]["status"] == "not run" and by_spec["garnet"]["reason"]
    assert "generated" in (published / "COMPATIBILITY.md").read_text().splitlines()[0]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_page_renders_in_headless_chromium(published, tmp_path):
    page = (published / "index.html").resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    rows = _Rows()
    rows.feed(dom)
    assert rows.target_rows == len(TARGETS)
    assert "heatmap" in rows.svgs and "bars" in rows.svgs
    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1200,900", page],
                   capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory) -> Path:
    """The committed run (results/data) published again: a page with real divergences to explain."""
    out = tmp_path_factory.mktemp("stored")
    results = Path(__file__).resolve().parent.parent / "results"
    shutil.copytree(results / "data", out / "data")
    for name in ("SCHEMA.md", "known_divergences.toml", "root_causes.toml"):
        shutil.copy(results / name, out / name)
    publish(out, {"date": "stored"})
    return out


def test_every_link_on_the_page_resolves(stored_run):
    links = _Links()
    links.feed((stored_run / "index.html").read_text())
    local = [h for h in links.hrefs if not h.startswith(("http://", "https://"))]
    assert any(h == "DIVERGENCES.md" for h in local) and any(h.startswith("#rc-") for h in local)
    for href in local:
        if href.startswith("#"):
            assert href[1:] in links.ids, href
        else:
            assert (stored_run / href).exists(), href


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_the_page_explains_each_score_in_headless_chromium(stored_run, tmp_path):
    page = (stored_run / "index.html").resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    links = _Links()
    links.feed(dom)
    assert {"why", "matrix", "legend", "why-valkey_9_1"} <= links.ids
    assert "vector sets" in dom and "\x1b[" not in dom
    data = json.loads((stored_run / "compat.json").read_text())
    valkey = next(t for t in data["targets"] if t["spec"] == "valkey@9.1")
    assert valkey["root_causes"]["ids"] and f"rc-valkey_9_1-{valkey['root_causes']['ids'][0]}" in links.ids
