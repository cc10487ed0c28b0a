"""`Engine.quote_frame` over pandas, polars and pyarrow: the same fees as `quote_many`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Dict, List, Tuple

import pytest

import ratecard
from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

CATALOG = ROOT / "examples" / "catalog.json"
EVENTS: List[Dict[str, Any]] = json.loads((ROOT / "examples" / "events.json").read_text())


def rows_of(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    keys: List[str] = []
    for e in events:
        for k in e.get("data") or {}:
            if k not in keys:
                keys.append(k)
    out = []
    for e in events:
        row = {"id": e.get("id"), "event_type": e["event_type"], "occurred_at": e.get("occurred_at")}
        data = e.get("data") or {}
        for k in keys:
            v = data.get(k)
            # A frame column has one type: numbers as floats (as pandas would), text as text.
            row[k] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
        out.append(row)
    return out


def expected(engine: ratecard.Engine, events: List[Dict[str, Any]]) -> List[Tuple[Any, ...]]:
    out = []
    for i, q in enumerate(engine.quote_many(events, express_in=["USD"], explain=False)):
        for f in q.fees:
            out.append((i, q.event_id, f.product_code, f.price_name, f.currency, f.amount, f.equivalents["USD"]))
    return out


def table_rows(t: Any) -> List[Tuple[Any, ...]]:
    d = t.to_pydict()
    return list(zip(d["row"], d["id"], d["product_code"], d["price_name"], d["currency"], d["amount"], d["USD"]))


@pytest.fixture(scope="module")
def engine() -> ratecard.Engine:
    return ratecard.Engine(CATALOG)


def test_arrow_frame_matches_quote_many(engine: ratecard.Engine) -> None:
    table = pa.Table.from_pylist(rows_of(EVENTS))
    out = engine.quote_frame(table, express_in=["USD"])
    assert isinstance(out, pa.Table)
    want = expected(engine, EVENTS)
    assert len(want) > 0
    got = table_rows(out)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[:5] == w[:5]
        assert g[5] == w[5] and g[6] == w[6]
    assert out.schema.field("USD").type == pa.decimal128(38, 2)
    assert pa.types.is_decimal(out.schema.field("amount").type)
    assert out.schema.field("at").type == pa.timestamp("us", tz="UTC")


def test_pandas_and_polars_give_the_same_fees(engine: ratecard.Engine) -> None:
    rows = rows_of(EVENTS)
    arrow = engine.quote_frame(pa.Table.from_pylist(rows), express_in=["USD"])
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    out_pd = engine.quote_frame(df, express_in=["USD"])
    assert isinstance(out_pd, pd.DataFrame)
    assert list(out_pd["USD"]) == arrow.column("USD").to_pylist()
    assert list(out_pd["amount"]) == arrow.column("amount").to_pylist()
    assert isinstance(out_pd["USD"].iloc[0], Decimal)
    out_pl = engine.quote_frame(pl.DataFrame(rows), express_in=["USD"])
    assert isinstance(out_pl, pl.DataFrame)
    assert out_pl["USD"].to_list() == arrow.column("USD").to_pylist()
    assert out_pl["product_code"].to_list() == arrow.column("product_code").to_pylist()


def test_tiers_accumulate_down_the_frame(engine: ratecard.Engine) -> None:
    events = [{"event_type": "file_stored", "occurred_at": "2026-03-01T00:00:00Z", "data": {"gb": 60}}] * 3
    out = engine.quote_frame(pa.Table.from_pylist(rows_of(events)))
    many = [q.fees[0].amount for q in engine.quote_many(events)]
    assert out.column("amount").to_pylist() == many
    assert many[0] != many[2], "the second 60 GB crosses the 100 GB tier"


def test_tiered_and_other_rows_mix(engine: ratecard.Engine) -> None:
    # file_stored is priced in tiers (usage carries down the frame); the videos and images are
    # not, and repeat: they are priced once each and copied (as many rows as a batch would).
    at = "2026-03-01T00:00:00Z"
    events: List[Dict[str, Any]] = []
    for i in range(6000):
        if i % 3 == 0:
            events.append({"event_type": "file_stored", "occurred_at": at, "data": {"gb": 7}})
        elif i % 3 == 1:
            events.append({"event_type": "video_generated", "occurred_at": at,
                           "data": {"seconds": float(i % 5 + 1), "model": "gen4", "quality": "hd"}})
        else:
            events.append({"event_type": "image_generated", "occurred_at": at})
    table = pa.Table.from_pylist(rows_of(events))
    got = table_rows(engine.quote_frame(table, express_in=["USD"]))
    assert got == expected(engine, events)
    stored = [g[5] for g in got if g[3] == "Storage"]
    assert len(set(stored)) > 1, "the storage rows cross tiers as they accumulate"


def test_frame_options_match_quote_many(engine: ratecard.Engine) -> None:
    events = [{"event_type": "file_stored", "occurred_at": "2026-03-01T00:00:00Z", "data": {"gb": 30}}] * 2
    prior = {"video_studio": {"Storage": 90}}
    out = engine.quote_frame(pa.Table.from_pylist(rows_of(events)), prior_usage=prior, express_in=["CREDIT"])
    many = engine.quote_many(events, prior_usage=prior, express_in=["CREDIT"])
    assert out.column("amount").to_pylist() == [q.fees[0].amount for q in many]
    assert out.column("CREDIT").to_pylist() == [q.fees[0].equivalents["CREDIT"] for q in many]
    only = engine.quote_frame(pa.Table.from_pylist(rows_of(EVENTS)), products=["glitch_images_std"])
    assert set(only.column("product_code").to_pylist()) == {"glitch_images_std"}


def test_nulls_are_absent_keys_and_no_fee_rows_are_dropped(engine: ratecard.Engine) -> None:
    table = pa.table({
        "event_type": ["video_rendered", "video_rendered", "nothing_prices_this"],
        "seconds": [61, None, 5],
        "occurred_at": ["2026-03-01T00:00:00Z"] * 3,
    })
    out = engine.quote_frame(table)
    assert out.column("row").to_pylist() == [0]
    single = engine.quote({"event_type": "video_rendered", "occurred_at": "2026-03-01T00:00:00Z",
                           "data": {"seconds": 61}})
    assert out.column("amount").to_pylist() == [single.fees[0].amount]


def test_at_and_timestamps(engine: ratecard.Engine) -> None:
    when = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    table = pa.table({"event_type": ["image_generated"], "occurred_at": pa.array([when], pa.timestamp("ms", "UTC"))})
    out = engine.quote_frame(table)
    assert out.column("at").to_pylist() == [when]
    naive = pa.table({"event_type": ["image_generated"], "occurred_at": pa.array([when.replace(tzinfo=None)])})
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote_frame(naive)
    assert info.value.issues[0].code == "invalid_timestamp"
    out = engine.quote_frame(pa.table({"event_type": ["image_generated"]}), at="2026-03-01T00:00:00Z")
    assert out.column("at").to_pylist() == [when]


def test_frame_errors(engine: ratecard.Engine) -> None:
    with pytest.raises(ratecard.ArgumentError):
        engine.quote_frame(pa.table({"kind": ["x"]}))
    with pytest.raises(ratecard.EventError) as info:
        two = ["2026-03-01T00:00:00Z"] * 2
        engine.quote_frame(pa.table({"event_type": ["image_generated", None], "occurred_at": two}))
    assert [(i.path, i.code) for i in info.value.issues] == [("[1].event_type", "missing_field")]
    # Every bad row is reported, not only the first.
    with pytest.raises(ratecard.EventError) as info:
        three = ["2026-03-01T00:00:00Z", "yesterday", "2026-03-01T00:00:00Z"]
        engine.quote_frame(pa.table({"event_type": [None, "image_generated", None], "occurred_at": three}))
    assert [i.path for i in info.value.issues] == ["[0].event_type", "[1].occurred_at", "[2].event_type"]
    with pytest.raises(ratecard.EventError) as info:
        engine.quote_frame(pa.table({"event_type": ["image_generated"], "occurred_at": ["yesterday"]}))
    assert info.value.issues[0].path == "[0].occurred_at"
    with pytest.raises(ratecard.ArgumentError) as info2:
        engine.quote_frame(pa.table({"event_type": ["image_generated"]}), express_in=["NOPE"])
    assert info2.value.issues[0].path == "express_in[0]"
    with pytest.raises(TypeError):
        engine.quote_frame([{"event_type": "x"}])
    empty = engine.quote_frame(pa.table({"event_type": pa.array([], pa.string())}), express_in=["USD"],
                               at="2026-03-01T00:00:00Z")
    assert empty.num_rows == 0 and "USD" in empty.column_names


def test_sliced_and_chunked_inputs(engine: ratecard.Engine) -> None:
    rows = rows_of(EVENTS)
    table = pa.Table.from_pylist(rows)
    chunked = pa.concat_tables([table.slice(0, 3), table.slice(3)])
    sliced = table.slice(2)
    a = engine.quote_frame(chunked, express_in=["USD"]).column("USD").to_pylist()
    b = engine.quote_frame(table, express_in=["USD"]).column("USD").to_pylist()
    assert a == b
    c = engine.quote_frame(sliced, express_in=["USD"])
    d = [w[6] for w in expected(engine, EVENTS[2:])]
    assert c.column("USD").to_pylist() == d


def test_reused_rows_respect_rate_periods() -> None:
    catalog = {
        "assets": [{"code": "CREDIT", "name": "Credits", "precision": 2, "rates": [
            {"source": "USD", "rate": "0.10", "valid_to": "2026-03-15T00:00:00Z"},
            {"source": "USD", "rate": "0.12", "valid_from": "2026-03-15T00:00:00Z"},
        ]}],
        "products": [{"name": "Video", "code": "video", "prices": [{
            "name": "Video", "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": "video", "usage_type": "volume", "volume_field": "seconds"},
            "pricing": [{"asset": "CREDIT", "values": [{"volume_rate": 12}]}],
        }]}],
    }
    engine = ratecard.Engine(catalog)
    times = ["2026-03-14T23:59:59Z", "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z"]
    # Enough identical rows that quote_frame reuses them, spread over both rate periods.
    events = [{"event_type": "video", "occurred_at": times[i % 3], "data": {"seconds": (i % 7) / 2}}
              for i in range(10_000)]
    out = engine.quote_frame(pa.Table.from_pylist(rows_of(events)), express_in=["USD"])
    many = engine.quote_many(events, express_in=["USD"], explain=False)
    assert out.column("USD").to_pylist() == [q.fees[0].equivalents["USD"] for q in many]
    assert out.column("amount").to_pylist() == [q.fees[0].amount for q in many]
    assert len({str(v) for v in out.column("USD").to_pylist()[:6]}) > 3


def test_mostly_distinct_numbers_are_read_row_by_row() -> None:
    # More than half of the first 4,096 values distinct: the column crosses unnumbered (each
    # row its own value), nulls included; the fees are quote_many's all the same.
    engine = ratecard.Engine(CATALOG)
    video = next(e for e in EVENTS if e["event_type"] == "video_generated")
    events = []
    for i in range(5000):
        data = {k: v for k, v in video["data"].items() if k != "seconds"}
        if i % 97:  # a null every 97 rows: an absent volume
            data["seconds"] = 0.5 + i / 1000
        events.append(dict(video, data=data))
    rows = rows_of(events)
    out = engine.quote_frame(pa.Table.from_pylist(rows))
    many = engine.quote_many(events, explain=False)
    assert out.column("amount").to_pylist() == [f.amount for q in many for f in q.fees]
    ints = pa.Table.from_pylist(rows).set_column(
        list(rows[0]).index("seconds"), "seconds",
        pa.array([None if r["seconds"] is None else int(r["seconds"] * 1000) for r in rows], pa.int64()))
    assert engine.quote_frame(ints).num_rows == sum(len(q.fees) for q in many)


def test_a_frame_missing_a_column_its_prices_need_is_refused(engine: ratecard.Engine) -> None:
    # The time column misnamed: refused, naming it, unless at= or now= says when to price.
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote_frame(pa.table({"event_type": ["video_rendered"], "timestamp": ["2026-03-01T00:00:00Z"],
                                     "seconds": [61]}))
    assert [(i.path, i.code) for i in info.value.issues] == [("occurred_at", "missing_field")]
    assert '"timestamp"' in info.value.issues[0].message
    assert engine.quote_frame(pa.table({"event_type": ["video_rendered"], "seconds": [61]}),
                              now="2026-03-01T00:00:00Z").num_rows == 1
    # The volume column misnamed: refused, naming the column it likely is.
    with pytest.raises(ratecard.ArgumentError) as info:
        engine.quote_frame(pd.DataFrame({"event_type": ["video_rendered"], "occurred_at": ["2026-03-01T00:00:00Z"],
                                         "second": [61]}))
    assert [(i.path, i.code) for i in info.value.issues] == [("seconds", "missing_field")]
    assert 'did you mean "second"' in info.value.issues[0].message


def test_rows_that_price_to_nothing_are_said_and_listed(engine: ratecard.Engine) -> None:
    table = pa.table({
        "event_type": ["video_rendered", "video_rendered", "nothing_prices_this", "video_rendered"],
        "seconds": [61, None, 5, None],
        "occurred_at": ["2026-03-01T00:00:00Z"] * 4,
    })
    with pytest.warns(ratecard.RatecardWarning, match="3 rows have warnings") as caught:
        fees, issues = engine.quote_frame(table, issues=True)
    assert "missing_volume ×2" in str(caught[0].message) and "no_price_matched ×1" in str(caught[0].message)
    assert fees.column("row").to_pylist() == [0]
    # Every row is accounted for: a fee, or an issue (twins of a row share its warnings).
    assert issues.column("row").to_pylist() == [1, 2, 3]
    assert issues.column("code").to_pylist() == ["missing_volume", "no_price_matched", "missing_volume"]
    assert set(issues.column("severity").to_pylist()) == {"warning"}
    assert issues.column_names == ["row", "severity", "path", "code", "message"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.quote_frame(table, errors="ignore")


def test_errors_warn_leaves_bad_rows_out_and_lists_them(engine: ratecard.Engine) -> None:
    frame = pd.DataFrame({
        "event_type": ["image_generated", None, "image_generated", "image_generated"],
        "occurred_at": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", "yesterday", "2026-03-01T00:00:00Z"],
    })
    with pytest.raises(ratecard.EventError) as info:
        engine.quote_frame(frame)
    assert [i.path for i in info.value.issues] == ["[1].event_type", "[2].occurred_at"]
    with pytest.warns(ratecard.RatecardWarning, match="2 rows could not be priced"):
        fees, issues = engine.quote_frame(frame, errors="warn", issues=True)
    assert list(fees["row"]) == [0, 3]
    assert list(zip(issues["row"], issues["severity"], issues["path"], issues["code"])) == [
        (1, "error", "event_type", "missing_field"), (2, "error", "occurred_at", "invalid_timestamp")]
    quiet = engine.quote_frame(frame, errors="ignore")
    assert list(quiet["row"]) == [0, 3]
    with pytest.raises(ratecard.ArgumentError):
        engine.quote_frame(frame, errors="coerce")  # type: ignore[call-overload]


def test_rows_priced_at_now_say_so(engine: ratecard.Engine) -> None:
    table = pa.table({"event_type": ["image_generated", "image_generated"],
                      "occurred_at": ["2026-03-01T00:00:00Z", None]})
    with pytest.warns(ratecard.RatecardWarning, match="priced_at_now"):
        fees, issues = engine.quote_frame(table, now="2026-03-02T00:00:00Z", issues=True)
    assert fees.num_rows == 2
    assert list(zip(issues.column("row").to_pylist(), issues.column("code").to_pylist())) == [(1, "priced_at_now")]


def test_expressions_read_their_fields_as_columns() -> None:
    catalog = json.loads((ROOT / "tests" / "catalogs" / "expressions.json").read_text(encoding="utf-8"))
    engine = ratecard.Engine(catalog)
    table = pa.table({"event_type": ["tokens", "tokens"], "occurred_at": ["2026-03-01T00:00:00Z"] * 2,
                      "input_tokens": [1000, 7], "output_tokens": [250, 3]})
    out = engine.quote_frame(table)
    assert [str(a) for a in out.column("amount").to_pylist()] == ["1250.0000", "10.0000"]
    with pytest.raises(ratecard.ArgumentError) as e:
        engine.quote_frame(table.drop_columns(["output_tokens"]))
    assert [(i.path, i.code) for i in e.value.issues] == [("output_tokens", "missing_field")]


def test_unit_expressions_on_tiers_accumulate_down_the_frame() -> None:
    catalog = json.loads((ROOT / "tests" / "catalogs" / "expressions.json").read_text(encoding="utf-8"))
    engine = ratecard.Engine(catalog)
    table = pa.table({"event_type": ["tiered_images", "tiered_images", "custom_units"],
                      "occurred_at": ["2026-03-01T00:00:00Z"] * 3,
                      "n": [6, 6, None], "images": [None, None, 10]})
    out = engine.quote_frame(table)
    # 6 units at 1; then 6→12: 4 at 1 + 2 at 0.5; custom from ceil(10 / 4) = 3 units × 2.
    assert [str(a) for a in out.column("amount").to_pylist()] == ["6.0000", "5.0000", "6.0000"]
    assert out.column("price_name").to_pylist() == ["tiered_images", "tiered_images", "custom_units"]


def test_progress_is_reported(engine: ratecard.Engine, capsys: Any) -> None:
    table = pa.Table.from_pylist(rows_of(EVENTS) * 10_000)
    seen: List[Tuple[int, int]] = []
    engine.quote_frame(table, errors="ignore", progress=lambda done, total: seen.append((done, total)))
    n = table.num_rows
    assert seen == [(65_536, n), (n, n)] and n == 110_000
    seen.clear()
    engine.quote_many(EVENTS * 8_000, explain=False, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (88_000, 88_000) and seen[0] == (65_536, 88_000)
    engine.quote_frame(table.slice(0, 10), errors="ignore", progress=True)
    assert "quote_frame" in capsys.readouterr().err
    with pytest.raises(ratecard.ArgumentTypeError):
        engine.quote_frame(table, progress="yes")


def test_texts_are_numbered_as_quote_many_reads_them() -> None:
    # Texts that differ only in their last packed byte, in their length (a trailing NUL), past
    # the 15 bytes that are packed, in a multi-byte character; more distinct texts than the few
    # kept unhashed; in chunks with and without nulls, as string, large_string and dictionary.
    # Every one is priced by its own value: any two numbered alike would share a fee.
    special = ["", "x", "x\u0000", "abcdefghijklmno", "abcdefghijklmnp", "abcdefghijklmnop",
               "abcdefghijklmnoq", "enterprise-premium-plus", "enterprise-premium-plux", "é", "e"]
    values = [{"dimensions": {"tier": t}, "values": [{"unit_price": i + 1}]} for i, t in enumerate(special)]
    values.append({"dimensions": {"tier": "*"}, "values": [{"unit_price": 100}]})
    engine = ratecard.Engine({"assets": [], "products": [{"name": "P", "code": "p", "prices": [{
        "name": "Calls", "type": "usage_based", "billing_model": {"type": "real_time"},
        "usage_calculation": {"event_type": "call", "usage_type": "unit", "billable_dimensions": ["tier"]},
        "pricing": [{"asset": "USD", "values": values}]}]}]})
    texts = special + [f"t{k}" for k in range(30)]
    tiers: List[Any] = [texts[(i * 7) % len(texts)] for i in range(3000)]
    with_nulls = [None if i % 11 == 0 else t for i, t in enumerate(tiers[:1000])]
    tiers = with_nulls + tiers[1000:]
    at = "2026-03-01T00:00:00Z"
    events = [{"event_type": "call", "occurred_at": at, "data": {} if t is None else {"tier": t}} for t in tiers]
    want = [f.amount for q in engine.quote_many(events, explain=False) for f in q.fees]
    assert len(set(want)) == len(special) + 1

    def table(kind: Any, chunk: List[Any]) -> Any:
        return pa.table({"event_type": pa.array(["call"] * len(chunk), kind), "occurred_at": [at] * len(chunk),
                         "tier": pa.array(chunk, kind)})

    for kind in (pa.string(), pa.large_string()):
        chunks = [table(kind, tiers[:1000]), table(kind, tiers[1000:2000]), table(kind, tiers[2000:])]
        assert chunks[0].column("tier").null_count > 0 and chunks[1].column("tier").null_count == 0
        out = engine.quote_frame(pa.concat_tables(chunks))
        assert out.column("amount").to_pylist() == want
        dictionary = pa.concat_tables(chunks).set_column(
            2, "tier", pa.concat_tables(chunks).column("tier").dictionary_encode())
        assert engine.quote_frame(dictionary).column("amount").to_pylist() == want


def test_distinct_instants_are_read_row_by_row_across_rate_periods() -> None:
    # An event log's instants hardly repeat: read row by row, each row's own, across a rate
    # change; the frame's `at` and equivalents are quote_many's.
    engine = ratecard.Engine({
        "assets": [{"code": "CREDIT", "name": "Credits", "precision": 2, "rates": [
            {"source": "USD", "rate": "0.10", "valid_to": "2026-03-15T00:00:00Z"},
            {"source": "USD", "rate": "0.12", "valid_from": "2026-03-15T00:00:00Z"}]}],
        "products": [{"name": "Video", "code": "video", "prices": [{
            "name": "Video", "type": "usage_based", "billing_model": {"type": "real_time"},
            "usage_calculation": {"event_type": "video", "usage_type": "volume", "volume_field": "seconds"},
            "pricing": [{"asset": "CREDIT", "values": [{"volume_rate": 12}]}]}]}]})
    start = dt.datetime(2026, 3, 14, 23, 0, tzinfo=dt.timezone.utc)
    times = [start + dt.timedelta(seconds=i) for i in range(7200)]
    events = [{"event_type": "video", "occurred_at": t.isoformat(), "data": {"seconds": i % 5}}
              for i, t in enumerate(times)]
    frame = pd.DataFrame({"event_type": "video", "occurred_at": pd.to_datetime(times, utc=True),
                          "seconds": [float(i % 5) for i in range(len(times))]})
    out = engine.quote_frame(frame, express_in=["USD"])
    many = engine.quote_many(events, express_in=["USD"], explain=False)
    assert list(out["USD"]) == [q.fees[0].equivalents["USD"] for q in many]
    assert [t.to_pydatetime() for t in out["at"]] == times
    assert len({q.fees[0].equivalents["USD"] / q.fees[0].amount for q in many if q.fees[0].amount}) == 2


def test_pandas_out_is_what_pyarrow_would_make() -> None:
    # quote_frame builds the pandas frame itself (categorical codes as they are, the dtype of
    # a dictionary seen before kept): the same frame as pyarrow's to_pandas, nulls included,
    # and dictionaries of different values never share a dtype.
    from ratecard._frame import _pandas

    def table(names: List[Any]) -> Any:
        return pa.table({"row": pa.array(range(len(names)), pa.int64()),
                         "product_code": pa.array(names).dictionary_encode(),
                         "note": pa.array([None if n is None else n.upper() for n in names])})

    for names in (["a", "b", None, "a"], ["b", "a", "b", "c"], ["a", "b", None, "a"]):
        got, want = _pandas(table(names)), table(names).to_pandas()
        pd.testing.assert_frame_equal(got, want)
        assert list(got["product_code"].cat.categories) == list(dict.fromkeys(n for n in names if n is not None))


def test_a_progress_callback_that_raises_stops_the_frame_with_its_exception(engine: ratecard.Engine) -> None:
    # The callback runs while the core prices the frame: its exception stops the frame and is
    # raised as it is (not as a ratecard error), and the engine prices the next frame as usual.
    table = pa.Table.from_pylist(rows_of(EVENTS) * 10_000)

    def stop(done: int, total: int) -> None:
        raise KeyError(f"stop at {done} of {total}")

    with pytest.raises(KeyError, match="stop at 65536 of 110000"):
        engine.quote_frame(table, errors="ignore", progress=stop)
    assert engine.quote_frame(table.slice(0, 11), errors="ignore").num_rows > 0


def test_all_null_dictionary_columns_are_nulls(engine: ratecard.Engine) -> None:
    # A dictionary-encoded column with no values at all (every row null): absent keys, as any
    # null is, and an `id` column of them comes back null (arrow itself panics on such keys).
    video = next(e for e in EVENTS if e["event_type"] == "video_generated")
    rows = rows_of([video] * 3)
    nulls = pa.DictionaryArray.from_arrays(pa.array([None] * 3, pa.int32()), pa.array([], pa.string()))
    table = pa.Table.from_pylist(rows).set_column(0, "id", nulls).append_column("note", nulls)
    out = engine.quote_frame(table)
    want = engine.quote_many([video] * 3, explain=False)
    assert out.column("amount").to_pylist() == [f.amount for q in want for f in q.fees]
    assert out.column("id").to_pylist() == [None] * out.num_rows
