"""The Python surface: argument types, results, errors."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import pickle
from decimal import Decimal
from typing import Any, Dict

import pytest

import ratecard

UTC = dt.timezone.utc
ROOT = pathlib.Path(__file__).resolve().parents[3]
AT = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)

CREDITS: Dict[str, Any] = {
    "assets": [
        {"code": "CREDIT", "name": "Credits", "precision": 2, "rates": [{"source": "USD", "rate": "0.10"}]}
    ],
    "products": [
        {
            "name": "Video",
            "code": "video",
            "prices": [
                {
                    "name": "Generation",
                    "type": "usage_based",
                    "billing_model": {"type": "real_time"},
                    "usage_calculation": {
                        "event_type": "video_generated",
                        "usage_type": "volume",
                        "volume_field": "seconds",
                        "billable_dimensions": ["model"],
                    },
                    "pricing": [
                        {
                            "asset": "CREDIT",
                            "values": [
                                {"dimensions": {"model": "gen4"}, "values": [{"volume_rate": 12}]},
                                {"dimensions": {"model": "*"}, "values": [{"volume_rate": 5}]},
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}


def video(seconds: Any, model: str = "gen4") -> Dict[str, Any]:
    return {"event_type": "video_generated", "occurred_at": "2026-03-01T12:00:00Z",
            "data": {"model": model, "seconds": seconds}}


@pytest.fixture(scope="module")
def engine() -> ratecard.Engine:
    return ratecard.Engine(CREDITS)


def test_catalog_from_dict_text_bytes_and_path(tmp_path: pathlib.Path) -> None:
    text = json.dumps(CREDITS)
    file = tmp_path / "catalog.json"
    file.write_text(text)
    for catalog in (CREDITS, text, text.encode(), file):
        e = ratecard.Engine(catalog)
        assert e.quote(video(2)).fees[0].amount == Decimal("24.00")
    assert isinstance(ratecard.Engine(CREDITS), ratecard.Engine)


def test_missing_catalog_file_is_an_os_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(OSError):
        ratecard.Engine(tmp_path / "nope.json")


def test_amounts_are_decimals_at_the_asset_scale(engine: ratecard.Engine) -> None:
    q = engine.quote(video("1.5"), express_in=["USD"])
    fee = q.fees[0]
    assert fee.amount == Decimal("18.00") and str(fee.amount) == "18.00"
    assert fee.equivalents == {"USD": Decimal("1.80")}
    assert str(q.equivalents["USD"]) == "1.80"
    assert q.totals == {"CREDIT": Decimal("18.00")}
    assert fee.volume_rate == Decimal("12") and fee.input_volume == Decimal("1.5")
    assert fee.dimensions == {"model": "gen4"}
    assert q.at == AT and q.at.tzinfo is not None


def test_decimal_inputs_of_every_kind(engine: ratecard.Engine) -> None:
    expected = Decimal("1.20")
    for seconds in (Decimal("0.1"), "0.1", 0.1, Decimal("1E-1")):
        assert engine.quote(video(seconds)).fees[0].amount == expected, seconds
    assert engine.quote(video(3)).fees[0].amount == Decimal("36.00")
    assert engine.quote(video(10**20)).fees[0].amount == Decimal("1200000000000000000000.00")


def test_datetimes_aware_accepted_naive_rejected(engine: ratecard.Engine) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    q = engine.quote({"event_type": "video_generated", "occurred_at": dt.datetime(2026, 3, 1, 13, tzinfo=paris),
                      "data": {"seconds": 1}})
    assert q.at == AT
    with pytest.raises(ratecard.EventError) as info:
        engine.quote({"event_type": "video_generated", "occurred_at": dt.datetime(2026, 3, 1)})
    assert info.value.code == "invalid_event"
    assert [(i.path, i.code) for i in info.value.issues] == [("occurred_at", "invalid_timestamp")]
    assert "naive" in str(info.value)
    with pytest.raises(ratecard.ArgumentError) as info2:
        engine.quote(video(1), at=dt.datetime(2026, 3, 1))
    assert [(i.path, i.code) for i in info2.value.issues] == [("at", "invalid_timestamp")]
    with pytest.raises(ValueError):
        engine.convert(1, "USD", "CREDIT", at=dt.datetime(2026, 3, 1))


def test_now_defaults_to_the_host_clock_and_false_forbids_it(engine: ratecard.Engine) -> None:
    before = dt.datetime.now(UTC)
    q = engine.quote({"event_type": "video_generated", "data": {"seconds": 1}})
    assert before <= q.at <= dt.datetime.now(UTC)
    with pytest.raises(ratecard.EventError) as info:
        engine.quote({"event_type": "video_generated", "data": {"seconds": 1}}, now=False)
    assert info.value.issues[0].code == "missing_instant"
    q = engine.quote({"event_type": "video_generated"}, now="2026-01-01T00:00:00Z")
    assert q.at == dt.datetime(2026, 1, 1, tzinfo=UTC)


def test_catalog_error_is_a_value_error_with_every_issue() -> None:
    bad = json.loads(json.dumps(CREDITS))
    bad["assets"][0]["precision"] = 40
    bad["products"][0]["prices"][0]["pricing"][0]["asset"] = "NOPE"
    with pytest.raises(ValueError) as info:
        ratecard.Engine(bad)
    err = info.value
    assert isinstance(err, ratecard.CatalogError) and isinstance(err, ratecard.RatecardError)
    assert err.code == "invalid_catalog"
    pairs = [(i.path, i.code) for i in err.issues]
    assert ("assets[0].precision", "precision_out_of_range") in pairs
    assert ("products[0].prices[0].pricing[0].asset", "unknown_asset") in pairs
    assert err.to_dict()["code"] == "invalid_catalog"
    assert "assets[0].precision" in err.to_problem()["errors"]
    clone = pickle.loads(pickle.dumps(err))
    assert clone.code == err.code and clone.issues == err.issues


def test_validate_never_raises_for_a_bad_catalog_only_for_non_json() -> None:
    report = ratecard.validate({"assets": "no"})
    assert report.valid is False and report.errors[0].code == "invalid_type"
    assert json.loads(report.to_json())["valid"] is False
    assert json.loads(report.to_problem_json())["status"] == 422
    with pytest.raises(ratecard.InvalidJsonError):
        ratecard.validate("{not json")
    with pytest.raises(ratecard.InvalidJsonError) as info:
        ratecard.validate({"assets": {1, 2}})
    assert info.value.issues[0].path == "assets"


def test_validate_checks_expressions_against_example_events() -> None:
    catalog = json.loads((ROOT / "tests" / "catalogs" / "expressions.json").read_text())

    def minutes(seconds: Any) -> Dict[str, Any]:
        return {"event_type": "minutes", "occurred_at": AT, "data": {"seconds": seconds}}

    report = ratecard.validate(catalog, examples=[minutes("61s")])
    assert report.valid is True
    assert [(i.path, i.code) for i in report.warnings] == [
        ("products[0].prices[1].usage_calculation.volume_aggregation", "expression_field_not_numeric")]
    assert '"61s"' in report.warnings[0].message
    assert ratecard.validate(catalog, examples=[minutes("61s"), minutes(Decimal("61"))]).warnings == []
    assert ratecard.validate(catalog, strict=True, examples=[minutes("x")]).valid is False
    with pytest.raises(ratecard.EventError) as info:
        ratecard.validate(catalog, examples=[{"data": {}}])
    assert info.value.issues[0].path == "[0].event_type"


def test_event_errors_have_paths_and_batches_are_prefixed(engine: ratecard.Engine) -> None:
    with pytest.raises(ratecard.EventError) as info:
        engine.quote_many([video(1), {"event_type": "video_generated", "data": {"seconds": [1]}}])
    assert [(i.path, i.code) for i in info.value.issues] == [("[1].data.seconds", "invalid_type")]
    with pytest.raises(ratecard.EventError) as info:
        engine.quote({"data": {}})
    assert info.value.issues[0].code == "missing_field"
    with pytest.raises(ratecard.EventError):
        engine.quote("[1, 2")


def test_option_errors(engine: ratecard.Engine) -> None:
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote(video(1), express_in=["NOPE"])
    assert [(i.path, i.code) for i in info.value.issues] == [("express_in[0]", "unknown_asset")]
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote(video(1), products=["nope"])
    assert info.value.issues[0].code == "unknown_product"
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote(video(1), options={"colour": "blue"})
    assert info.value.issues[0].code == "invalid_options"


def test_no_rate_and_overflow_errors(engine: ratecard.Engine) -> None:
    with pytest.raises(ratecard.NoRateError) as info:
        engine.convert(1, "USD", "EUR", at=AT)
    assert info.value.code == "no_rate"
    with pytest.raises(ratecard.RatecardError) as info2:
        engine.convert("1" * 40, "USD", "CREDIT", at=AT)
    assert info2.value.issues[0].code == "decimal_overflow"
    with pytest.raises(ratecard.ArgumentError) as info3:
        engine.convert(float("nan"), "USD", "CREDIT", at=AT)
    assert info3.value.issues[0].code == "invalid_decimal"
    with pytest.raises(ratecard.ArgumentError):
        engine.convert(True, "USD", "CREDIT", at=AT)


def test_convert_and_format(engine: ratecard.Engine) -> None:
    c = engine.convert(Decimal("1.00"), "USD", "CREDIT", at=AT)
    assert c.destination_amount == Decimal("10.00") and c.rate == Decimal("0.10")
    assert json.loads(c.to_json())["destination_amount"] == "10.00"
    assert engine.format(Decimal("1.5"), "CREDIT") == "1.50 CREDIT"
    assert engine.format(2, "USD") == "$2.00"


def test_results_round_trip_to_dict_and_json(engine: ratecard.Engine) -> None:
    q = engine.quote(video(2), express_in=["USD"])
    d = q.to_dict()
    assert d["fees"][0]["amount"] == Decimal("24.00")
    assert d["at"] == AT
    wire = json.loads(q.to_json())
    assert wire["fees"][0]["amount"] == "24.00" and wire["at"] == "2026-03-01T12:00:00Z"
    assert q.explain[0].kind == "match"
    assert engine.quote(video(2), explain=False).explain == []
    assert "Decimal('24.00')" in repr(q)


def test_quote_many_accumulates_and_accepts_json_text(engine: ratecard.Engine) -> None:
    events = [video(1), video(2, "other")]
    a = engine.quote_many(events)
    b = engine.quote_many(json.dumps(events))
    assert [q.totals for q in a] == [q.totals for q in b] == [
        {"CREDIT": Decimal("12.00")}, {"CREDIT": Decimal("10.00")}]
    assert engine.quote_many(iter(events))[1].fees[0].amount == Decimal("10.00")


def test_schema_and_codes() -> None:
    schema = ratecard.schema()
    assert isinstance(schema, dict) and "properties" in schema
    codes = dict(ratecard.codes())
    assert "invalid_catalog" not in codes and "unknown_asset" in codes and "internal" in codes


def test_hierarchy() -> None:
    for cls in (ratecard.CatalogError, ratecard.EventError, ratecard.ArgumentError, ratecard.InvalidJsonError):
        assert issubclass(cls, ratecard.RatecardError) and issubclass(cls, ValueError)
    assert issubclass(ratecard.RatecardError, Exception)
    assert issubclass(ratecard.NoRateError, LookupError)
    assert issubclass(ratecard.DecimalOverflowError, ArithmeticError)


def test_quote_arguments_as_a_python_signature(engine: ratecard.Engine) -> None:
    # `quote` reads its arguments by hand (for speed); Python sees the usual signature.
    import inspect

    params = inspect.signature(engine.quote).parameters
    assert list(params) == ["event", "at", "express_in", "products", "prior_usage", "explain", "now", "options"]
    assert params["event"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None for p in list(params.values())[1:])
    assert engine.quote(event=video(2)).fees[0].amount == Decimal("24.00")
    assert engine.quote(video(2), **{"expl" + "ain": False}).explain == []  # a name made at run time
    assert engine.quote(video(2), explain=None, at=None, now=None, options=None).explain[0].kind == "match"
    for call, message in [
        (lambda: engine.quote(), "Engine.quote() missing 1 required positional argument: 'event'"),
        (lambda: engine.quote(video(2), 1), "Engine.quote() takes 1 positional arguments but 2 were given"),
        (lambda: engine.quote(video(2), explane=False), "Engine.quote() got an unexpected keyword argument 'explane'"),
        (lambda: engine.quote(video(2), event=video(1)), "Engine.quote() got multiple values for argument 'event'"),
    ]:
        with pytest.raises(TypeError) as e:
            call()
        assert str(e.value) == message


def test_arguments_of_the_wrong_type_are_type_errors_with_a_code_and_a_path(engine: ratecard.Engine) -> None:
    for call, path in [
        (lambda: engine.quote(video(2), explain=1), "explain"),
        (lambda: engine.quote_many([video(2)], explain="yes"), "explain"),
        (lambda: engine.convert(1, 840, "CREDIT", at=AT), "from_asset"),
        (lambda: engine.format(1, None), "asset"),  # type: ignore[arg-type]
    ]:
        with pytest.raises(ratecard.ArgumentTypeError) as e:
            call()
        assert isinstance(e.value, TypeError) and isinstance(e.value, ratecard.ArgumentError)
        assert e.value.code == "invalid_argument"
        assert [(i.path, i.code) for i in e.value.issues] == [(path, "invalid_type")]


def test_lazy_explanation_is_the_eager_one(engine: ratecard.Engine) -> None:
    event = video(2.5, "gen3")
    event["id"] = "ev-1"
    lazy = engine.quote(event, express_in=["USD"])
    eager = engine.quote(json.dumps(event), express_in=["USD"])
    event["data"]["seconds"] = 99  # read at quote time: later changes change nothing
    assert lazy.to_json() == eager.to_json()
    assert [s.to_dict() for s in lazy.explain] == [s.to_dict() for s in eager.explain]
    assert lazy.event_id == "ev-1" and lazy.to_dict() == eager.to_dict()


def test_result_reads_repeat(engine: ratecard.Engine) -> None:
    q = engine.quote(video(2))
    assert q.fees == q.fees and q.fees is not q.fees
    assert q.totals == {"CREDIT": Decimal("24.00")} and q.equivalents == {} and q.warnings == []
    many = engine.quote(video(2, "x"), express_in=["USD", "CREDIT"])
    assert many.totals == {"CREDIT": Decimal("10.00")}
    assert many.equivalents == {"USD": Decimal("1.00"), "CREDIT": Decimal("10.00")}
    assert many.fees[0].equivalents == many.equivalents
    none = engine.quote({"event_type": "nothing", "occurred_at": "2026-03-01T12:00:00Z"})
    assert none.fees == [] and none.totals == {} and [w.code for w in none.warnings] == ["no_price_matched"]


def test_keyword_options_are_the_wire_options(engine: ratecard.Engine) -> None:
    # Lists of strings are read directly, anything else through the wire reader: same answers.
    e = video(2, "x")
    for kw, wire in [
        ({"express_in": ["USD"], "products": ["video"]}, {"express_in": ["USD"], "products": ["video"]}),
        ({"express_in": ("usd", "CREDIT"), "explain": False}, {"express_in": ["usd", "CREDIT"], "explain": False}),
        ({"products": []}, {"products": []}),
    ]:
        assert engine.quote(e, now=False, **kw).to_json() == engine.quote(e, now=False, options=wire).to_json()
    for bad, path in [({"express_in": "USD"}, "express_in"), ({"products": ["video", 1]}, "products"),
                      ({"express_in": ["EUR", "ZZZ"]}, "express_in[1]")]:
        with pytest.raises(ratecard.ArgumentError) as err:
            engine.quote(e, **bad)
        assert err.value.issues[0].path == path


def test_batch_checks_report_every_failing_event(engine: ratecard.Engine) -> None:
    bad = {"event_type": "video_generated", "data": {"seconds": [1], "model": {"x": 1}}}
    with pytest.raises(ratecard.EventError) as info:
        engine.quote_many([bad, video(1), {"event_type": " ", "data": {}}])
    assert [(i.path, i.code) for i in info.value.issues] == [
        ("[0].data.seconds", "invalid_type"), ("[0].data.model", "invalid_type"), ("[2].event_type", "invalid_value")]
    with pytest.raises(ratecard.EventError) as info:
        engine.quote_many(bad)  # one mapping: a list of one, unprefixed
    assert [i.path for i in info.value.issues] == ["data.seconds", "data.model"]
