"""Memory stays flat: a million quotes, and engines built and dropped, leave nothing behind."""

from __future__ import annotations

import gc
import json
import pathlib

import ratecard

ROOT = pathlib.Path(__file__).resolve().parents[3]
CATALOG = json.loads((ROOT / "examples" / "tutorial-catalog.json").read_text(encoding="utf-8"))
EVENTS = json.loads((ROOT / "examples" / "tutorial-events.json").read_text(encoding="utf-8"))
MB = 1_000_000


def rss() -> int:
    """The process's resident memory now (Linux: /proc/self/statm, in pages)."""
    gc.collect()
    pages = int(pathlib.Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


def test_a_million_quotes_leave_memory_flat() -> None:
    engine = ratecard.Engine(CATALOG)
    for i in range(100_000):
        engine.quote(EVENTS[i % len(EVENTS)])
    before = rss()
    for i in range(1_000_000):
        engine.quote(EVENTS[i % len(EVENTS)])
    grew = rss() - before
    assert grew < 20 * MB, f"rss grew {grew / MB:.1f} MB over a million quotes"


def test_engines_dropped_give_their_memory_back() -> None:
    for _ in range(1_000):
        ratecard.Engine(CATALOG).quote(EVENTS[0])
    before = rss()
    for _ in range(20_000):
        ratecard.Engine(CATALOG).quote(EVENTS[0])
    grew = rss() - before
    assert grew < 20 * MB, f"rss grew {grew / MB:.1f} MB over 20,000 engines"
