"""Reprice a month of events under two catalogs, on Spark and on Dask, and compare revenue by
product. The events are the notebook's (examples/notebooks/make_events.py: 100,000 rows over
March 2026); the proposal is the notebook's too (a credit at $0.12, Gen-4 at 10 credits/s).

    python examples/distributed/reprice.py [spark|dask|both] [ROWS]

Needs `pip install 'ratecard[spark,dask]'` and a Java runtime for Spark.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import sys
from decimal import Decimal
from typing import Any, Dict

import pandas as pd

import ratecard

HERE = pathlib.Path(__file__).resolve().parent
NOTEBOOK = HERE.parent / "notebooks"
sys.path.insert(0, str(NOTEBOOK))
from make_events import events  # noqa: E402

TODAY = json.loads((NOTEBOOK / "catalog.json").read_text())
PROPOSAL = copy.deepcopy(TODAY)
PROPOSAL["assets"][0]["rates"][0]["rate"] = "0.12"
PROPOSAL["products"][0]["prices"][0]["pricing"][0]["values"][0]["values"][0]["volume_rate"] = 10
CATALOGS = {"today": TODAY, "proposal": PROPOSAL}


def month(rows: int) -> pd.DataFrame:
    return pd.DataFrame(events(rows))


def on_spark(frame: pd.DataFrame) -> Dict[str, pd.Series]:
    from pyspark.sql import SparkSession

    import ratecard.spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false").getOrCreate())
    df = spark.createDataFrame(frame)
    out = {}
    for name, catalog in CATALOGS.items():
        fees = ratecard.spark.quote(df, catalog, express_in=["USD"])
        rows = fees.groupBy("product_code").sum("USD").collect()
        out[name] = pd.Series({r[0]: Decimal(r[1]) for r in rows}).sort_index()
    return out


def on_dask(frame: pd.DataFrame) -> Dict[str, pd.Series]:
    import dask.dataframe as dd

    import ratecard.dask

    ddf = dd.from_pandas(frame, npartitions=4)
    out = {}
    for name, catalog in CATALOGS.items():
        fees = ratecard.dask.quote(ddf, catalog, express_in=["USD"])
        out[name] = fees.groupby("product_code")["USD"].sum().compute().sort_index()
    return out


def compare(revenue: Dict[str, Any]) -> pd.DataFrame:
    table = pd.DataFrame(revenue)
    table["change"] = table["proposal"] - table["today"]
    return table


def main(which: str = "both", rows: int = 100_000) -> Dict[str, pd.DataFrame]:
    frame = month(rows)
    results = {}
    if which in ("spark", "both"):
        results["spark"] = compare(on_spark(frame))
    if which in ("dask", "both"):
        results["dask"] = compare(on_dask(frame))
    # The same answer, to the cent, as one machine's quote_frame.
    local = {name: ratecard.Engine(c).quote_frame(frame, express_in=["USD"]).groupby("product_code")["USD"].sum()
             for name, c in CATALOGS.items()}
    for where, table in results.items():
        for name in CATALOGS:
            assert table[name].to_dict() == local[name].to_dict(), (where, name)
        print(f"{where}: revenue by product, March 2026 ({rows:,} events)")
        print(table.to_string())
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "both", int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
