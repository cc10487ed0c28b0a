"""ratecard's Python wheel against what a user would write instead: a pure-Python quoter of the
same prices with the `decimal` module, measured in the same process (ratios are what count on
these shared 2-core machines; absolute times move from run to run).

Run through scripts/bench-python.sh, which builds and installs the wheel first.
`--write` replaces the "## Python wheel (ratecard)" section of BENCHMARKS.md.
"""

from __future__ import annotations

import gc
import os
import pathlib
import platform
import random
import sys
import time
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

import ratecard

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "200000"))
AT = "2026-03-01T12:00:00Z"

# --- the performance.md price: "gen4" 12 credits a second, else 5 -------------------------------

VIDEO_CATALOG: Dict[str, Any] = {
    "assets": [{"code": "CREDIT", "name": "Credits", "precision": 2, "rates": [{"source": "USD", "rate": "0.10"}]}],
    "products": [{
        "name": "Video", "code": "video",
        "prices": [{
            "name": "Video Generation", "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": "video_generated", "usage_type": "volume",
                                  "volume_field": "seconds", "billable_dimensions": ["model"]},
            "pricing": [{"asset": "CREDIT", "values": [
                {"dimensions": {"model": "gen4"}, "values": [{"volume_rate": 12}]},
                {"dimensions": {"model": "*"}, "values": [{"volume_rate": 5}]},
            ]}],
        }],
    }],
}

CENT = Decimal("0.01")
ZERO = Decimal(0)
VIDEO_RATES = {"gen4": Decimal(12)}
VIDEO_DEFAULT = Decimal(5)


def to_decimal(v: Any) -> Decimal:
    # Floats by their shortest repr, as ratecard reads them.
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


def py_video(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Match the event type, pick the dimensional value, multiply, clamp, round."""
    if event["event_type"] != "video_generated":
        return None
    data = event["data"]
    rate = VIDEO_RATES.get(data.get("model"), VIDEO_DEFAULT)
    amount = to_decimal(data["seconds"]) * rate
    if amount < ZERO:
        amount = ZERO
    amount = amount.quantize(CENT, ROUND_HALF_EVEN)
    return {"product_code": "video", "price_name": "Video Generation", "currency": "CREDIT", "amount": amount}


def video_events(n: int, seed: int = 7) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    models = ["gen4", "gen4_turbo", "gen3"]
    return [
        {"event_type": "video_generated", "occurred_at": AT,
         "data": {"model": rng.choice(models), "seconds": round(rng.uniform(0.5, 30), 1)}}
        for _ in range(n)
    ]


# --- the tutorial catalog (examples/tutorial-catalog.json) ------------------------------------

TUTORIAL_IMAGE = {"gli-1-0": Decimal("0.05"), "gli-2-0": Decimal("0.10")}
TUTORIAL_IMAGE_DEFAULT = Decimal("0.03")
MILLION = Decimal(1_000_000)


def fiat(amount: Decimal) -> Decimal:
    # Fiat rounds half away from zero (ratecard's default for ISO 4217 currencies).
    return (amount if amount > ZERO else ZERO).quantize(CENT, ROUND_HALF_UP)


def py_tutorial(event: Dict[str, Any]) -> List[Tuple[str, str, Decimal]]:
    t = event["event_type"]
    data = event.get("data") or {}
    if t == "image_generated":
        return [("glitch_images", "Image Generation",
                 fiat(TUTORIAL_IMAGE.get(data.get("model"), TUTORIAL_IMAGE_DEFAULT)))]
    if t == "speech_generated":
        return [("eleven_labs_api", "Text to Speech API", fiat(to_decimal(data["minutes"]) * Decimal("0.15")))]
    if t == "ticket_resolved":
        return [("intercom_fin_ai", "Ticket Resolution", Decimal("0.99"))]
    if t == "response_completed":
        out = []
        if "input_tokens" in data:
            out.append(("openai_api_gpt", "GPT 5.1 Input Tokens",
                        fiat(to_decimal(data["input_tokens"]) / MILLION * Decimal("1.250"))))
        if "output_tokens" in data:
            out.append(("openai_api_gpt", "GPT 5.1 Output Tokens",
                        fiat(to_decimal(data["output_tokens"]) / MILLION * Decimal("10.00"))))
        return out
    return []


def tutorial_events(n: int, seed: int = 11) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        kind = rng.randrange(4)
        if kind == 0:
            e = {"event_type": "image_generated", "data": {"model": rng.choice(["gli-1-0", "gli-2-0", "gli-3"])}}
        elif kind == 1:
            e = {"event_type": "speech_generated", "data": {"minutes": round(rng.uniform(0.1, 12), 2)}}
        elif kind == 2:
            e = {"event_type": "ticket_resolved"}
        else:
            e = {"event_type": "response_completed",
                 "data": {"input_tokens": rng.randrange(1, 200_000), "output_tokens": rng.randrange(1, 50_000)}}
        e["occurred_at"] = AT
        out.append(e)
    return out


# --- timing -------------------------------------------------------------------------------------

def best(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fmt_us(seconds: float, n: int) -> str:
    return f"{seconds / n * 1e6:.2f} µs"


def main() -> None:
    lines: List[str] = []
    say = lines.append

    video = ratecard.Engine(VIDEO_CATALOG)
    events = video_events(EVENTS)
    # Same answers first: the baseline must be a faithful quoter of the same price.
    for e in events[:2000]:
        py = py_video(e)
        assert py is not None
        assert video.quote(e, explain=False).fees[0].amount == py["amount"]

    t_py = best(lambda: [py_video(e) for e in events])
    t_rc = best(lambda: [video.quote(e, explain=False) for e in events])
    t_rc_amount = best(lambda: [video.quote(e, explain=False).fees[0].amount for e in events])
    t_rc_explain = best(lambda: [video.quote(e) for e in events])
    t_rc_explain_amount = best(lambda: [video.quote(e).fees[0].amount for e in events])
    t_rc_steps = best(lambda: [video.quote(e).explain for e in events[:EVENTS // 10]]) * 10
    t_rc_usd = best(lambda: [video.quote(e, explain=False, express_in=["USD"]) for e in events])
    t_many = best(lambda: video.quote_many(events, explain=False))
    # Every event its own volume (full-precision floats): no amount repeats, so none of the
    # Decimals read is one made before.
    unique = [dict(e, data=dict(e["data"], seconds=s))
              for e, s in zip(events, (random.Random(5).uniform(0.5, 30) for _ in events))]
    for e in unique[:2000]:
        assert video.quote(e).fees[0].amount == py_video(e)["amount"]  # type: ignore[index]
    t_upy = best(lambda: [py_video(e) for e in unique])
    t_urc = best(lambda: [video.quote(e).fees[0].amount for e in unique])

    tutorial = ratecard.Engine(ROOT / "examples" / "tutorial-catalog.json")
    tevents = tutorial_events(EVENTS)
    for e in tevents[:2000]:
        got = [(f.product_code, f.price_name, f.amount) for f in tutorial.quote(e, explain=False).fees]
        assert got == py_tutorial(e), (e, got, py_tutorial(e))
    t_tpy = best(lambda: [py_tutorial(e) for e in tevents])
    t_trc = best(lambda: [tutorial.quote(e, explain=False) for e in tevents])

    # --- a million-row frame ------------------------------------------------------------------
    rng = random.Random(3)
    models = [rng.choice(["gen4", "gen4_turbo", "gen3"]) for _ in range(ROWS)]
    seconds = [round(rng.uniform(0.5, 30), 1) for _ in range(ROWS)]
    table = pa.table({
        "event_type": pa.array(["video_generated"] * ROWS).dictionary_encode(),
        "occurred_at": pa.array([AT] * ROWS).dictionary_encode(),
        "model": pa.array(models).dictionary_encode(),
        "seconds": pa.array(seconds, pa.float64()),
    })
    frame_out: Dict[str, Any] = {}

    def run_frame() -> None:
        frame_out["t"] = video.quote_frame(table)

    def run_frame_usd() -> None:
        frame_out["u"] = video.quote_frame(table, express_in=["USD"])

    py_out: Dict[str, Any] = {}
    rows = [{"event_type": "video_generated", "data": {"model": m, "seconds": s}} for m, s in zip(models, seconds)]

    def run_py_frame() -> None:
        py_out["a"] = [py_video(r)["amount"] for r in rows]  # type: ignore[index]

    def run_py_columns() -> None:
        # The fastest plain-Python shape: no dicts, just the columns zipped.
        out = []
        for m, s in zip(models, seconds):
            amount = Decimal(repr(s)) * VIDEO_RATES.get(m, VIDEO_DEFAULT)
            out.append((amount if amount > ZERO else ZERO).quantize(CENT, ROUND_HALF_EVEN))
        py_out["c"] = out

    # Warmed up first: the wheel's allocator takes its first frames' memory from the system
    # (the first three calls took 2-4 times as long as the rest).
    for _ in range(3):
        run_frame()
    t_frame = best(run_frame, repeat=3)
    t_frame_usd = best(run_frame_usd, repeat=2)
    t_pyframe = best(run_py_frame, repeat=2)
    t_pycols = best(run_py_columns, repeat=2)
    total_rc = sum(frame_out["t"].column("amount").to_pylist(), Decimal(0))
    assert total_rc == sum(py_out["a"], Decimal(0)) == sum(py_out["c"], Decimal(0)), "frame totals differ"
    # The worst case for quote_frame: no two rows alike (full-precision volumes), so every row
    # goes through the core on its own.
    distinct = [rng.uniform(0.5, 30) for _ in range(ROWS)]
    table_distinct = table.set_column(table.column_names.index("seconds"), "seconds", pa.array(distinct))
    rows_distinct = [{"event_type": "video_generated", "data": {"model": m, "seconds": s}}
                     for m, s in zip(models, distinct)]
    t_distinct = best(lambda: video.quote_frame(table_distinct), repeat=2)
    t_pydistinct = best(lambda: [py_video(r) for r in rows_distinct], repeat=2)
    total_distinct = sum(video.quote_frame(table_distinct).column("amount").to_pylist(), Decimal(0))
    assert total_distinct == sum((py_video(r)["amount"] for r in rows_distinct), Decimal(0))  # type: ignore[index]
    pandas_note = ""
    try:
        import pandas as pd

        df = pd.DataFrame({"event_type": "video_generated", "model": models, "seconds": seconds})
        df["occurred_at"] = pd.Timestamp(AT)
        t_pandas = best(lambda: video.quote_frame(df), repeat=2)
        pandas_note = (f"| `quote_frame` pandas in → pandas out ({ROWS:,} rows; the output's Decimal "
                       f"objects are built at the end) | {t_pandas:.3f} s | {t_pyframe / t_pandas:.1f}× |")
    except ImportError:
        pass

    say("## Python wheel (ratecard)")
    say("")
    say(f"`just bench-python` (scripts/bench-python.sh; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores). Baseline: a hand-rolled quoter of the same prices with "
        "Python's `decimal` module in the same process (match the event type, pick the dimensional value, "
        "multiply, clamp, round; floats read by their `repr`), checked to give the same amounts. Ratio = "
        "pure-Python time ÷ ratecard time (above 1: ratecard is faster).")
    say("")
    say(f"Single events (`gen4` 12 credits a second, else 5; {EVENTS:,} events, best of 3):")
    say("")
    say("| call | per event | vs pure Python |")
    say("|---|---|---|")
    say(f"| pure-Python `decimal` quoter (returns a dict) | {fmt_us(t_py, EVENTS)} | 1.0× |")
    say(f"| `engine.quote(event, explain=False)` | {fmt_us(t_rc, EVENTS)} | {t_py / t_rc:.2f}× |")
    say(f"| same, then reading `fees[0].amount` (builds the Fee, and the Decimal unless made before) | "
        f"{fmt_us(t_rc_amount, EVENTS)} | {t_py / t_rc_amount:.2f}× |")
    say(f"| `engine.quote(event)` (explain on, the default: computed when first read) | "
        f"{fmt_us(t_rc_explain, EVENTS)} | {t_py / t_rc_explain:.2f}× |")
    say(f"| same, then reading `fees[0].amount` | {fmt_us(t_rc_explain_amount, EVENTS)} "
        f"| {t_py / t_rc_explain_amount:.2f}× |")
    say(f"| same, then reading `explain` (prices the event again, with its steps) | {fmt_us(t_rc_steps, EVENTS)} "
        f"| {t_py / t_rc_steps:.2f}× |")
    say(f"| `engine.quote(event, explain=False, express_in=['USD'])` | {fmt_us(t_rc_usd, EVENTS)} "
        f"| {t_py / t_rc_usd:.2f}× |")
    say(f"| `engine.quote_many(events, explain=False)`, per event | {fmt_us(t_many, EVENTS)} | {t_py / t_many:.2f}× |")
    say("")
    say("The events above repeat their volumes (0.5 to 30 seconds in tenths), as usage often does, so most "
        "amounts read are `Decimal`s the wheel made before (it keeps the last few thousand by value). With every "
        "volume distinct (full-precision floats), none is:")
    say("")
    say("| call | per event | vs pure Python |")
    say("|---|---|---|")
    say(f"| pure-Python `decimal` quoter | {fmt_us(t_upy, EVENTS)} | 1.0× |")
    say(f"| `engine.quote(event)`, then reading `fees[0].amount` | {fmt_us(t_urc, EVENTS)} | {t_upy / t_urc:.2f}× |")
    say("")
    say(f"Tutorial catalog (examples/tutorial-catalog.json, five event types, {EVENTS:,} events):")
    say("")
    say("| call | per event | vs pure Python |")
    say("|---|---|---|")
    say(f"| pure-Python `decimal` quoter | {fmt_us(t_tpy, EVENTS)} | 1.0× |")
    say(f"| `engine.quote(event, explain=False)` | {fmt_us(t_trc, EVENTS)} | {t_tpy / t_trc:.2f}× |")
    say("")
    say(f"A {ROWS:,}-row frame (columns `event_type`, `occurred_at`, `model`, `seconds`; same totals checked):")
    say("")
    say("| call | total | vs pure Python (dict per row) |")
    say("|---|---|---|")
    say(f"| pure-Python quoter over a list of event dicts | {t_pyframe:.3f} s | 1.0× |")
    say(f"| pure-Python over zipped column lists (no dicts; lists prepared beforehand) | {t_pycols:.3f} s "
        f"| {t_pyframe / t_pycols:.1f}× |")
    say(f"| `quote_frame` pyarrow Table in → Table out | {t_frame:.3f} s | {t_pyframe / t_frame:.1f}× |")
    say(f"| `quote_frame(..., express_in=['USD'])` | {t_frame_usd:.3f} s | {t_pyframe / t_frame_usd:.1f}× |")
    if pandas_note:
        say(pandas_note)
    say(f"| worst case: every row distinct (full-precision `seconds`), `quote_frame` Table → Table "
        f"| {t_distinct:.3f} s | {t_pydistinct / t_distinct:.1f}× (pure Python: {t_pydistinct:.3f} s on these rows) |")
    say("")
    say(f"Against the fastest pure-Python shape (zipped columns), the Arrow `quote_frame` is "
        f"{t_pycols / t_frame:.1f}× faster.")
    say("")
    slowest = min(t_py / t_rc, t_py / t_rc_amount, t_py / t_rc_explain, t_py / t_rc_explain_amount)
    verdict = "Met" if slowest >= 1 else "Not met"
    say(f"{verdict}: a single `quote`, with or without its explanation and reading the amount, against the "
        f"pure-Python quoter (the goal is parity): {slowest:.2f}× at the slowest of those four rows, "
        f"{t_upy / t_urc:.2f}× with every amount new. Where a quote's time goes (callgrind, instructions per "
        "call, `explain=False`, 2026-12-05): about 7.5k in all, against 10.5k for the pure-Python quoter. "
        "The core's `Engine::quote`: 1.7k (2.6k earlier the same day, before the core made its fees' vector "
        "at its size and kept a quote's totals and a fee's dimensions inline: two allocations of four "
        "left, none past glibc's per-thread cache). Reading the event dict: 1.5k; the core's event built "
        "from it and checked: 0.65k; "
        "the result object made and freed: 1.1k. CPython's call into the method and the loop around it: "
        "about 2k, 0.7k of it the keyword dict for `explain=False` (measured on the abi3-py39 wheel, which "
        "had no fast calls for methods; the abi3-py310 wheel since 2026-12-07 is called through CPython's "
        "fast calling convention and borrows `str` text without copying it). Reading "
        "`fees[0].amount` adds 1.6k (the `Fee` object, the list, two attribute lookups) when the amount's "
        "`Decimal` was made before, and about 2k more to make one (by parsing its text, the only constructor "
        "the limited API offers). `express_in=['USD']` adds 5.2k: 2.4k in the core's conversion, 1.8k in the "
        f"wheel (the options, the equivalents kept). `quote_frame` is {t_pyframe / t_frame:.0f}× faster when rows "
        "repeat, as analyst frames do (a few event types and models, volumes from a small set: identical rows "
        "are quoted once); with every row distinct it is bounded by the core's per-event cost.")
    section = "\n".join(lines) + "\n"
    print(section)
    if "--write" in sys.argv:
        path = ROOT / "BENCHMARKS.md"
        text = path.read_text()
        start = text.index("## Python wheel (ratecard)")
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1:] if end != -1 else "")
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
