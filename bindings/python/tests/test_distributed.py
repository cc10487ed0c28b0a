"""`ratecard.spark` and `ratecard.dask` against real local engines: a Spark session (`local[2]`,
one for the module) and a Dask distributed LocalCluster. Their fees equal `quote_frame`'s row
for row, and a bad row is reported as `quote_frame` reports it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from typing import Any, Iterator, List, Tuple

import pytest

import ratecard
from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

CATALOG = ROOT / "examples" / "catalog.json"
ROWS = [
    {"event_type": e["event_type"], "occurred_at": e.get("occurred_at"), **e.get("data", {})}
    for e in json.loads((ROOT / "examples" / "events.json").read_text())
]


def events(copies: int, *, bad: bool = False, tiered: bool = True) -> Any:
    """The bundled events, `copies` times, each with an id; `bad`: row 5 has no event type."""
    rows = []
    for k in range(copies):
        for i, r in enumerate(ROWS):
            if not tiered and r["event_type"] == "file_stored":
                continue
            rows.append(dict(r, id=f"e{k}-{i}"))
    frame = pd.DataFrame(rows)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    for column in ("seconds", "gb", "input_tokens", "output_tokens"):
        if column in frame:
            frame[column] = frame[column].astype("float64")
    if bad:
        frame.loc[5, "event_type"] = None
    return frame


def fees(frame: Any, keys: Tuple[str, ...]) -> List[Tuple[Any, ...]]:
    """Rows as tuples of the given columns, amounts as Decimals, sorted."""
    out = []
    for row in frame[list(keys)].itertuples(index=False):
        out.append(tuple(Decimal(str(v)) if isinstance(v, (Decimal, float)) else v for v in row))
    return sorted(out, key=repr)


KEYS = ("row", "id", "event_type", "product_code", "price_name", "currency", "amount", "USD")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark = pytest.importorskip("pyspark.sql")
    # The executors' Python is this one, where ratecard is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .appName("ratecard-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def test_spark_one_partition_equals_quote_frame_row_for_row(spark: Any) -> None:
    import ratecard.spark

    frame = events(20)
    expected = ratecard.Engine(CATALOG).quote_frame(frame, express_in=["USD"], errors="ignore")
    df = spark.createDataFrame(frame).coalesce(1)
    got = ratecard.spark.quote(df, CATALOG, express_in=["USD"], errors="ignore").toPandas()
    assert len(got) == len(expected) > 100
    assert fees(got, KEYS) == fees(expected, KEYS)
    assert set(got["partition"]) == {0}
    schema = {f.name: f.dataType.simpleString() for f in ratecard.spark.quote(df, CATALOG).schema.fields}
    assert schema["product_code"] == "string" and schema["amount"].startswith("decimal(38,")


def test_spark_partitions_price_on_the_executors(spark: Any) -> None:
    import ratecard.spark

    frame = events(40, tiered=False)
    expected = ratecard.Engine(CATALOG).quote_frame(frame, express_in=["USD"], errors="ignore")
    df = spark.createDataFrame(frame).repartition(4)
    got = ratecard.spark.quote(df, CATALOG, express_in=["USD"], errors="ignore").toPandas()
    keys = KEYS[1:]  # positions are within each partition
    assert fees(got, keys) == fees(expected, keys)
    assert len(set(got["partition"])) == 4
    revenue = ratecard.spark.quote(df, CATALOG, express_in=["USD"], errors="ignore").groupBy().sum("USD").first()[0]
    assert Decimal(revenue) == sum(expected["USD"], Decimal(0))


def test_spark_bad_row_reported_as_quote_frame_reports_it(spark: Any) -> None:
    import ratecard.spark

    frame = events(2, bad=True)
    engine = ratecard.Engine(CATALOG)
    with pytest.raises(ratecard.EventError) as local:
        engine.quote_frame(frame)
    df = spark.createDataFrame(frame).coalesce(1)
    with pytest.raises(Exception) as remote:
        ratecard.spark.quote(df, CATALOG).collect()
    assert str(local.value) in str(remote.value)
    _, expected = engine.quote_frame(frame, errors="ignore", issues=True)
    got = ratecard.spark.issues(df, CATALOG).toPandas()
    keys = ("row", "severity", "path", "code", "message")
    assert fees(got, keys) == fees(expected, keys)
    assert ("error", "event_type", "missing_field") in {(s, p, c) for s, p, c in zip(got.severity, got.path, got.code)}


def test_spark_refuses_on_the_driver(spark: Any) -> None:
    import ratecard.spark

    df = spark.createDataFrame(events(1))
    with pytest.raises(ratecard.ArgumentError) as info:
        ratecard.spark.quote(df, CATALOG, express_in=["NOPE"])
    assert info.value.issues[0].path == "express_in[0]"
    with pytest.raises(ratecard.CatalogError):
        ratecard.spark.quote(df, {"assets": [], "products": "x"})
    with pytest.raises(TypeError, match="explain"):
        ratecard.spark.quote(df, CATALOG, explain=True)
    # A column the rows' prices need is known only from the rows: refused when they are read.
    with pytest.raises(Exception, match="seconds"):
        ratecard.spark.quote(spark.createDataFrame(events(1).drop(columns=["seconds"])), CATALOG).collect()


def test_dask_equals_quote_frame(dask_client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import ratecard.dask

    frame = events(30)
    expected = ratecard.Engine(CATALOG).quote_frame(frame, express_in=["USD"], errors="ignore")
    one = ratecard.dask.quote(dd.from_pandas(frame, npartitions=1), CATALOG, express_in=["USD"], errors="ignore")
    got = one.compute()
    assert fees(got, KEYS) == fees(expected, KEYS)
    assert list(got.columns) == [*expected.columns, "partition"]
    assert isinstance(got["USD"].iloc[0], Decimal)

    flat = events(30, tiered=False)
    expected = ratecard.Engine(CATALOG).quote_frame(flat, express_in=["USD"], errors="ignore")
    many = ratecard.dask.quote(dd.from_pandas(flat, npartitions=3), str(CATALOG.read_text()), express_in=["USD"],
                               errors="ignore")
    got = many.compute()
    assert fees(got, KEYS[1:]) == fees(expected, KEYS[1:])
    assert sorted(set(got["partition"])) == [0, 1, 2]
    assert many.groupby("product_code")["USD"].sum().compute()["video_studio"] == \
        expected[expected.product_code == "video_studio"]["USD"].sum()


def test_dask_bad_row_reported_as_quote_frame_reports_it(dask_client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import ratecard.dask

    frame = events(2, bad=True)
    engine = ratecard.Engine(CATALOG)
    with pytest.raises(ratecard.EventError) as local:
        engine.quote_frame(frame)
    ddf = dd.from_pandas(frame, npartitions=1)
    with pytest.raises(ratecard.EventError) as remote:
        ratecard.dask.quote(ddf, CATALOG).compute()
    assert str(remote.value) == str(local.value)
    _, expected = engine.quote_frame(frame, errors="ignore", issues=True)
    got = ratecard.dask.issues(ddf, CATALOG).compute()
    keys = ("row", "severity", "path", "code", "message")
    assert fees(got, keys) == fees(expected, keys)


def test_threads_price_frames_in_parallel() -> None:
    """quote_frame releases the GIL: another thread runs Python while a frame is priced."""
    import threading
    import time

    engine = ratecard.Engine(CATALOG)
    frame = pa.Table.from_pandas(events(3000, tiered=False), preserve_index=False)
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        start = time.perf_counter()
        engine.quote_frame(frame, at=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), errors="ignore")
        elapsed = time.perf_counter() - start
    finally:
        done.set()
        counter.join()
    # Holding the GIL throughout would leave the counter at the few ticks of the switch interval.
    assert ticks > 50, (ticks, elapsed)


def test_the_reprice_example_runs(spark: Any, dask_client: Any) -> None:
    import runpy

    example = runpy.run_path(str(ROOT / "examples" / "distributed" / "reprice.py"))
    results = example["main"]("both", 5_000)
    assert set(results) == {"spark", "dask"}
    spark_table, dask_table = results["spark"], results["dask"]
    assert spark_table["change"].to_dict() == dask_table["change"].to_dict()
    assert spark_table.loc["video_studio", "change"] > 0


def _previews(frame: Any) -> List[Tuple[Any, ...]]:
    keys = ("customer_id", "asset", "available", "available_after", "shortfall", "top_up_currency",
            "top_up_amount", "top_up_buys", "covered", "events", "refused")
    return fees(frame.reset_index(drop=True), keys)


def test_previews_per_customer_on_spark_and_dask(spark: Any, dask_client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    from test_wallets import CATALOG as WALLET_CATALOG
    from test_wallets import ROWS as WALLET_ROWS
    from test_wallets import WALLETS

    import ratecard.dask
    import ratecard.spark

    frame = pd.DataFrame(WALLET_ROWS)
    expected = ratecard.Engine(WALLET_CATALOG).preview_frame(frame, WALLETS, now=False)
    assert len(expected) == 2
    on_spark = ratecard.spark.preview(spark.createDataFrame(frame), WALLET_CATALOG, WALLETS, now=False).toPandas()
    assert _previews(on_spark) == _previews(expected)
    on_dask = ratecard.dask.preview(dd.from_pandas(frame, npartitions=2), WALLET_CATALOG, WALLETS, now=False)
    assert _previews(on_dask.compute()) == _previews(expected)
