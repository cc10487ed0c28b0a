"""``ratecard.spark``: ``quote_frame`` over a Spark DataFrame, priced on the executors.

>>> fees = ratecard.spark.quote(events_df, catalog, express_in=["USD"])   # doctest: +SKIP
>>> fees.groupBy("product_code").sum("USD").show()                       # doctest: +SKIP

Each partition is priced with ``mapInArrow`` against an explicit schema: its Arrow batches go
to ``quote_frame`` as one table (read in place, priced with the GIL released) and its fees come
back as Arrow. The catalog travels with the task as text; each Python worker process builds its
Engine once and keeps it. Needs pyspark (3.5 or newer) and a Java runtime.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import _remote
from ._frame import _pyarrow

__all__ = ["issues", "preview", "quote"]


def quote(df: Any, catalog: Any, **options: Any) -> Any:
    """The fees of every row of ``df`` (a Spark DataFrame): ``quote_frame``'s columns, with
    ``row`` the event's position within its partition and ``partition`` the partition's index.

    ``catalog`` is a dict, JSON text or a path; ``options`` are ``quote_frame``'s
    (``express_in``, ``at``, ``products``, ``prior_usage``, ``now``, ``errors``). The catalog,
    the options and the columns' types are checked on the driver before any task runs.
    Each partition is one batch: tier usage accumulates within it, in its row order.
    """
    return _map(df, catalog, _remote.options(options), issues=False)


def issues(df: Any, catalog: Any, **options: Any) -> Any:
    """The rows' issues, as ``quote_frame(..., issues=True)`` lists them (``row``,
    ``severity``, ``path``, ``code``, ``message``) with ``partition``: each partition priced
    again, so ask for it when ``quote`` warned or with ``errors="warn"``."""
    given = _remote.options(options)
    given.setdefault("errors", "ignore")
    return _map(df, catalog, given, issues=True)


def _map(df: Any, catalog: Any, options: dict[str, Any], *, issues: bool) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    pa = _pyarrow()
    text = _remote.catalog_text(catalog)
    try:  # pyspark 4 asks for the zone of timestamps; 3.5 writes them in UTC
        source = to_arrow_schema(df.schema, timezone="UTC")
    except TypeError:
        source = to_arrow_schema(df.schema)
    # The output's schema, from an empty frame of the input's: this also checks the catalog,
    # the options and the columns' types here, before any executor starts.
    empty = pa.Table.from_batches([], schema=source)
    fees, found = _remote.engine(text).quote_frame(empty, issues=True, threads=False, **options)
    out = found if issues else fees
    schema = out.schema.append(pa.field("partition", pa.int32(), nullable=False))

    def price(batches: Iterator[Any]) -> Iterator[Any]:
        from pyspark import TaskContext

        given = list(batches)
        if not given:
            return
        table = pa.Table.from_batches(given)
        fees, found = _remote.engine(text).quote_frame(table, issues=True, threads=False, **options)
        result = found if issues else fees
        context = TaskContext.get()
        number = context.partitionId() if context is not None else 0
        result = result.append_column("partition", pa.repeat(pa.scalar(number, pa.int32()), result.num_rows))
        # The declared schema's types (the same but where an input's id type differs in kind).
        yield from (result if result.schema.equals(schema) else result.cast(schema)).to_batches()

    return df.mapInArrow(price, from_arrow_schema(schema))


def preview(df: Any, catalog: Any, wallets: Any, **options: Any) -> Any:
    """One wallet preview per customer: ``preview_frame``'s table (``customer_id``, ``asset``,
    ``available``, ``available_after``, ``shortfall``, ``top_up_currency``, ``top_up_amount``,
    ``top_up_buys``, ``covered``, ``events``, ``refused``), each customer's rows grouped on an
    executor (``groupBy("customer_id").applyInPandas``) and previewed against
    ``wallets[customer_id]``. ``wallets`` (a mapping of customer id to wallet JSON) travels with
    the task; ``options`` are ``preview``'s. Amounts are ``decimal(38, s)``, ``s`` the largest
    precision of the catalog's assets; an amount with more places fails the task rather than be
    rounded."""
    from pyspark.sql.types import (
        BooleanType,
        DecimalType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    text = _remote.catalog_text(catalog)
    _remote.engine(text)  # the catalog checked here, on the driver
    scale = _remote.largest_precision(text)
    given = {k: v for k, v in wallets.items()}
    amount = DecimalType(38, scale)
    customer = df.schema["customer_id"].dataType
    schema = StructType([
        StructField("customer_id", customer), StructField("asset", StringType()),
        StructField("available", amount), StructField("available_after", amount),
        StructField("shortfall", amount), StructField("top_up_currency", StringType()),
        StructField("top_up_amount", amount), StructField("top_up_buys", amount),
        StructField("covered", BooleanType()), StructField("events", LongType()),
        StructField("refused", LongType()),
    ])

    def one(frame: Any) -> Any:
        out = _remote.engine(text).preview_frame(frame, given, threads=False, **options)
        return _remote.at_scale(out, scale)

    return df.groupBy("customer_id").applyInPandas(one, schema)
