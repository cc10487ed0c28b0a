"""Speed of the wallet operations against a quote of the same event, in one Python process:
`preview` of one event against a wallet of five grants, and `affordable` of one event with a
volume price. Issue targets: a preview within 2x a quote's time, `affordable` within the time of
ten quotes. Prints a Markdown table.

    target/python/venv/bin/python scripts/bench-wallet.py   (after scripts/build-python.sh)
"""

from __future__ import annotations

import pathlib
import timeit

import ratecard

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENGINE = ratecard.Engine(ROOT / "examples" / "catalog.json")
EVENT = {"event_type": "video_generated", "occurred_at": "2026-03-10T12:00:00Z",
         "data": {"model": "gen4", "quality": "hd", "seconds": 4}}


def grant(id: str, available: str, purpose: str, expires_at: str) -> dict:
    return {"id": id, "available": available, "purpose": purpose, "effective_at": "2026-01-01T00:00:00Z",
            "expires_at": expires_at, "created_at": "2026-01-01T00:00:00Z"}


GRANTS = [
    grant("promo", "50", "promotion", "2026-04-01T00:00:00Z"),
    grant("plan-feb", "100", "bundled", "2026-03-01T00:00:00Z"),
    grant("plan-mar", "100", "bundled", "2026-04-01T00:00:00Z"),
    grant("paid-1", "150", "paid", "2027-01-01T00:00:00Z"),
    grant("paid-2", "100", "paid", "2027-02-01T00:00:00Z"),
]
WALLET = {"accounts": [{"id": "default:CREDIT", "name": "default", "asset": "CREDIT", "available": "500",
                        "grants": GRANTS}]}


def per_call(fn: object) -> float:
    """Best mean µs per call of five rounds."""
    timer = timeit.Timer(fn)  # type: ignore[arg-type]
    n, _ = timer.autorange()
    return min(timer.repeat(5, n)) / n * 1e6


quote = per_call(lambda: ENGINE.quote(EVENT, explain=False))
preview = per_call(lambda: ENGINE.preview(WALLET, [EVENT], explain=False))
affordable = per_call(lambda: ENGINE.affordable(WALLET, EVENT))
print("| face | quote | preview (5 grants) | preview ÷ quote | affordable | affordable ÷ quote |")
print("|---|---|---|---|---|---|")
row = [f"{quote:.2f} µs", f"{preview:.2f} µs", f"{preview / quote:.2f}×",
       f"{affordable:.2f} µs", f"{affordable / quote:.2f}×"]
print("| Python | " + " | ".join(row) + " |")
