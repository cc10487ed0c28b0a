"""Every conformance vector in tests/vectors/, through the installed wheel.

Each vector is checked twice over: the Python objects (`to_dict()`, Decimals and datetimes
turned back into wire text) and the wire JSON (`to_json()`) must both match. Events given as
objects are also quoted from their JSON text, which proves that the wheel's dict reader and the
core's JSON reader agree, codes and paths included.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Tuple

import pytest

import ratecard
from conftest import ROOT, load_vectors, mismatches, wire

VECTORS = load_vectors()
OPTION_KEYWORDS = {"at", "now", "express_in", "products", "prior_usage", "explain", "on_error"}
OPTION_KEYWORDS |= {"overdraft", "min_top_up", "top_up_currency", "auto_top_up", "volume_step"}


def test_vectors_exist() -> None:
    assert len(VECTORS) > 0, "no conformance vectors found in tests/vectors/"
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names)), "duplicate vector names"


def catalog_of(v: Dict[str, Any]) -> Any:
    if "catalog_json" in v:
        return v["catalog_json"]
    if "catalog_file" in v:
        return ROOT / v["catalog_file"]
    catalog = v.get("catalog", {})
    # In Python a `str` catalog is JSON text; a JSON string value must be written as JSON.
    return json.dumps(catalog) if isinstance(catalog, str) else catalog


def option_kwargs(v: Dict[str, Any]) -> Dict[str, Any]:
    options = v.get("options")
    # The host's clock is exactly the vector's `now`: without one, none (`now=False`).
    if options is None:
        return {"now": False}
    if isinstance(options, dict) and set(options) <= OPTION_KEYWORDS:
        return {"now": False, **options}
    # Malformed or unknown options go through the wire-form parameter, as a JSON file gives them.
    return {"options": options, "now": False}


def error_value(e: ratecard.RatecardError) -> Dict[str, Any]:
    return {"code": e.code, "issues": [{"path": i.path, "code": i.code} for i in e.issues]}


def run(v: Dict[str, Any], event_as_text: bool = False) -> List[Tuple[str, Any]]:
    """The vector's outputs as (how, wire value) pairs: one per view that must match."""
    op = v["op"]
    catalog = catalog_of(v)
    strict = v.get("strict") is True
    if op == "validate":
        # An input is the example events the expressions are checked against.
        examples = v["input"] if isinstance(v.get("input"), list) else None
        report = ratecard.validate(catalog, strict=strict, examples=examples)
        return [("to_dict", wire(report.to_dict())), ("to_json", json.loads(report.to_json()))]
    engine = ratecard.Engine(catalog, strict=strict)
    if op == "engine":
        return [("warnings", {"warnings": [i.to_dict() for i in engine.warnings]})]
    kwargs = option_kwargs(v)
    if op in ("quote", "quote_many"):
        if "input_json" in v:
            events: Any = v["input_json"]
        elif event_as_text:
            events = json.dumps(v.get("input"))
        else:
            events = v.get("input")
        if op == "quote":
            q = engine.quote(events, **kwargs)
            return [("to_dict", wire(q.to_dict())), ("to_json", json.loads(q.to_json()))]
        qs = engine.quote_many(events, **kwargs)

        def each(q: Any, view: Callable[[Any], Any]) -> Any:
            # A bad event's error returned in its place (on_error="return").
            return {"error": error_value(q)} if isinstance(q, ratecard.RatecardError) else view(q)

        return [
            ("to_dict", [each(q, lambda q: wire(q.to_dict())) for q in qs]),
            ("to_json", [each(q, lambda q: json.loads(q.to_json())) for q in qs]),
        ]
    i = json.loads(v["input_json"]) if "input_json" in v else v["input"]
    if op == "preview":
        events = json.dumps(i["events"]) if event_as_text else i["events"]
        p = engine.preview(i["wallet"], events, **kwargs)
        return [("to_dict", wire(p.to_dict())), ("to_json", json.loads(p.to_json()))]
    if op == "entitlements":
        return [("dict", wire(engine.entitlements(i["product"], at=i["at"], until=i.get("until"))))]
    if op in ("affordable", "buys"):
        event = json.dumps(i["event"]) if event_as_text else i["event"]
        if op == "affordable":
            c = engine.affordable(i["wallet"], event, **kwargs)
        else:
            c = engine.buys(i["amount"], i["currency"], event, **kwargs)
        return [("to_dict", wire(c.to_dict())), ("to_json", json.loads(c.to_json()))]
    if op == "convert":
        c = engine.convert(i["amount"], i["from"], i["to"], at=i.get("at"))
        return [("to_dict", wire(c.to_dict())), ("to_json", json.loads(c.to_json()))]
    if op == "format":
        return [("text", engine.format(i["amount"], i["asset"]))]
    raise AssertionError(f"unknown op {op}")


def check(v: Dict[str, Any], event_as_text: bool = False) -> None:
    try:
        outputs = run(v, event_as_text)
    except ratecard.RatecardError as e:
        assert isinstance(e, Exception)
        if "expect_error" not in v:
            pytest.fail(f"unexpected error: {e!r} {error_value(e)}")
        problems = mismatches(v["expect_error"], error_value(e), "error")
        assert not problems, "\n".join(problems)
        return
    if "expect" not in v:
        pytest.fail(f"expected an error {v.get('expect_error')}, got {outputs[0][1]!r}")
    for how, actual in outputs:
        problems = mismatches(v["expect"], actual)
        assert not problems, f"{how}:\n" + "\n".join(problems)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: Dict[str, Any]) -> None:
    check(vector)


TEXT_OPS = ("quote", "quote_many", "preview", "affordable", "buys")
TEXT_VECTORS = [v for v in VECTORS if v["op"] in TEXT_OPS and "input" in v]


@pytest.mark.parametrize("vector", TEXT_VECTORS, ids=[v["name"] for v in TEXT_VECTORS])
def test_vector_from_json_text(vector: Dict[str, Any]) -> None:
    check(vector, event_as_text=True)
