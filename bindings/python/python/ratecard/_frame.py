"""``Engine.quote_frame``: pricing a whole DataFrame in one call.

Every input crosses as an Arrow C stream (``__arrow_c_stream__``, the PyCapsule protocol that
pyarrow, polars and DuckDB export; pandas through ``pyarrow.Table.from_pandas``), which the Rust
half reads in place, and the results come back the same way: no Python object per row either
way. pyarrow is needed for this path only (it turns the results into a Table); pandas and
polars are used only when the caller passes their frames.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Tuple, Union

from . import _ratecard
from ._errors import ArgumentError
from ._progress import reporter
from ._ratecard import _quote_arrow

if TYPE_CHECKING:
    from . import Engine

# A pandas DataFrame, a polars DataFrame or a pyarrow Table (all optional dependencies, so the
# alias cannot name them without importing them).
Frame = Any

TimeLike = Union[str, _dt.datetime]

def _argument_error(path: str, code: str, message: str) -> ArgumentError:
    """The core's ArgumentError (its summary written by the core) for a column's problem."""
    error: ArgumentError = _ratecard._argument_error(path, code, message)
    return error


def _pyarrow() -> Any:
    try:
        import pyarrow  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("quote_frame needs pyarrow: pip install 'ratecard[arrow]'") from e
    return pyarrow


def _source(frame: Any) -> Tuple[str, Any]:
    """The caller's library, and the frame as an object exporting the Arrow C stream
    (``__arrow_c_stream__``), which the Rust half reads in place."""
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        # pandas exports a stream too, but with its index as a column; without it here.
        return "pandas", _pyarrow().Table.from_pandas(frame, preserve_index=False)
    kind = "polars" if module == "polars" else "arrow"
    if hasattr(frame, "__arrow_c_stream__"):
        return kind, frame
    if hasattr(frame, "__arrow_c_array__"):  # a pyarrow RecordBatch of a version without streams
        pa = _pyarrow()
        return kind, pa.Table.from_batches([pa.record_batch(frame)])
    raise TypeError(
        "quote_frame takes a pandas or polars DataFrame, a pyarrow Table or anything that exports "
        f"an Arrow stream (__arrow_c_stream__, e.g. a DuckDB relation), not {type(frame).__name__}"
    )


def quote_frame(
    engine: Engine,
    frame: Frame,
    *,
    express_in: Optional[Sequence[str]] = None,
    at: Optional[TimeLike] = None,
    products: Optional[Sequence[str]] = None,
    prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
    now: Optional[TimeLike] = None,
    errors: str = "raise",
    issues: bool = False,
    dictionary: Optional[bool] = None,
    progress: Any = False,
    threads: bool = True,
) -> Any:
    if errors not in ("raise", "warn", "ignore"):
        raise _argument_error("errors", "invalid_value", f"errors is 'raise', 'warn' or 'ignore', not {errors!r}")
    kind, source = _source(frame)
    fees, found = _quote_arrow(
        engine,
        source,
        at=at,
        express_in=list(express_in) if express_in is not None else None,
        products=list(products) if products is not None else None,
        prior_usage=prior_usage,
        now=now,
        raise_errors=errors == "raise",
        # pandas' text columns are categoricals unless asked otherwise (as pandas users group
        # by them); Arrow's and polars' are plain utf8, which every engine reads.
        dictionary=kind == "pandas" if dictionary is None else dictionary,
        shared_amounts=kind == "pandas",
        threads=threads,
        progress=reporter(progress, "quote_frame", "rows"),
    )
    notes = _table(found)
    if errors != "ignore" and notes.num_rows > 0:
        _warn(notes)
    out = _library(kind, _table(fees))
    return (out, _library(kind, notes)) if issues else out


def _table(stream: Any) -> Any:
    """A pyarrow Table of an object exporting the Arrow C stream."""
    return _pyarrow().RecordBatchReader.from_stream(stream).read_all()


def _library(kind: str, table: Any) -> Any:
    """An Arrow table as a frame of the caller's library."""
    if kind == "pandas":
        return _pandas(table)
    if kind == "polars":
        import polars

        return polars.from_arrow(table)
    return table


def _pandas(table: Any) -> Any:
    """A pandas DataFrame of an Arrow table, built column by column without a copy where pandas
    allows one (BENCHMARKS.md, "pandas out"; pyarrow's own ``to_pandas`` checks every
    dictionary code twice, which took a third of a 300,000-row frame's conversion).

    - Decimal columns hold ``decimal.Decimal`` objects (exact, and arithmetic on them never
      overflows a precision as Arrow decimals' does). Fees repeat their amounts, so each
      distinct amount is made once and the rows share it (Decimals are immutable): quote_frame
      sends amounts as dictionaries of the distinct fees' for this, and other decimal columns
      are numbered here.
    - Dictionary columns of text are categoricals, their codes Arrow's indices as they are (the
      core wrote them, each in range), their categories pandas' text.
    - Every other column is what pyarrow makes of it."""
    import numpy  # type: ignore[import-untyped,unused-ignore]
    import pandas  # type: ignore[import-untyped,unused-ignore]

    pa = _pyarrow()
    columns = {}
    for name, chunked in zip(table.column_names, table.columns):
        t = chunked.type
        if not pa.types.is_dictionary(t) and not pa.types.is_decimal(t):
            columns[name] = chunked.to_pandas()
            continue
        column = chunked.combine_chunks()
        if not pa.types.is_dictionary(t):
            column = column.dictionary_encode()
        indices = column.indices
        if pa.types.is_decimal(column.type.value_type):
            values = numpy.empty(len(column.dictionary) + 1, dtype=object)
            values[:-1] = column.dictionary.to_pylist()  # the last is a null's
            rows = indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
            columns[name] = pandas.Series(values[rows], dtype=object, copy=False)
            continue
        codes = indices.to_numpy(zero_copy_only=False) if indices.null_count == 0 else indices.fill_null(-1).to_numpy()
        dtype = _categories(column.dictionary, column.type.ordered)
        columns[name] = pandas.Categorical.from_codes(codes, dtype=dtype, validate=False)
    return pandas.DataFrame(columns, copy=False)


def _categories(dictionary: Any, ordered: bool) -> Any:
    """The pandas dtype of a dictionary column's categories. Frames repeat their few product
    codes, price names and currencies, and a dtype costs pandas a uniqueness check each time it
    is made (a tenth of the conversion), so the dtypes of small dictionaries are kept, a few
    hundred at most (pandas dtypes are immutable: frames share them safely)."""
    import pandas  # type: ignore[import-untyped,unused-ignore]

    if len(dictionary) > 64:
        return pandas.CategoricalDtype(dictionary.to_pandas(), ordered=ordered)
    key = (str(dictionary.type), tuple(dictionary.to_pylist()), ordered)
    dtype = _DTYPES.get(key)
    if dtype is None:
        if len(_DTYPES) >= 256:
            _DTYPES.clear()
        dtype = _DTYPES[key] = pandas.CategoricalDtype(dictionary.to_pandas(), ordered=ordered)
    return dtype


_DTYPES: dict[Tuple[str, Tuple[Any, ...], bool], Any] = {}


def _warn(notes: Any) -> None:
    """One :class:`RatecardWarning`: how many rows were left out or warn, by code, and the
    first of each (the rest are in ``issues=True``'s frame)."""
    import warnings

    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    from ._errors import RatecardWarning

    said = []
    for severity, what in (("error", "could not be priced and are left out"), ("warning", "have warnings")):
        picked = notes.filter(pc.equal(notes.column("severity"), severity))
        if picked.num_rows == 0:
            continue
        rows = len(picked.column("row").unique())
        counts = sorted(picked.group_by("code").aggregate([("row", "count")]).to_pylist(), key=lambda c: c["code"])
        codes = ", ".join(f"{c['code']} ×{c['row_count']}" for c in counts)
        first = picked.slice(0, 1).to_pylist()[0]
        said.append(f"{rows} rows {what} ({codes}; first: row {first['row']}: {first['path']}: {first['message']})")
    message = "; ".join(said) + ". Pass issues=True to get every one as a frame."
    warnings.warn(RatecardWarning(message), stacklevel=4)


def preview_frame(engine: Engine, frame: Frame, wallets: Mapping[Any, Any], *, progress: Any = False,
                  threads: bool = True, **options: Any) -> Frame:
    """``Engine.preview_frame``: one preview per customer of a frame of events.

    Rows become events as ``quote_frame`` reads them (``event_type``, ``occurred_at``, every
    other column but ``id`` and ``customer_id`` is data, a null cell an absent key), grouped by
    ``customer_id`` in the order customers first appear, each group previewed against
    ``wallets[customer_id]`` by the core, which reads the frame in place (no Python object per
    row) and answers with one row per customer and account. A bad row or wallet is reported
    with every other one: a row by its position in the frame (``[17].data.seconds``), a wallet
    by its customer (``wallets['c1'].accounts[0].available``)."""
    kind, source = _source(frame)
    previews = _ratecard._preview_arrow(engine, source, wallets, threads=threads,
                                        progress=reporter(progress, "preview_frame", "customers"), **options)
    return _library(kind, _table(previews))
