#!/usr/bin/env python3
"""Writes tests/vectors/expressions.json and its catalog tests/catalogs/expressions.json: the
vectors of `volume_aggregation` expressions (docs/expressions.md).

Every price of the catalog charges 1 CR (4 places) per unit of its expression's volume, so a
fee's amount is the volume rounded to 4 places: each expected answer below is worked out by
hand from the expression, never by running ratecard.

    python3 scripts/gen-expression-vectors.py           # rewrite the files
    python3 scripts/gen-expression-vectors.py --check   # fail when they are not what this writes
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vector_files import write_or_check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "vectors" / "expressions.json"
CATALOG = ROOT / "tests" / "catalogs" / "expressions.json"
CATALOG_FILE = "tests/catalogs/expressions.json"
T = "2026-03-01T12:00:00Z"

# event type -> expression (the peers' examples of the expression issue first)
EXPRESSIONS = {
    "tokens": "input_tokens + output_tokens",
    "minutes": "ceil(seconds / 60)",
    "billed_seconds": "duration <= 10 ? 0 : ceil(duration / 15) * 15",
    "compute": "(cpu * 25 * duration_ms) + (memory_mb * 0.000001 * duration_ms)",
    "tens": "round(x, -1)",
    "capped": "min(usage, quota)",
    "by_model": 'model == "gen4" ? 12 : 5',
    "exact": "0.1 + 0.2 == 0.3 ? 1 : 0",
    "thirds": "x / 3 * 3",
    "third": "x / 3",
    "precedence": "2 + 3 * 4 - 10 / 5 / 2",
    "grouped": "(2 + 3) * -4 * -1",
    "logic": "a > 1 && b < 1 || c == 0 ? 1 : 2",
    "negation": "!(a >= 1) ? 7 : 8",
    "functions": "floor(7.9) + abs(-3) + max(1, 4, 2) + round(2.5) + round(2.345, 2)",
    "prefixed": "data.a + event.properties.b",
    "custom": "units * 2",
    "not_equal": 'tier != "free" ? x : 0',
    "compare": "(a < b ? 1 : 0) + (a <= b ? 10 : 0) + (a > b ? 100 : 0) + (a >= b ? 1000 : 0)",
    "nested": "a ? 1 : b ? 2 : 3",
    "flag": "hd ? seconds * 2 : seconds",
    "quoted": "model == 'it\\'s' ? 1 : 2",
    "spaced": "  ( x\n*\t2 )  ",
    "leading_point": ".5 + x",
    "round_digits": "round(x, d)",
    "number_vs_text": "model == 5 ? 1 : 2",
    "huge": "x * 10",
    "minimum": "min(x, 10) + max(x, 10)",
    "booleans": "true && !false ? 1 : 0",
}


def price(event_type: str, expression: str) -> Dict[str, Any]:
    usage_type = "custom" if event_type == "custom" else "volume"
    return {"name": event_type, "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": event_type, "usage_type": usage_type,
                                  "volume_aggregation": expression},
            "pricing": [{"asset": "CR", "values": [{"volume_rate": 1}]}]}


def unit_price(event_type: str, calculation: Dict[str, Any], values: Dict[str, Any]) -> Dict[str, Any]:
    return {"name": event_type, "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": event_type, **calculation},
            "pricing": [{"asset": "CR", "values": [values]}]}


UNIT_PRICES = [
    unit_price("image_batch", {"usage_type": "unit", "unit_aggregation": "ceil(images / 4)"}, {"unit_price": 2}),
    unit_price("api_batch", {"usage_type": "unit_and_volume", "unit_aggregation": "calls", "volume_field": "tokens"},
               {"unit_price": "0.5", "volume_rate": "0.01"}),
]


def tiered_price(event_type: str, calculation: Dict[str, Any], model: str, values: List[Dict[str, Any]],
                 basis: Optional[str] = None) -> Dict[str, Any]:
    out = dict(unit_price(event_type, calculation, {}), pricing_model=model,
               pricing=[{"asset": "CR", "values": values}])
    if basis:
        out["tiering"] = {"basis": basis}
    return out


# Units laid over tiers: up to 10 units at 1 CR, the rest at 0.5 (prior usage comes from the
# vectors' prior_usage option).
UNIT_TIERS = [{"up_to": 10, "unit_price": 1}, {"unit_price": "0.5"}]
TIERED_PRICES = [
    tiered_price("tiered_images", {"usage_type": "unit", "unit_aggregation": "n"}, "tiered", UNIT_TIERS),
    tiered_price("bulk_images", {"usage_type": "unit", "unit_aggregation": "n"}, "bulk", UNIT_TIERS),
    tiered_price("tiered_calls", {"usage_type": "unit_and_volume", "unit_aggregation": "calls", "volume_field": "tokens"},
                 "tiered", [{"up_to": 10, "unit_price": 1, "volume_rate": "0.01"},
                            {"unit_price": "0.5", "volume_rate": "0.02"}], basis="unit"),
    tiered_price("custom_tiered", {"usage_type": "custom", "volume_aggregation": "a + b"}, "tiered",
                 [{"up_to": 10, "volume_rate": 1}, {"volume_rate": "0.1"}], basis="custom"),
    tiered_price("custom_units_tiered", {"usage_type": "custom", "unit_aggregation": "n"}, "tiered", UNIT_TIERS,
                 basis="custom"),
    unit_price("custom_units", {"usage_type": "custom", "unit_aggregation": "ceil(images / 4)"}, {"unit_price": 2}),
    unit_price("custom_both", {"usage_type": "custom", "unit_aggregation": "calls", "volume_aggregation": "tokens"},
               {"unit_price": "0.5", "volume_rate": "0.01"}),
]
CAT = {"assets": [{"code": "CR", "name": "Credits", "precision": 4, "rates": [{"source": "USD", "rate": "0.01"}]}],
       "products": [{"name": "Expressions", "code": "expr",
                     "prices": [price(k, v) for k, v in EXPRESSIONS.items()] + UNIT_PRICES
                     + TIERED_PRICES}]}
V: List[Dict[str, Any]] = []


def quote(name: str, description: str, event_type: str, data: Dict[str, Any], volume: Optional[str],
          amount: Optional[str] = None, warnings: Optional[List[Dict[str, str]]] = None,
          usage_type: str = "volume") -> None:
    expect: Dict[str, Any]
    if volume is None:
        expect = {"fees": [], "warnings": warnings or []}
    else:
        expect = {"fees": [{"usage_type": usage_type, "input_volume": volume, "amount": amount}],
                  "warnings": warnings or []}
    V.append({"name": f"expressions/{name}", "description": description, "catalog_file": CATALOG_FILE,
              "op": "quote", "input": {"event_type": event_type, "occurred_at": T, "data": data},
              "expect": expect})


def invalid(name: str, description: str, expression: str, code: str) -> None:
    catalog = {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [price("e", expression)]}]}
    V.append({"name": f"expressions/{name}", "description": description, "catalog": catalog, "op": "validate",
              "expect": {"valid": False, "errors": [
                  {"path": "products[0].prices[0].usage_calculation.volume_aggregation", "code": code}]}})


quote("tokens_added", "input_tokens + output_tokens: 1000 + 250 = 1250.", "tokens",
      {"input_tokens": 1000, "output_tokens": 250}, "1250", "1250.0000")
quote("tokens_as_text", "Numbers written as text are read as numbers: \"1000\" + 250 = 1250.", "tokens",
      {"input_tokens": "1000", "output_tokens": 250}, "1250", "1250.0000")
quote("ceil_minutes", "ceil(seconds / 60): 61 seconds are 2 started minutes.", "minutes", {"seconds": 61}, "2", "2.0000")
quote("ceil_exact_minute", "ceil(seconds / 60): 120 seconds are exactly 2.", "minutes", {"seconds": 120}, "2", "2.0000")
quote("conditional_free", "duration <= 10 ? 0 : ...: 10 seconds are free (a fee of 0).", "billed_seconds",
      {"duration": 10}, "0", "0.0000")
quote("conditional_blocks", "duration <= 10 ? 0 : ceil(duration / 15) * 15: 16 seconds bill as 30.", "billed_seconds",
      {"duration": 16}, "30", "30.0000")
quote("compute_formula", "(cpu × 25 × duration_ms) + (memory_mb × 0.000001 × duration_ms): 2 × 25 × 1000 + 512 × "
      "0.000001 × 1000 = 50000 + 0.512.", "compute", {"cpu": 2, "duration_ms": 1000, "memory_mb": 512},
      "50000.512", "50000.5120")
quote("round_negative_digits_up", "round(x, -1) rounds to tens, half away from zero: 25 → 30.", "tens", {"x": 25}, "30",
      "30.0000")
quote("round_negative_digits_down", "round(x, -1): 24 → 20.", "tens", {"x": 24}, "20", "20.0000")
quote("round_negative_result", "round(x, -1) of -25 is -30: a negative volume yields no fee (invalid_volume).", "tens",
      {"x": -25}, None, warnings=[{"path": "data", "code": "invalid_volume"}])
quote("min_quota", "min(usage, quota): 120 used against a quota of 100 bills 100.", "capped",
      {"usage": 120, "quota": 100}, "100", "100.0000")
quote("string_equal", "model == \"gen4\" ? 12 : 5 with model gen4: 12.", "by_model", {"model": "gen4"}, "12", "12.0000")
quote("string_other", "model == \"gen4\" ? 12 : 5 with another model: 5.", "by_model", {"model": "veo"}, "5", "5.0000")
quote("string_not_equal", "tier != \"free\" ? x : 0 with tier pro: x.", "not_equal", {"tier": "pro", "x": 3}, "3",
      "3.0000")
quote("exact_tenths", "0.1 + 0.2 == 0.3 is true in exact decimals: 1.", "exact", {}, "1", "1.0000")
quote("exact_thirds", "x / 3 * 3 is exactly x: a division that does not end is carried as a fraction.", "thirds",
      {"x": 1}, "1", "1.0000")
quote("third_rounded_once", "x / 3 as the volume: 1/3 to 28 significant digits, the fee rounded once to 4 places.",
      "third", {"x": 1}, "0.3333333333333333333333333333", "0.3333")
quote("precedence", "2 + 3 × 4 − 10 / 5 / 2 = 2 + 12 − 1 = 13 (× and / before + and −, left to right).",
      "precedence", {}, "13", "13.0000")
quote("parentheses_and_unary_minus", "(2 + 3) × −4 × −1 = 20.", "grouped", {}, "20", "20.0000")
quote("and_before_or", "a > 1 && b < 1 || c == 0: && binds tighter than ||; with a 0, b 5, c 0 it is true: 1.", "logic",
      {"a": 0, "b": 5, "c": 0}, "1", "1.0000")
quote("and_or_false", "the same with c 1: false, so 2.", "logic", {"a": 0, "b": 5, "c": 1}, "2", "2.0000")
quote("not", "!(a >= 1) with a 0: true, so 7.", "negation", {"a": 0}, "7", "7.0000")
quote("functions", "floor(7.9) + abs(−3) + max(1, 4, 2) + round(2.5) + round(2.345, 2) = 7 + 3 + 4 + 3 + 2.35.",
      "functions", {}, "19.35", "19.3500")
quote("prefixed_fields", "data.a and event.properties.b read the event's data: 1 + 2.", "prefixed",
      {"a": 1, "b": 2}, "3", "3.0000")
quote("custom_usage_type", "usage_type custom takes its usage from volume_aggregation: units × 2; the fee says custom.",
      "custom", {"units": 4}, "8", "8.0000", usage_type="custom")
quote("missing_field", "A field the event lacks: missing_volume at its path, and no fee.", "tokens",
      {"input_tokens": 5}, None, warnings=[{"path": "data.output_tokens", "code": "missing_volume"}])
quote("text_not_a_number", "A string where a number belongs: expression_failed, no fee.", "tokens",
      {"input_tokens": "many", "output_tokens": 1}, None, warnings=[{"path": "data", "code": "expression_failed"}])
quote("boolean_where_a_number_belongs", "A boolean field where a number belongs: expression_failed.", "tokens",
      {"input_tokens": True, "output_tokens": 1}, None, warnings=[{"path": "data", "code": "expression_failed"}])
quote("comparisons_less", "Each comparison with a 1, b 2: < and <= hold: 1 + 10.", "compare", {"a": 1, "b": 2},
      "11", "11.0000")
quote("comparisons_equal", "With a 2, b 2: <= and >= hold: 10 + 1000.", "compare", {"a": 2, "b": 2}, "1010",
      "1010.0000")
quote("comparisons_greater", "With a 3, b 2: > and >= hold: 100 + 1000.", "compare", {"a": 3, "b": 2}, "1100",
      "1100.0000")
quote("nested_conditional", "a ? 1 : b ? 2 : 3 groups to the right: a false, b true gives 2.", "nested",
      {"a": False, "b": True}, "2", "2.0000")
quote("nested_conditional_last", "a and b false: 3.", "nested", {"a": False, "b": False}, "3", "3.0000")
quote("boolean_field", "A boolean field is a condition: hd true doubles the seconds.", "flag",
      {"hd": True, "seconds": 4}, "8", "8.0000")
quote("boolean_field_false", "hd false: the seconds.", "flag", {"hd": False, "seconds": 4}, "4", "4.0000")
quote("single_quotes_and_escape", "A string in single quotes with an escaped quote: 'it\\'s' is it's.", "quoted",
      {"model": "it's"}, "1", "1.0000")
quote("whitespace", "Spaces, tabs and newlines between tokens are nothing: ( x * 2 ).", "spaced", {"x": 4}, "8",
      "8.0000")
quote("leading_point", "A number may start with its point: .5 + 1.", "leading_point", {"x": 1}, "1.5", "1.5000")
quote("round_with_field_digits", "round(x, d) with d from the data: round(1.2345, 3) = 1.235 (half away from zero).",
      "round_digits", {"x": "1.2345", "d": 3}, "1.235", "1.2350")
quote("round_digits_not_whole", "round's digits must be whole: 1.5 is expression_failed.", "round_digits",
      {"x": 1, "d": "1.5"}, None, warnings=[{"path": "data", "code": "expression_failed"}])
quote("round_digits_out_of_range", "round's digits go from -18 to 18: 19 is expression_failed.", "round_digits",
      {"x": 1, "d": 19}, None, warnings=[{"path": "data", "code": "expression_failed"}])
quote("text_equals_number", "A string field compared with a number is read as a number: \"5\" == 5.",
      "number_vs_text", {"model": "5"}, "1", "1.0000")
quote("text_not_a_number_in_comparison", "A string that is not a number compared with a number: expression_failed.",
      "number_vs_text", {"model": "gen4"}, None, warnings=[{"path": "data", "code": "expression_failed"}])
quote("result_too_large", "A result past a decimal's 28 digits: expression_failed, never a saturated number.",
      "huge", {"x": "79228162514264337593543950335"}, None,
      warnings=[{"path": "data", "code": "expression_failed"}])
quote("min_and_max", "min(x, 10) + max(x, 10) with x 4: 4 + 10.", "minimum", {"x": 4}, "14", "14.0000")
quote("boolean_literals", "true && !false is true: 1.", "booleans", {}, "1", "1.0000")
V.append({"name": "expressions/batch_reads_the_fields", "description": "A batch passes each event's fields to its "
          "expression (the JavaScript hosts send only the fields prices read: an expression's count).",
          "catalog_file": CATALOG_FILE, "op": "quote_many", "input": [
              {"event_type": "tokens", "occurred_at": T, "data": {"input_tokens": 1, "output_tokens": 2, "other": 9}},
              {"event_type": "compute", "occurred_at": T, "data": {"cpu": 1, "duration_ms": 2, "memory_mb": 1000}}],
          "expect": [{"fees": [{"input_volume": "3"}]}, {"fees": [{"input_volume": "50.002"}]}]})
V.append({"name": "expressions/preview", "description": "A preview prices an expression's event as a quote does: 1000 + "
          "250 tokens cost 1250 CR against 1000 held, 250 short, which $2.50 covers at $0.01.",
          "catalog_file": CATALOG_FILE, "op": "preview", "input": {
              "wallet": {"accounts": [{"asset": "CR", "available": "1000"}]},
              "events": [{"event_type": "tokens", "occurred_at": T, "data": {"input_tokens": 1000, "output_tokens": 250}}]},
          "expect": {"covered": False, "shortfall": {"CR": "250.0000"},
                     "top_up": {"CR": {"currency": "USD", "amount": "2.50", "buys": "250.0000"}}}})
invalid("unfinished", "`1 +` ends where a value belongs: invalid_expression, with the position.", "1 +",
        "invalid_expression")
invalid("unknown_function", "sqrt is not one of ceil, floor, round, min, max, abs.", "sqrt(x)", "invalid_expression")
invalid("wrong_arity", "round takes 1 or 2 arguments.", "round(x, 1, 2)", "invalid_expression")
invalid("not_a_field", "`a.b` is neither `name`, `data.name` nor `event.properties.name`.", "a.b", "invalid_expression")
invalid("unclosed_string", "A string that is never closed.", 'model == "gen4', "invalid_expression")
invalid("stray_character", "A character that belongs to no token.", "x # 2", "invalid_expression")
V.append({"name": "expressions/reads_a_billable_dimension", "description": "An expression that reads a billable "
          "dimension is legal but warned: expression_reads_dimension.", "catalog": {"assets": CAT["assets"], "products": [
              {"name": "P", "code": "p", "prices": [dict(price("e", 'model == "gen4" ? seconds * 2 : seconds'),
                                                         usage_calculation={
                  "event_type": "e", "usage_type": "volume", "billable_dimensions": ["model"],
                  "volume_aggregation": 'model == "gen4" ? seconds * 2 : seconds'})]}]},
          "op": "validate", "expect": {"valid": True, "errors": [], "warnings": [
              {"path": "products[0].prices[0].usage_calculation.volume_aggregation",
               "code": "expression_reads_dimension"}]}})
V.append({"name": "expressions/unit_expression_reads_a_billable_dimension", "description": "A unit_aggregation "
          "expression that reads a billable dimension is warned too, at its own path.",
          "catalog": {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [
              unit_price("e", {"usage_type": "unit", "billable_dimensions": ["size"],
                               "unit_aggregation": 'size == "xl" ? 2 : 1'}, {"unit_price": 1})]}]},
          "op": "validate", "expect": {"valid": True, "errors": [], "warnings": [
              {"path": "products[0].prices[0].usage_calculation.unit_aggregation",
               "code": "expression_reads_dimension"}]}})
V.append({"name": "expressions/unit_aggregation", "description": "unit_aggregation ceil(images / 4) gives the event's "
          "units: 10 images are 3 units of 2 CR.", "catalog_file": CATALOG_FILE, "op": "quote",
          "input": {"event_type": "image_batch", "occurred_at": T, "data": {"images": 10}},
          "expect": {"fees": [{"usage_type": "unit", "unit_price": "2", "amount": "6.0000"}], "warnings": []}})
V.append({"name": "expressions/unit_and_volume_units", "description": "unit_and_volume with unit_aggregation `calls`: "
          "3 calls at 0.5 plus 1000 tokens at 0.01 = 1.5 + 10.", "catalog_file": CATALOG_FILE, "op": "quote",
          "input": {"event_type": "api_batch", "occurred_at": T, "data": {"calls": 3, "tokens": 1000}},
          "expect": {"fees": [{"usage_type": "unit_and_volume", "input_volume": "1000", "amount": "11.5000"}],
                     "warnings": []}})
V.append({"name": "expressions/unit_aggregation_missing_field", "description": "A unit expression's missing field: "
          "missing_volume at its path, and no fee.", "catalog_file": CATALOG_FILE, "op": "quote",
          "input": {"event_type": "image_batch", "occurred_at": T, "data": {}},
          "expect": {"fees": [], "warnings": [{"path": "data.images", "code": "missing_volume"}]}})
V.append({"name": "expressions/unit_aggregation_negative", "description": "A negative number of units: invalid_volume, "
          "no fee.", "catalog_file": CATALOG_FILE, "op": "quote",
          "input": {"event_type": "image_batch", "occurred_at": T, "data": {"images": -8}},
          "expect": {"fees": [], "warnings": [{"path": "data", "code": "invalid_volume"}]}})


def tiered(name: str, description: str, event_type: str, data: Dict[str, Any], prior: Optional[str],
           fee: Dict[str, Any]) -> None:
    vector: Dict[str, Any] = {"name": f"expressions/{name}", "description": description,
                              "catalog_file": CATALOG_FILE, "op": "quote",
                              "input": {"event_type": event_type, "occurred_at": T, "data": data},
                              "expect": {"fees": [fee], "warnings": []}}
    if prior is not None:
        vector["options"] = {"prior_usage": {"expr": {event_type: prior}}}
    V.append(vector)


tiered("tiered_units_in_one_tier", "A unit expression on a tiered price counts the event's units in the tiers: 3 "
       "units, all in the first tier (up to 10 at 1 CR) = 3.", "tiered_images", {"n": 3}, None,
       {"usage_type": "unit", "unit_price": "1", "amount": "3.0000"})
tiered("tiered_units_split", "Graduated: 8 units before, 4 more run 8→12: 2 at 1 CR + 2 at 0.5 = 3; the fee reports "
       "the tier reached.", "tiered_images", {"n": 4}, "8",
       {"usage_type": "unit", "unit_price": "0.5", "amount": "3.0000"})
tiered("tiered_fractional_units", "Units need not be whole: 9 before, 2.5 more run 9→11.5: 1 at 1 CR + 1.5 at 0.5 = "
       "1.75.", "tiered_images", {"n": "2.5"}, "9", {"unit_price": "0.5", "amount": "1.7500"})
tiered("tiered_zero_units", "Zero units add no usage and cost nothing.", "tiered_images", {"n": 0}, "8",
       {"unit_price": "1", "amount": "0.0000"})
tiered("bulk_units", "Bulk: 8 before, 4 more reach 12, tier 2: all 4 units at 0.5 = 2.", "bulk_images", {"n": 4}, "8",
       {"unit_price": "0.5", "amount": "2.0000"})
tiered("bulk_units_first_tier", "Bulk with no prior usage: 4 units reach 4, tier 1: 4 at 1 CR.", "bulk_images",
       {"n": 4}, None, {"unit_price": "1", "amount": "4.0000"})
tiered("tiered_unit_and_volume_units", "unit_and_volume tiered by unit: 8 calls before, 4 more split 2 at 1 + 2 at 0.5 "
       "= 3; the volume part comes from the tier reached: 1000 tokens × 0.02 = 20; 23 in all.", "tiered_calls",
       {"calls": 4, "tokens": 1000}, "8", {"usage_type": "unit_and_volume", "input_volume": "1000",
                                           "amount": "23.0000"})
tiered("custom_basis_volume", "usage_type custom with tiering basis custom: tiers count the expression's usage, a + b "
       "= 12: 10 at 1 + 2 at 0.1 = 10.2.", "custom_tiered", {"a": 6, "b": 6}, None,
       {"usage_type": "custom", "input_volume": "12", "amount": "10.2000"})
tiered("custom_basis_units", "usage_type custom from a unit expression, tiering basis custom: the units are the tier "
       "usage; 8 before, 4 more: 2 at 1 + 2 at 0.5 = 3.", "custom_units_tiered", {"n": 4}, "8",
       {"usage_type": "custom", "unit_price": "0.5", "amount": "3.0000"})
tiered("custom_from_units", "usage_type custom with only a unit_aggregation expression is a unit price counted by "
       "it: ceil(10 / 4) = 3 units × 2 = 6; the fee says custom.", "custom_units", {"images": 10}, None,
       {"usage_type": "custom", "unit_price": "2", "amount": "6.0000"})
tiered("custom_from_both", "usage_type custom with both expressions has both parts: 3 calls × 0.5 + 1000 tokens × "
       "0.01 = 11.5.", "custom_both", {"calls": 3, "tokens": 1000}, None,
       {"usage_type": "custom", "input_volume": "1000", "amount": "11.5000"})
V.append({"name": "expressions/tiered_units_accumulate", "description": "In a batch, each event's units add to the "
          "period's usage: 6 units at 1 CR = 6, then 6 more run 6→12: 4 at 1 + 2 at 0.5 = 5.",
          "catalog_file": CATALOG_FILE, "op": "quote_many", "input": [
              {"event_type": "tiered_images", "occurred_at": T, "data": {"n": 6}},
              {"event_type": "tiered_images", "occurred_at": T, "data": {"n": 6}}],
          "expect": [{"fees": [{"amount": "6.0000"}]}, {"fees": [{"amount": "5.0000"}]}]})
V.append({"name": "expressions/custom_basis_without_expression", "description": "tiering basis custom counts what a "
          "price's expressions compute; a volume_field price has none: unsupported_tiering.",
          "catalog": {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [tiered_price(
              "e", {"usage_type": "volume", "volume_field": "x"}, "tiered",
              [{"up_to": 10, "volume_rate": 1}, {"volume_rate": "0.5"}], basis="custom")]}]},
          "op": "validate", "expect": {"valid": False, "errors": [
              {"path": "products[0].prices[0].tiering.basis", "code": "unsupported_tiering"}]}})
V.append({"name": "expressions/custom_without_expressions", "description": "usage_type custom with neither "
          "expression has no usage to compute: unsupported_usage_type.",
          "catalog": {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [
              unit_price("e", {"usage_type": "custom", "volume_field": "x"}, {"volume_rate": 1})]}]},
          "op": "validate", "expect": {"valid": False, "errors": [
              {"path": "products[0].prices[0].usage_calculation.usage_type", "code": "unsupported_usage_type"}]}})
V.append({"name": "expressions/unit_aggregation_on_a_volume_price", "description": "A volume price has no unit part: "
          "its unit_aggregation is ignored, with a warning.",
          "catalog": {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [
              unit_price("e", {"usage_type": "volume", "volume_field": "x", "unit_aggregation": "n"},
                         {"volume_rate": 1})]}]},
          "op": "validate", "expect": {"valid": True, "errors": [], "warnings": [
              {"path": "products[0].prices[0].usage_calculation.unit_aggregation", "code": "ignored_field"}]}})
V.append({"name": "expressions/examples_never_numeric", "description": "Validated with example events: `duration` "
          "is text in every billed_seconds example and tokens' output_tokens is missing from each, so both are "
          "expression_field_not_numeric warnings, in catalog order (tokens is the first price, billed_seconds the third); by_model compares `model` with a string (not a number: no warning), "
          "and minutes has a numeric example.",
          "catalog_file": CATALOG_FILE, "op": "validate", "input": [
              {"event_type": "billed_seconds", "data": {"duration": "10s"}},
              {"event_type": "billed_seconds", "data": {"duration": "12s"}},
              {"event_type": "tokens", "data": {"input_tokens": 5, "output": 7}},
              {"event_type": "by_model", "data": {"model": "gen4"}},
              {"event_type": "minutes", "data": {"seconds": "n/a"}},
              {"event_type": "minutes", "data": {"seconds": "61"}}],
          "expect": {"valid": True, "errors": [], "warnings": [
              {"path": "products[0].prices[0].usage_calculation.volume_aggregation",
               "code": "expression_field_not_numeric"},
              {"path": "products[0].prices[2].usage_calculation.volume_aggregation",
               "code": "expression_field_not_numeric"}]}})
V.append({"name": "expressions/examples_of_unit_expressions", "description": "Unit expressions are checked too: "
          "`n` is true in the only tiered_images example.",
          "catalog_file": CATALOG_FILE, "op": "validate", "input": [
              {"event_type": "tiered_images", "data": {"n": True}}],
          "expect": {"valid": True, "errors": [], "warnings": [
              {"path": "products[0].prices[%d].usage_calculation.unit_aggregation" % (
                  len(EXPRESSIONS) + len(UNIT_PRICES)), "code": "expression_field_not_numeric"}]}})
invalid("empty", "An empty expression has no value to read.", " ", "invalid_expression")
invalid("two_values", "Two values with no operator between them.", "1 2", "invalid_expression")
invalid("stray_parenthesis", "A closing parenthesis with no opening one.", "x)", "invalid_expression")
invalid("missing_else", "A conditional needs both branches: `c ? a : b`.", "x > 1 ? 2", "invalid_expression")
invalid("min_one_argument", "min takes at least two arguments.", "min(x)", "invalid_expression")
invalid("ceil_no_argument", "ceil takes one argument.", "ceil()", "invalid_expression")
invalid("dangling_dot", "A name belongs after a dot.", "data.", "invalid_expression")
invalid("too_long", "More than 1,000 bytes: limit_exceeded.", "+".join(["x"] * 501), "limit_exceeded")
invalid("too_deep", "Nested deeper than 32 levels: limit_exceeded.", "(" * 40 + "x" + ")" * 40, "limit_exceeded")
V.append({"name": "expressions/division_by_zero", "description": "A division by zero has no value: expression_failed, "
          "no fee.", "catalog": {"assets": CAT["assets"], "products": [{"name": "P", "code": "p", "prices": [
              price("e", "x / y")]}]}, "op": "quote",
          "input": {"event_type": "e", "occurred_at": T, "data": {"x": 1, "y": 0}},
          "expect": {"fees": [], "warnings": [{"path": "data", "code": "expression_failed"}]}})


def main() -> int:
    return write_or_check(V, {OUT: V, CATALOG: CAT}, "scripts/gen-expression-vectors.py")


if __name__ == "__main__":
    sys.exit(main())
