"""Properties: exact decimals in and out, floats by their shortest repr, volume monotonic."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict

from hypothesis import given, settings
from hypothesis import strategies as st

import ratecard

CATALOG: Dict[str, Any] = {
    "assets": [{"code": "CREDIT", "name": "Credits", "precision": 4, "rates": [{"source": "USD", "rate": "0.10"}]}],
    "products": [{
        "name": "Metered", "code": "metered",
        "prices": [{
            "name": "Seconds", "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": "used", "usage_type": "volume", "volume_field": "n"},
            "pricing": [{"asset": "CREDIT", "values": [{"volume_rate": "1"}]}],
        }],
    }],
}
ENGINE = ratecard.Engine(CATALOG)
AT = "2026-03-01T00:00:00Z"

decimals = st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=4,
                       allow_nan=False, allow_infinity=False)


def used(n: Any) -> Dict[str, Any]:
    return {"event_type": "used", "occurred_at": AT, "data": {"n": n}}


@given(decimals)
def test_decimal_volume_round_trips_exactly(d: Decimal) -> None:
    # volume_rate 1 at precision 4: the fee is the volume itself, at scale 4.
    amount = ENGINE.quote(used(d), explain=False).fees[0].amount
    assert amount == d
    assert amount.as_tuple().exponent == -4
    assert ENGINE.quote(used(str(d)), explain=False).fees[0].amount == d


def outcome(event: Any) -> Any:
    try:
        q = ENGINE.quote(event, explain=False)
    except ratecard.RatecardError as e:
        return e.code, [(i.path, i.code) for i in e.issues]
    return [f.amount for f in q.fees], [(w.path, w.code) for w in q.warnings]


@given(st.floats(min_value=0, max_value=1e30, allow_nan=False, allow_infinity=False))
def test_float_means_its_shortest_repr(f: float) -> None:
    got = outcome(used(f))
    if got[0] != "invalid_event":
        assert got == outcome(used(repr(f)))


@given(st.floats(min_value=0, max_value=1e30, allow_nan=False, allow_infinity=False))
def test_float_equals_its_json_text(f: float) -> None:
    # Exactly what the same event gives as JSON text, errors included, to the last of 17 digits.
    assert outcome(used(f)) == outcome(json.dumps(used(f)))


FINE = ratecard.Engine(json.dumps(CATALOG).replace('"precision": 4', '"precision": 18'))


def fine(event: Any) -> Any:
    try:
        return [f.amount for f in FINE.quote(event, explain=False).fees]
    except ratecard.RatecardError as e:
        return e.code


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=17))
def test_short_floats_read_as_their_repr_to_18_places(m: int, k: int) -> None:
    # Volumes such as 12.5 or 0.07 take the wheel's fast float reader; at precision 18 the fee
    # shows every digit it read, which must be the digits of repr(f), as json.loads gives them.
    f = m / 10**k
    assert fine(used(f)) == fine(json.dumps(used(f)))
    assert fine(used(-f)) == fine(json.dumps(used(-f)))


def test_json_text_reads_17_digit_floats_correctly() -> None:
    f = 8153047643568727.0
    assert outcome(used(f)) == outcome(json.dumps(used(f)))


@given(decimals, decimals)
def test_more_volume_never_costs_less(a: Decimal, b: Decimal) -> None:
    lo, hi = sorted((a, b))
    q_lo = ENGINE.quote(used(lo), explain=False).fees[0].amount
    q_hi = ENGINE.quote(used(hi), explain=False).fees[0].amount
    assert q_lo <= q_hi


@given(decimals)
def test_convert_round_trip_stays_within_one_unit(d: Decimal) -> None:
    credits = ENGINE.convert(d, "CREDIT", "USD", at=AT).destination_amount
    assert credits == (d * Decimal("0.10")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=50)
@given(st.lists(decimals, min_size=1, max_size=20))
def test_quote_many_equals_quote_one_by_one_without_tiers(values: list) -> None:  # type: ignore[type-arg]
    events = [used(v) for v in values]
    many = [q.fees[0].amount for q in ENGINE.quote_many(events, explain=False)]
    one = [ENGINE.quote(e, explain=False).fees[0].amount for e in events]
    assert many == one


@given(decimals, decimals)
def test_amounts_keep_their_scale_when_read_again(a: Decimal, b: Decimal) -> None:
    # Amounts are made once and kept by value: the same amount read again, from any quote, is
    # the same Decimal digit for digit, exponent included, as the wire text says.
    for d in (a, b, a):
        q = ENGINE.quote(used(d), explain=False)
        wire = json.loads(q.to_json())["fees"][0]
        for value, text in ((q.fees[0].amount, wire["amount"]), (q.fees[0].input_volume, wire["input_volume"])):
            assert value is not None
            assert value.as_tuple() == Decimal(text).as_tuple()
