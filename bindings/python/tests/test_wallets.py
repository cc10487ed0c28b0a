"""Wallet previews from Python: typed results, and `preview_frame` over many customers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, List

import pyarrow as pa
import pytest

import ratecard
from conftest import ROOT

CATALOG = json.loads((ROOT / "tests" / "catalogs" / "wallets.json").read_text(encoding="utf-8"))


def grant(id: str, available: str, purpose: str, expires_at: str) -> Dict[str, Any]:
    return {"id": id, "available": available, "purpose": purpose, "effective_at": "2026-01-01T00:00:00Z",
            "expires_at": expires_at, "created_at": "2026-01-01T00:00:00Z"}


# The billing API's worked examples 1 and 2 (docs/rules.md): one customer each.
WALLETS = {
    "c1": {"accounts": [{"asset": "CREDIT", "available": "110", "grants": [
        grant("paid-1", "20", "paid", "2027-05-01T00:00:00Z"),
        grant("bundle-1", "40", "bundled", "2026-07-01T00:00:00Z"),
        grant("promo-1", "50", "promotion", "2026-06-01T00:00:00Z")]}]},
    "c2": {"accounts": [{"asset": "CREDIT", "available": "45", "grants": [
        grant("paid", "30", "paid", "2027-03-01T00:00:00Z"),
        grant("promo", "15", "promotion", "2026-03-11T00:00:00Z")]}]},
}
ROWS: List[Dict[str, Any]] = [{"customer_id": "c1", "event_type": "video_generated",
                               "occurred_at": "2026-03-10T12:00:00Z", "seconds": 10}]
ROWS += [{"customer_id": "c2", "event_type": "image_generated", "occurred_at": f"2026-03-10T20:{i:02d}:00Z",
          "seconds": None} for i in range(12)]


def frames() -> List[Any]:
    table = pa.Table.from_pylist(ROWS)
    out = [table, table.to_pandas()]
    try:
        import polars

        out.append(polars.from_arrow(table))
    except ImportError:  # pragma: no cover
        pass
    return out


@pytest.mark.parametrize("frame", frames(), ids=lambda f: type(f).__module__.split(".")[0])
def test_preview_frame_gives_each_customer_the_worked_examples(frame: Any) -> None:
    engine = ratecard.Engine(CATALOG)
    out = engine.preview_frame(frame, WALLETS, now=False)
    table = out if isinstance(out, pa.Table) else pa.Table.from_pandas(out) if hasattr(out, "iloc") else out.to_arrow()
    rows = table.to_pylist()
    assert [(r["customer_id"], r["asset"]) for r in rows] == [("c1", "CREDIT"), ("c2", "CREDIT")]
    assert [(r["available"], r["available_after"], r["shortfall"]) for r in rows] == [
        (Decimal("110"), Decimal("-10"), Decimal("10")), (Decimal("45"), Decimal("-15"), Decimal("15"))]
    assert [(r["top_up_currency"], r["top_up_amount"], r["top_up_buys"]) for r in rows] == [
        ("USD", Decimal("0.50"), Decimal("10")), ("USD", Decimal("0.75"), Decimal("15"))]
    assert [(r["covered"], r["events"], r["refused"]) for r in rows] == [(False, 1, 0), (False, 12, 0)]


def test_preview_frame_reports_every_bad_row_and_missing_wallet() -> None:
    engine = ratecard.Engine(CATALOG)
    rows = [dict(r) for r in ROWS] + [{"customer_id": "c3", "event_type": "image_generated",
                                       "occurred_at": "2026-03-10T20:00:00Z", "seconds": None}]
    rows[5]["occurred_at"] = "yesterday"  # the 5th event of c2, the frame's row 5
    with pytest.raises(ratecard.RatecardError) as e:
        engine.preview_frame(pa.Table.from_pylist(rows), WALLETS, now=False)
    assert [(i.path, i.code) for i in e.value.issues] == [
        ("[5].occurred_at", "invalid_timestamp"), ("wallets['c3']", "missing_field")]


def test_preview_frame_names_a_bad_wallet_by_its_customer() -> None:
    engine = ratecard.Engine(CATALOG)
    wallets = dict(WALLETS, c2={"accounts": [{"asset": "CREDIT", "available": "lots"}]})
    with pytest.raises(ratecard.WalletError) as e:
        engine.preview_frame(pa.Table.from_pylist(ROWS), wallets, now=False)
    assert [(i.path, i.code) for i in e.value.issues] == [("wallets['c2'].accounts[0].available", "invalid_decimal")]


def test_preview_frame_needs_a_customer_id_column() -> None:
    engine = ratecard.Engine(CATALOG)
    with pytest.raises(ratecard.ArgumentError) as e:
        engine.preview_frame(pa.table({"event_type": ["image_generated"]}), WALLETS)
    assert [(i.path, i.code) for i in e.value.issues] == [("customer_id", "missing_field")]


def test_results_are_typed_with_decimals() -> None:
    engine = ratecard.Engine(CATALOG)
    p = engine.preview(WALLETS["c1"], [ROWS[0] | {"data": {"seconds": 10}, "customer_id": None}], now=False)
    assert isinstance(p, ratecard.Preview) and p.shortfall == {"CREDIT": Decimal("10")}
    assert p.top_up["CREDIT"]["amount"] == Decimal("0.50")
    assert p.explain[0].kind == "top_up"
    c = engine.buys(Decimal("10"), "USD", {"event_type": "video_generated", "occurred_at": "2026-03-10T12:00:00Z",
                                             "data": {"seconds": 10}})
    assert isinstance(c, ratecard.Capacity)
    assert (c.units, c.count, c.volume["value"]) == (Decimal("200"), Decimal("1"), Decimal("16"))
    assert json.loads(c.to_json())["asset"] == "CREDIT"


def test_a_wallet_read_last_is_reused_only_while_it_is_the_same() -> None:
    engine = ratecard.Engine(CATALOG)
    event = {"event_type": "video_generated", "occurred_at": "2026-03-10T12:00:00Z", "data": {"seconds": 10}}

    def left(wallet: Dict[str, Any]) -> Decimal:
        value: Decimal = engine.preview(wallet, [event], now=False).accounts[0]["available_after"]
        return value

    first = left(WALLETS["c1"])
    changed = json.loads(json.dumps(WALLETS["c1"]))
    changed["accounts"][0]["grants"][0]["available"] = "25"
    changed["accounts"][0]["available"] = "115"
    assert left(changed) == first + 5
    assert left(WALLETS["c1"]) == first
    # A wallet that fails to read is not kept: the next good one is read afresh.
    with pytest.raises(ratecard.WalletError):
        left({"accounts": [{"asset": "CREDIT", "available": "x"}]})
    assert left(changed) == first + 5
    assert engine.affordable(changed, event).count == engine.affordable(json.loads(json.dumps(changed)), event).count
