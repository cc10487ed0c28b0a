#!/usr/bin/env python3
"""Writes tests/vectors/corpus.json: the bad-input corpus, malformed and adversarial catalogs,
events, options, amounts and JSON text, each with the code and path every face must answer.

Each input is one mistake made to a small valid catalog or event, so that what it must give
follows from the mistake alone (the rules of docs/rules.md and docs/errors.md), not from
running ratecard. The corpus is vectors like any other: Rust, WebAssembly, Python and Node run
it (a face that crashes, hangs or answers without a code fails its runner).

    python3 scripts/gen-corpus.py           # rewrite the file
    python3 scripts/gen-corpus.py --check   # fail when the file is not what this writes
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "vectors" / "corpus.json"

AT = "2026-03-01T00:00:00Z"
CATALOG: Dict[str, Any] = {
    "assets": [
        {
            "code": "CR",
            "name": "Credits",
            "precision": 2,
            "symbol": "⭐",
            "label": "CR",
            "rates": [{"source": "USD", "rate": "0.01", "valid_from": "2026-01-01T00:00:00Z"}],
        }
    ],
    "products": [
        {
            "name": "Video",
            "code": "video",
            "prices": [
                {
                    "name": "Render",
                    "type": "usage_based",
                    "billing_model": {"type": "real_time"},
                    "usage_calculation": {"event_type": "render", "usage_type": "volume", "volume_field": "seconds"},
                    "pricing": [{"asset": "CR", "values": [{"volume_rate": "12", "min_amount": "1", "max_amount": "1000"}]}],
                },
                {
                    "name": "Call",
                    "type": "usage_based",
                    "billing_model": {"type": "real_time"},
                    "usage_calculation": {"event_type": "call", "usage_type": "unit"},
                    "pricing": [{"asset": "USD", "values": [{"unit_price": "0.50"}]}],
                },
            ],
        }
    ],
}
EVENT: Dict[str, Any] = {"event_type": "render", "occurred_at": AT, "data": {"seconds": 4}}

VECTORS: List[Dict[str, Any]] = []


def add(name: str, description: str, **fields: Any) -> None:
    VECTORS.append({"name": f"corpus/{name}", "description": description, **fields})


def at_path(root: Any, path: str) -> tuple[Any, Any]:
    """The container and key of a dotted path with [i] indexes."""
    parts: List[Any] = []
    for piece in path.replace("[", ".[").split("."):
        if piece:
            parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    node = root
    for p in parts[:-1]:
        node = node[p]
    return node, parts[-1]


def changed(path: str, value: Any, base: Any = CATALOG) -> Any:
    out = copy.deepcopy(base)
    node, key = at_path(out, path)
    node[key] = value
    return out


def removed(path: str, base: Any = CATALOG) -> Any:
    out = copy.deepcopy(base)
    node, key = at_path(out, path)
    del node[key]
    return out


def renamed(path: str, new: str, base: Any = CATALOG) -> Any:
    out = copy.deepcopy(base)
    node, key = at_path(out, path)
    node[new] = node.pop(key)
    return out


def refused(name: str, description: str, catalog: Any, issues: List[tuple[str, str]], strict: bool = False) -> None:
    extra = {"strict": True} if strict else {}
    add(name, description, catalog=catalog, op="engine",
        expect_error={"code": "invalid_catalog", "issues": [{"path": p, "code": c} for p, c in issues]}, **extra)


V0 = "products[0].prices[0].pricing[0].values[0]"
V1 = "products[0].prices[1].pricing[0].values[0]"
RATE = "assets[0].rates[0]"


def catalogs() -> None:
    add("catalog/base_is_clean", "The corpus's base catalog is valid and has no warning: every other input is one mistake away from it.",
        catalog=CATALOG, op="engine", expect={"warnings": []})
    # Decimals: the same bad values in every decimal field.
    fields = {
        f"{V0}.volume_rate": "negative_amount",
        f"{V0}.min_amount": "negative_amount",
        f"{V1}.unit_price": "negative_amount",
        f"{RATE}.rate": "invalid_rate",
    }
    bad = [
        ("word", "abc", "invalid_decimal"),
        ("nan_text", "NaN", "invalid_decimal"),
        ("infinity_text", "Infinity", "invalid_decimal"),
        ("empty", "", "invalid_decimal"),
        ("hex", "0x10", "invalid_decimal"),
        ("comma", "1,5", "invalid_decimal"),
        ("two_points", "1.2.3", "invalid_decimal"),
        ("too_large", "1e30", "decimal_overflow"),
        ("too_precise", "1.00000000000000000000000000001", "decimal_overflow"),
        ("boolean", True, "invalid_type"),
        ("array", ["1"], "invalid_type"),
        ("object", {"value": "1"}, "invalid_type"),
    ]
    for path, negative in fields.items():
        short = path.rsplit(".", 1)[1]
        for tag, value, code in bad:
            refused(f"catalog/{short}_{tag}", f"A {short} of {json.dumps(value)} is {code} at its path.",
                    changed(path, value), [(path, code)])
        refused(f"catalog/{short}_negative", f"A negative {short} is {negative}.", changed(path, "-1"), [(path, negative)])
    refused("catalog/max_below_min", "A max_amount below the min_amount is min_exceeds_max, at the min_amount.",
            changed(f"{V0}.max_amount", "0.5"), [(f"{V0}.min_amount", "min_exceeds_max")])
    for tag, value, code in [("zero", 0, "invalid_value"), ("negative", -2, "invalid_value"), ("word", "ten", "invalid_decimal")]:
        p = f"{V0}.package_size"
        refused(f"catalog/package_size_{tag}", f"A package_size of {json.dumps(value)} is {code}.", changed(p, value), [(p, code)])
    # Names, codes and enumerations.
    for path in ["assets[0].code", "assets[0].name", "products[0].code", "products[0].name", "products[0].prices[0].name",
                 "products[0].prices[0].usage_calculation.event_type", "products[0].prices[0].pricing[0].asset"]:
        short = path.replace("[0]", "").replace(".", "_")
        # Without its code the asset is gone, and the price in it names an unknown asset.
        then = [("products[0].prices[0].pricing[0].asset", "unknown_asset")] if path == "assets[0].code" else []
        refused(f"catalog/{short}_number", f"{path} given as a number is invalid_type.", changed(path, 5),
                [(path, "invalid_type")] + then)
        refused(f"catalog/{short}_missing", f"{path} left out is missing_field.", removed(path), [(path, "missing_field")] + then)
    for path, value in [("products[0].prices[0].type", "usage"), ("products[0].prices[0].billing_model.type", "realtime"),
                        ("products[0].prices[0].usage_calculation.usage_type", "volumes"),
                        ("products[0].prices[0].pricing_model", "tierd")]:
        short = path.replace("[0]", "").replace(".", "_")
        refused(f"catalog/{short}_unknown_value", f"{short} {value!r} is not one of its values: invalid_value.",
                changed(path, value), [(path, "invalid_value")])
    refused("catalog/asset_unknown", "A pricing asset the catalog does not define and no ISO 4217 code names is unknown_asset.",
            changed("products[0].prices[1].pricing[0].asset", "CREDITS"), [("products[0].prices[1].pricing[0].asset", "unknown_asset")])
    for tag, value, code in [("negative", -1, "precision_out_of_range"), ("nineteen", 19, "precision_out_of_range"),
                             ("fraction", 2.5, "precision_out_of_range"), ("text", "2", "invalid_type")]:
        refused(f"catalog/precision_{tag}", f"A precision of {json.dumps(value)} is {code}.",
                changed("assets[0].precision", value), [("assets[0].precision", code)])
    for tag, value in [("two_graphemes", "ab"), ("empty", "")]:
        refused(f"catalog/symbol_{tag}", "An asset symbol must be exactly one grapheme: invalid_symbol.",
                changed("assets[0].symbol", value), [("assets[0].symbol", "invalid_symbol")])
    refused("catalog/reserved_code", "A custom asset with the code of an ISO 4217 currency is reserved_code.",
            changed("assets[0].code", "EUR"), [("assets[0].code", "reserved_code")] + [("products[0].prices[0].pricing[0].asset", "unknown_asset")])
    refused("catalog/rate_source_unknown", "A rate source that is not an ISO 4217 currency is unknown_currency.",
            changed(f"{RATE}.source", "XYZ1"), [(f"{RATE}.source", "unknown_currency")])
    refused("catalog/rate_missing", "A rate entry with neither rate nor inverse_rate is missing_rate.",
            removed(f"{RATE}.rate"), [(RATE, "missing_rate")])
    refused("catalog/rate_bad_valid_from", "A valid_from that is not RFC 3339 is invalid_timestamp.",
            changed(f"{RATE}.valid_from", "2026-01-01"), [(f"{RATE}.valid_from", "invalid_timestamp")])
    refused("catalog/volume_field_missing", "A volume price without volume_field is missing_volume_field.",
            removed("products[0].prices[0].usage_calculation.volume_field"),
            [("products[0].prices[0].usage_calculation.volume_field", "missing_volume_field")])
    for path in ["assets", "products", "products[0].prices", "products[0].prices[0].pricing", f"products[0].prices[0].pricing[0].values"]:
        short = path.replace("[0]", "").replace(".", "_")
        then = [("products[0].prices[0].pricing[0].asset", "unknown_asset")] if path == "assets" else []
        refused(f"catalog/{short}_not_a_list", f"{path} given as an object is invalid_type.", changed(path, {}),
                [(path, "invalid_type")] + then)
    # Misspelt optional fields: a warning naming the field; an error in strict mode.
    typos = [
        ("assets[0].symbol", "symbl"), ("assets[0].label", "lable"), (f"{RATE}.valid_from", "valid_form"),
        (f"{V0}.min_amount", "min_amout"), (f"{V0}.max_amount", "max_amunt"),
        ("products[0].prices[0].pricing_model", "pricing_modle"),
    ]
    for path, typo in typos:
        node_path = path.rsplit(".", 1)[0]
        if path.endswith("pricing_model"):
            catalog = changed(path, "flat")
            catalog = renamed(path, typo, catalog)
        else:
            catalog = renamed(path, typo)
        add(f"catalog/typo_{typo}", f"{typo} for {path.rsplit('.', 1)[1]}: an unknown_field warning at its path.",
            catalog=catalog, op="engine", expect={"warnings": [{"path": f"{node_path}.{typo}", "code": "unknown_field"}]})
        refused(f"catalog/typo_{typo}_strict", f"{typo} in strict mode: the catalog is refused.", catalog,
                [(f"{node_path}.{typo}", "unknown_field")], strict=True)
    refused("catalog/typo_required_field", "A misspelt required field is missing, and the misspelling is named.",
            renamed("products[0].code", "cdoe"), [("products[0].code", "missing_field"), ("products[0].cdoe", "unknown_field")], strict=True)
    refused("catalog/duplicate_asset", "Two assets sharing a code (case-insensitively) is duplicate_asset.",
            changed("assets", CATALOG["assets"] + [dict(CATALOG["assets"][0], code="cr")]), [("assets[1].code", "duplicate_asset")])
    refused("catalog/duplicate_price_name", "Two prices of one product with one name is duplicate_price_name.",
            changed("products[0].prices[1].name", "Render"), [("products[0].prices[1].name", "duplicate_price_name")])
    add("catalog/not_an_object", "A catalog that is a list is invalid_type at the root.", catalog=[], op="engine",
        expect_error={"code": "invalid_catalog", "issues": [{"path": "", "code": "invalid_type"}]})


def event(**changes: Any) -> Dict[str, Any]:
    out = copy.deepcopy(EVENT)
    for k, v in changes.items():
        if v is DROP:
            out.pop(k, None)
        else:
            out[k] = v
    return out


DROP = object()

TIMESTAMPS = [
    ("word", "yesterday"), ("date_only", "2026-03-01"), ("no_offset", "2026-03-01T00:00:00"),
    ("month_13", "2026-13-01T00:00:00Z"), ("feb_30", "2026-02-30T00:00:00Z"), ("hour_25", "2026-03-01T25:00:00Z"),
    ("minute_60", "2026-03-01T00:60:00Z"), ("second_61", "2026-03-01T00:00:61Z"), ("offset_25h", "2026-03-01T00:00:00+25:00"),
    ("year_zero_month", "0000-00-00T00:00:00Z"), ("number_text", "1e9"), ("empty", ""), ("dot_no_digits", "2026-03-01T00:00:00.Z"),
    ("short_fields", "2026-3-1T00:00:00Z"), ("time_only", "T00:00:00Z"), ("double_zone", "2026-03-01T00:00:00ZZ"),
    ("fullwidth_digits", "２０２６-03-01T00:00:00Z"), ("offset_no_colon", "2026-03-01T00:00:00+0100"),
    ("trailing_text", "2026-03-01T00:00:00Z now"), ("leading_space", " 2026-03-01T00:00:00Z"),
]


def events() -> None:
    add("event/base_prices", "The corpus's base event prices to one fee with no warning.", catalog=CATALOG, op="quote",
        input=EVENT, expect={"fees": [{"amount": "48.00", "currency": "CR"}], "warnings": []})
    for tag, text in TIMESTAMPS:
        add(f"event/occurred_at_{tag}", f"occurred_at {text!r} is not an RFC 3339 instant with an offset: invalid_timestamp.",
            catalog=CATALOG, op="quote", input=event(occurred_at=text),
            expect_error={"code": "invalid_event", "issues": [{"path": "occurred_at", "code": "invalid_timestamp"}]})
        add(f"options/at_{tag}", f"The at option {text!r} is invalid_timestamp at `at`.", catalog=CATALOG, op="quote",
            input=EVENT, options={"at": text},
            expect_error={"code": "invalid_argument", "issues": [{"path": "at", "code": "invalid_timestamp"}]})
    for tag, value in [("number", 1772323200), ("boolean", True), ("object", {}), ("array", [AT])]:
        add(f"event/occurred_at_{tag}", "occurred_at that is not a string is invalid_type.", catalog=CATALOG, op="quote",
            input=event(occurred_at=value),
            expect_error={"code": "invalid_event", "issues": [{"path": "occurred_at", "code": "invalid_type"}]})
    for tag, value, code in [("number", 5, "invalid_type"), ("boolean", True, "invalid_type"), ("array", ["render"], "invalid_type"),
                             ("object", {}, "invalid_type"), ("empty", "", "invalid_value"), ("blank", "  ", "invalid_value"),
                             ("null", None, "invalid_type")]:
        add(f"event/event_type_{tag}", f"event_type {json.dumps(value)} is {code}.", catalog=CATALOG, op="quote",
            input=event(event_type=value), expect_error={"code": "invalid_event", "issues": [{"path": "event_type", "code": code}]})
    add("event/event_type_missing", "An event without event_type is missing_field.", catalog=CATALOG, op="quote",
        input=event(event_type=DROP), expect_error={"code": "invalid_event", "issues": [{"path": "event_type", "code": "missing_field"}]})
    for tag, value in [("number", 5), ("array", [1])]:
        add(f"event/id_{tag}", "An id that is not a string is invalid_type.", catalog=CATALOG, op="quote",
            input=event(id=value), expect_error={"code": "invalid_event", "issues": [{"path": "id", "code": "invalid_type"}]})
    for tag, value in [("list", [4]), ("text", "seconds=4"), ("number", 4), ("boolean", True)]:
        add(f"event/data_{tag}", "data that is not an object is invalid_type.", catalog=CATALOG, op="quote",
            input=event(data=value), expect_error={"code": "invalid_event", "issues": [{"path": "data", "code": "invalid_type"}]})
    for tag, value in [("object", {"s": 4}), ("array", [4]), ("nested_array", [[4]])]:
        add(f"event/data_value_{tag}", "A data value that is not a scalar is invalid_type at its key.", catalog=CATALOG, op="quote",
            input=event(data={"seconds": value}),
            expect_error={"code": "invalid_event", "issues": [{"path": "data.seconds", "code": "invalid_type"}]})
    for tag, value in [("text_large", "1e30"), ("number_large", 1e30), ("text_precise", "0.00000000000000000000000000001")]:
        add(f"event/volume_{tag}", "A volume no decimal holds is decimal_overflow at its key, as text or as a number.",
            catalog=CATALOG, op="quote", input=event(data={"seconds": value}),
            expect_error={"code": "invalid_event", "issues": [{"path": "data.seconds", "code": "decimal_overflow"}]})
    for tag, value, code in [("word", "abc", "invalid_volume"), ("negative", -4, "invalid_volume"), ("boolean", True, "invalid_volume"),
                             ("missing", DROP, "missing_volume")]:
        data = {} if value is DROP else {"seconds": value}
        add(f"event/volume_{tag}", f"A volume that is {tag} prices to no fee with {code}, never a fee of nothing.",
            catalog=CATALOG, op="quote", input=event(data=data),
            expect={"fees": [], "warnings": [{"path": "data.seconds", "code": code}]})
    for typo, field in [("occured_at", "occurred_at"), ("ocurred_at", "occurred_at"), ("evnt_type", "event_type"), ("dat", "data"), ("ide", "id")]:
        e = event()
        e[typo] = e.pop(field, "x")
        if field == "event_type":
            add(f"event/typo_{typo}", f"{typo} for {field}: the event has no type.", catalog=CATALOG, op="quote", input=e,
                expect_error={"code": "invalid_event", "issues": [{"path": "event_type", "code": "missing_field"}]})
            continue
        warnings = [{"path": typo, "code": "unknown_field"}]
        if field == "occurred_at":
            warnings = [{"path": "occurred_at", "code": "priced_at_now"}] + warnings
        if field == "data":
            warnings = warnings + [{"path": "data.seconds", "code": "missing_volume"}]
        add(f"event/typo_{typo}", f"{typo} for {field} is warned about at its path, never silently ignored.",
            catalog=CATALOG, op="quote", input=e, options={"now": AT}, expect={"warnings": warnings})
    for tag, e, first in [("one_field", {"event_type": "render", "occurred_at": AT, "seconds": 4}, "seconds"),
                          ("two_fields", {"event_type": "render", "occurred_at": AT, "model": "gen4", "seconds": 4}, "model"),
                          ("empty_data", {"event_type": "render", "occurred_at": AT, "data": {}, "seconds": 4}, "seconds")]:
        add(f"event/flat_{tag}", "Data fields at an event's top level with no data are refused with flat_event.",
            catalog=CATALOG, op="quote", input=e,
            expect_error={"code": "invalid_event", "issues": [{"path": first, "code": "flat_event"}]})
    dup = [("data_key", '{"event_type":"render","occurred_at":"%s","data":{"seconds":4,"seconds":700}}' % AT, "data.seconds"),
           ("event_type", '{"event_type":"render","event_type":"call","occurred_at":"%s"}' % AT, "event_type"),
           ("occurred_at", '{"event_type":"render","occurred_at":"%s","occurred_at":"%s","data":{"seconds":4}}' % (AT, AT), "occurred_at"),
           ("data", '{"event_type":"render","occurred_at":"%s","data":{"seconds":4},"data":{"seconds":5}}' % AT, "data"),
           ("unknown", '{"event_type":"render","occurred_at":"%s","data":{"seconds":4},"x":1,"x":2}' % AT, "x")]
    for tag, text, path in dup:
        add(f"event/duplicate_{tag}", "A key given twice in an event is refused with duplicate_key at its path.",
            catalog=CATALOG, op="quote", input_json=text,
            expect_error={"code": "invalid_event", "issues": [{"path": path, "code": "duplicate_key"}]})


def batches() -> None:
    good = EVENT
    cases = [
        ("two_timestamps", [good, event(occurred_at="x"), good, event(occurred_at="y")],
         [("[1].occurred_at", "invalid_timestamp"), ("[3].occurred_at", "invalid_timestamp")]),
        ("type_and_data", [event(event_type=5), good, event(data={"seconds": {}})],
         [("[0].event_type", "invalid_type"), ("[2].data.seconds", "invalid_type")]),
        ("read_then_priced", [event(occurred_at="x"), event(data={"seconds": "1e30"})],
         [("[0].occurred_at", "invalid_timestamp"), ("[1].data.seconds", "decimal_overflow")]),
        ("flat_and_missing_type", [{"event_type": "render", "seconds": 4}, {"data": {}}],
         [("[0].seconds", "flat_event"), ("[1].event_type", "missing_field")]),
        ("not_objects", [good, 5, "render", None],
         [("[1]", "invalid_type"), ("[2]", "invalid_type"), ("[3]", "invalid_type")]),
        ("all_bad", [event(event_type="") for _ in range(5)], [(f"[{i}].event_type", "invalid_value") for i in range(5)]),
    ]
    for tag, items, issues in cases:
        add(f"batch/{tag}", "A batch reports every bad event, in order, each at its index.", catalog=CATALOG, op="quote_many",
            input=items, expect_error={"code": "invalid_event", "issues": [{"path": p, "code": c} for p, c in issues]})
    add("batch/not_a_list", "A batch that is neither a list nor one event is invalid_type.", catalog=CATALOG, op="quote_many",
        input=5, expect_error={"code": "invalid_event", "issues": [{"path": "", "code": "invalid_type"}]})
    add("batch/returned_in_place", "With on_error return, bad events' errors take their places.", catalog=CATALOG, op="quote_many",
        options={"on_error": "return", "explain": False}, input=[event(event_type=5), good],
        expect=[{"error": {"code": "invalid_event", "issues": [{"path": "[0].event_type", "code": "invalid_type"}]}},
                {"fees": [{"amount": "48.00"}]}])


def options() -> None:
    cases: List[tuple[str, Any, str, str, Optional[str]]] = [
        ("express_in_text", {"express_in": "USD"}, "express_in", "invalid_type", None),
        ("express_in_number", {"express_in": [5]}, "express_in", "invalid_type", None),
        ("express_in_unknown", {"express_in": ["NOPE"]}, "express_in[0]", "unknown_asset", None),
        ("express_in_second_unknown", {"express_in": ["USD", "XX"]}, "express_in[1]", "unknown_asset", None),
        ("products_text", {"products": "video"}, "products", "invalid_type", None),
        ("products_unknown", {"products": ["audio"]}, "products[0]", "unknown_product", None),
        ("prior_usage_negative", {"prior_usage": {"video": {"Render": "-1"}}}, "prior_usage.video.Render", "negative_amount", None),
        ("prior_usage_word", {"prior_usage": {"video": {"Render": "lots"}}}, "prior_usage.video.Render", "invalid_decimal", None),
        ("prior_usage_unknown_price", {"prior_usage": {"video": {"Nope": "1"}}}, "prior_usage.video.Nope", "unknown_product", None),
        ("prior_usage_not_object", {"prior_usage": {"video": 5}}, "prior_usage.video", "invalid_type", None),
        ("prior_usage_list", {"prior_usage": []}, "prior_usage", "invalid_type", None),
        ("explain_text", {"explain": "yes"}, "explain", "invalid_type", None),
        ("explain_number", {"explain": 1}, "explain", "invalid_type", None),
        ("now_number", {"now": 5}, "now", "invalid_type", None),
        ("now_word", {"now": "now"}, "now", "invalid_timestamp", None),
        ("unknown_typo", {"expres_in": ["USD"]}, "expres_in", "invalid_options", None),
        ("unknown_explain_typo", {"explian": False}, "explian", "invalid_options", None),
        ("unknown_other", {"currency": "USD"}, "currency", "invalid_options", None),
        ("on_error_value", {"on_error": "skip"}, "on_error", "invalid_options", "quote_many"),
        ("on_error_boolean", {"on_error": True}, "on_error", "invalid_options", "quote_many"),
        ("camel_unknown_asset", {"expressIn": ["NOPE"]}, "expressIn[0]", "unknown_asset", None),
    ]
    for tag, opts, path, code, op in cases:
        add(f"options/{tag}", f"Options {json.dumps(opts)}: {code} at {path}.", catalog=CATALOG, op=op or "quote",
            input=[EVENT] if op == "quote_many" else EVENT, options=opts,
            expect_error={"code": "invalid_argument", "issues": [{"path": path, "code": code}]})


def amounts() -> None:
    for tag, value, code in [("word", "abc", "invalid_decimal"), ("too_large", "1e30", "decimal_overflow"),
                             ("boolean", True, "invalid_type"), ("nan_text", "NaN", "invalid_decimal"),
                             ("empty", "", "invalid_decimal"), ("list", ["1"], "invalid_type")]:
        add(f"convert/amount_{tag}", f"A conversion of {json.dumps(value)} is {code} at amount.", catalog=CATALOG, op="convert",
            input={"amount": value, "from": "USD", "to": "CR", "at": AT},
            expect_error={"code": "invalid_argument", "issues": [{"path": "amount", "code": code}]})
        add(f"format/amount_{tag}", f"Formatting {json.dumps(value)} is {code} at amount.", catalog=CATALOG, op="format",
            input={"amount": value, "asset": "CR"},
            expect_error={"code": "invalid_argument", "issues": [{"path": "amount", "code": code}]})
    add("convert/unknown_asset", "Converting into an asset nobody defines is unknown_asset.", catalog=CATALOG, op="convert",
        input={"amount": "1", "from": "USD", "to": "NOPE", "at": AT},
        expect_error={"code": "invalid_argument", "issues": [{"path": "to", "code": "unknown_asset"}]})
    add("convert/before_any_rate", "Before the first rate is in force there is no_rate.", catalog=CATALOG, op="convert",
        input={"amount": "1", "from": "USD", "to": "CR", "at": "2025-01-01T00:00:00Z"},
        expect_error={"code": "no_rate"})


NOT_JSON = [
    ("empty", ""), ("open_brace", "{"), ("open_bracket", "["), ("unclosed_list", '{"assets": [}'),
    ("single_quotes", "{'assets': []}"), ("trailing_comma", '{"assets": [],}'), ("nan_literal", '{"a": NaN}'),
    ("line_comment", '// c\n{"assets": []}'), ("block_comment", '{"assets": [] /* x */}'), ("leading_zero", '{"assets": 01}'),
    ("bad_escape", '{"a": "\\x"}'), ("lone_surrogate", '{"a": "\\ud800"}'), ("true_cut", "tru"), ("null_cut", "nul"),
    ("no_comma", "[1 2]"), ("unterminated_string", '"abc'), ("two_values", "{} {}"), ("deep", "[" * 200 + "]" * 200),
    ("control_character", '{"a": "\u0001"}'), ("number_overflow", '{"a": 1e400}'),
]


def json_text() -> None:
    for tag, text in NOT_JSON:
        add(f"json/catalog_{tag}", "Catalog text that is not JSON is invalid_json, for the whole input.", catalog_json=text,
            op="engine", expect_error={"code": "invalid_json", "issues": [{"path": "", "code": "invalid_json"}]})
        if tag in ("empty", "two_values"):
            continue
        # Text that is JSON, or starts as a value that is no event, is the event's mistake: a
        # list is no event (invalid_type), and an object with only an unknown key has no type
        # (a huge number or a lone surrogate escape is JSON's grammar, skipped in that key).
        code = {"open_bracket": "invalid_type", "no_comma": "invalid_type", "deep": "invalid_type",
                "lone_surrogate": "missing_field", "number_overflow": "missing_field"}.get(tag)
        # An event's reader says where in the object the text broke.
        where = {"unclosed_list": "assets", "leading_zero": "assets", "nan_literal": "a", "bad_escape": "a",
                 "control_character": "a", "lone_surrogate": "event_type", "number_overflow": "event_type"}.get(tag, "")
        add(f"json/events_{tag}", "Event text that is not JSON is invalid_json; JSON that is no event is invalid_event.",
            catalog=CATALOG, op="quote", input_json=text,
            expect_error={"code": "invalid_event" if code else "invalid_json",
                          "issues": [{"path": where, "code": code or "invalid_json"}]})
    add("json/duplicate_in_catalog", "A catalog key given twice is duplicate_key at its path.",
        catalog_json='{"assets": [], "products": [{"name": "p", "code": "p", "code": "q", "prices": []}]}', op="engine",
        expect_error={"code": "invalid_json", "issues": [{"path": "products[0].code", "code": "duplicate_key"}]})


def main() -> int:
    catalogs()
    events()
    batches()
    options()
    amounts()
    json_text()
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    text = json.dumps(VECTORS, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 scripts/gen-corpus.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{len(VECTORS)} vectors written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
