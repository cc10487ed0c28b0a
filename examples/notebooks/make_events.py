"""Writes the notebook's synthetic usage events: 100,000 rows over March 2026.

Deterministic (a fixed seed), so every run prices the same events. Run it directly
(`python make_events.py [OUT] [ROWS]`) or let the notebook call `write_events()`.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import random
import sys
from typing import Any, Dict, List

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data" / "events.parquet"
MONTH_START = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)


def events(rows: int = 100_000, seed: int = 2026) -> Dict[str, List[Any]]:
    """Columns of a frame: id, event_type, occurred_at, customer, model, seconds."""
    rng = random.Random(seed)
    out: Dict[str, List[Any]] = {k: [] for k in ("id", "event_type", "occurred_at", "customer", "model", "seconds")}
    customers = [f"cus_{i:04d}" for i in range(400)]
    for i in range(rows):
        # Usage grows through the month, with a weekday bump.
        day = min(30, int(rng.triangular(0, 31, 24)))
        when = MONTH_START + dt.timedelta(days=day, seconds=rng.randrange(86_400))
        out["id"].append(f"evt_{i:06d}")
        out["occurred_at"].append(when)
        out["customer"].append(rng.choice(customers))
        if rng.random() < 0.55:
            out["event_type"].append("video_generated")
            out["model"].append(rng.choices(["gen4", "gen4_turbo", "gen3"], [0.45, 0.4, 0.15])[0])
            out["seconds"].append(round(rng.uniform(1, 20), 1))
        else:
            out["event_type"].append("image_generated")
            out["model"].append(rng.choices(["hd", "standard"], [0.3, 0.7])[0])
            out["seconds"].append(None)
    return out


def write_events(path: pathlib.Path = DEFAULT_OUT, rows: int = 100_000) -> pathlib.Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = events(rows)
    table = pa.table({
        "id": pa.array(columns["id"], pa.string()),
        "event_type": pa.array(columns["event_type"], pa.string()).dictionary_encode(),
        "occurred_at": pa.array(columns["occurred_at"], pa.timestamp("us", tz="UTC")),
        "customer": pa.array(columns["customer"], pa.string()).dictionary_encode(),
        "model": pa.array(columns["model"], pa.string()).dictionary_encode(),
        "seconds": pa.array(columns["seconds"], pa.float64()),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(write_events(out, rows))
