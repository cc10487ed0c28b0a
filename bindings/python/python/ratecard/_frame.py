"""``Engine.quote_frame``: pricing a whole DataFrame in one call.

Every input is brought to Arrow (pandas and polars convert without a Python object per row),
each column becomes plain little-endian buffers that the Rust half reads in place, and the
result comes back as buffers that become Arrow arrays without copying row by row. pyarrow is
needed for this path only; pandas and polars are used only when the caller passes their frames.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ratecard
from ._errors import ArgumentError
from ._ratecard import _quote_columns

if TYPE_CHECKING:
    from . import Engine

# A pandas DataFrame, a polars DataFrame or a pyarrow Table (all optional dependencies, so the
# alias cannot name them without importing them).
Frame = Any

TimeLike = Union[str, _dt.datetime]

_Column = Tuple[Optional[bytes], Optional[bytes], Any]


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


def _to_arrow(frame: Any) -> Tuple[str, Any]:
    pa = _pyarrow()
    if isinstance(frame, pa.Table):
        return "arrow", frame
    if isinstance(frame, pa.RecordBatch):
        return "arrow", pa.Table.from_batches([frame])
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return "pandas", pa.Table.from_pandas(frame, preserve_index=False)
    if module == "polars":
        return "polars", frame.to_arrow()
    raise TypeError(
        f"quote_frame takes a pandas DataFrame, a polars DataFrame or a pyarrow Table, not {type(frame).__name__}"
    )


def _fixed(arr: Any, width: int) -> bytes:
    """The value buffer of a fixed-width array, from its offset, as bytes."""
    buf = arr.buffers()[1]
    if buf is None or len(arr) == 0:
        return b""
    return bytes(buf.slice(arr.offset * width, len(arr) * width).to_pybytes())


def _is_text(t: Any) -> bool:
    pa = _pyarrow()
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) in ("string_view", "utf8_view"))


def _numbers(t: Any) -> bool:
    """Floats and integers that fit an i64: sent as one buffer of values."""
    pa = _pyarrow()
    return bool(pa.types.is_floating(t) or (pa.types.is_signed_integer(t) and t.bit_width <= 64))


def _mostly_distinct(column: Any) -> bool:
    """Whether a number column's first 4,096 values are more than half distinct (the rule by
    which the core's plan of repeated rows stops looking for them)."""
    return _numbers(column.type) and len(column.slice(0, 4096).unique()) > 2048


def _encode(name: str, column: Any, *, time: bool = False) -> _Column:
    """A column as Arrow's dictionary encoding: each row's index (i32) into the column's
    distinct values, its validity (one byte a row, when it has nulls), and the values. Arrow's
    hash kernel numbers the values, so that each is read (and a time parsed) once, and the Rust
    half finds repeated rows by their indices."""
    pa = _pyarrow()
    if isinstance(column, pa.ChunkedArray) and column.num_chunks == 1:
        column = column.chunk(0)
    elif isinstance(column, pa.ChunkedArray):
        # Chunks may carry different dictionaries: unified first.
        column = column.unify_dictionaries() if pa.types.is_dictionary(column.type) else column
        column = column.combine_chunks()
    if pa.types.is_null(column.type):
        return (None, None, [])
    if not pa.types.is_dictionary(column.type) and _mostly_distinct(column):
        # Numbers that hardly repeat are not worth numbering: each row its own value.
        kind, cast = ("f64", pa.float64()) if pa.types.is_floating(column.type) else ("i64", pa.int64())
        valid = None if column.null_count == 0 else _fixed(column.is_valid().cast(pa.uint8()), 1)
        return (None, valid, (kind, _fixed(column.cast(cast), 8)))
    arr = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    values, t = arr.dictionary, arr.dictionary.type
    if pa.types.is_timestamp(t):
        if t.tz is None:
            raise _argument_error(
                name,
                "invalid_timestamp",
                f"column {name!r} holds naive timestamps (no time zone); "
                "localize it first, e.g. df[col].dt.tz_localize('UTC')",
            )
        values = values.cast(pa.timestamp("us", tz="UTC"))
    elif time and not _is_text(t):
        raise _argument_error(
            name,
            "invalid_type",
            f"column {name!r} must hold RFC 3339 strings or time-zone-aware timestamps, not {t}",
        )
    elif not (_is_text(t) or pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
              or pa.types.is_decimal(t)):
        raise _argument_error(
            name,
            "invalid_type",
            f"column {name!r} has type {t}; event data must be strings, numbers or booleans",
        )
    valid = None if arr.null_count == 0 else _fixed(arr.is_valid().cast(pa.uint8()), 1)
    if _numbers(t):
        # Numbers may be as many as the rows: sent as one buffer rather than a Python object each.
        kind, cast = ("f64", pa.float64()) if pa.types.is_floating(t) else ("i64", pa.int64())
        return (_fixed(arr.indices.cast(pa.int32()), 4), valid, (kind, _fixed(values.cast(cast), 8)))
    return (_fixed(arr.indices.cast(pa.int32()), 4), valid, values.to_pylist())


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
) -> Any:
    if errors not in ("raise", "warn", "ignore"):
        raise _argument_error("errors", "invalid_value", f"errors is 'raise', 'warn' or 'ignore', not {errors!r}")
    pa = _pyarrow()
    kind, table = _to_arrow(frame)
    names: List[str] = list(table.column_names)
    if "event_type" not in names:
        raise _argument_error("event_type", "missing_field", "the frame has no 'event_type' column")
    n = table.num_rows
    event_type = _encode("event_type", table.column("event_type"))
    if not all(isinstance(v, str) for v in event_type[2]):
        raise _argument_error("event_type", "invalid_type", "the 'event_type' column must hold strings")
    occurred = None
    if "occurred_at" in names:
        occurred = _encode("occurred_at", table.column("occurred_at"), time=True)
    reserved = ("event_type", "id", "occurred_at")
    data = [(name, _encode(name, table.column(name))) for name in names if name not in reserved]
    (m, rows, at_us, fees, k, names_, amount, equivalents, found) = _quote_columns(
        engine,
        n,
        event_type,
        occurred,
        data,
        at=at,
        express_in=list(express_in) if express_in is not None else None,
        products=list(products) if products is not None else None,
        prior_usage=prior_usage,
        now=now,
        raise_errors=errors == "raise",
    )
    notes = _issues_table(found)
    if errors != "ignore" and notes.num_rows > 0:
        _warn(notes)

    # One row per fee; each row's fee is an index into the k fees priced (rows that repeat
    # share them), expanded by Arrow's take.
    fee = pa.Array.from_buffers(pa.uint32(), m, [None, pa.py_buffer(fees)])

    def per_fee(type_: Any, payload: bytes) -> Any:
        return pa.Array.from_buffers(type_, k, [None, pa.py_buffer(payload)]).take(fee)

    row_array = pa.Array.from_buffers(pa.int64(), m, [None, pa.py_buffer(rows)])
    columns = {"row": row_array}
    if "id" in names:
        columns["id"] = table.column("id").take(row_array)
    columns["event_type"] = table.column("event_type").take(row_array)
    columns["at"] = pa.Array.from_buffers(pa.timestamp("us", tz="UTC"), m, [None, pa.py_buffer(at_us)])
    for column, (indices, values) in zip(("product_code", "price_name", "currency"), names_):
        columns[column] = pa.DictionaryArray.from_arrays(per_fee(pa.int32(), indices), pa.array(values, pa.string()))
    scale, amounts = amount
    columns["amount"] = per_fee(pa.decimal128(38, scale), amounts)
    for code, eq_scale, payload in equivalents:
        columns[code] = per_fee(pa.decimal128(38, eq_scale), payload)
    out = _library(kind, pa.table(columns))
    return (out, _library(kind, notes)) if issues else out


def _library(kind: str, table: Any) -> Any:
    """An Arrow table as a frame of the caller's library."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars

        return polars.from_arrow(table)
    return table


def _issues_table(found: Tuple[bytes, bytes, List[Tuple[bool, str, str, str]]]) -> Any:
    """The rows' issues, one row each: ``row``, ``severity``, ``path``, ``code`` and
    ``message`` (each row's index into the distinct issues, expanded by Arrow's take)."""
    pa = _pyarrow()
    rows, which, distinct = found
    n = len(rows) // 8
    index = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(which)])
    columns = {"row": pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(rows)])}
    severity = ["error" if d[0] else "warning" for d in distinct]
    for name, values in (("severity", severity), ("path", [d[1] for d in distinct]),
                         ("code", [d[2] for d in distinct]), ("message", [d[3] for d in distinct])):
        columns[name] = pa.array(values, pa.string()).take(index)
    return pa.table(columns)


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


def preview_frame(engine: Engine, frame: Frame, wallets: Mapping[Any, Any], **options: Any) -> Frame:
    """``Engine.preview_frame``: one preview per customer of a frame of events.

    Rows become events as ``quote_frame`` reads them (``event_type``, ``id``, ``occurred_at``,
    every other column but ``customer_id`` is data, a null cell an absent key), grouped by
    ``customer_id`` in the order customers first appear, each group previewed against
    ``wallets[customer_id]`` by the core. A bad row or wallet is reported with every other one:
    a row by its position in the frame (``[17].data.seconds``), a wallet by its customer
    (``wallets['c1'].accounts[0].available``)."""
    from ._errors import RatecardError
    from ._ratecard import Issue

    kind, table = _to_arrow(frame)
    for column in ("customer_id", "event_type"):
        if column not in table.column_names:
            raise _argument_error(column, "missing_field", f"the frame has no {column!r} column")
    if "occurred_at" in table.column_names:
        _encode("occurred_at", table.column("occurred_at"), time=True)  # refuses naive timestamps
    customers: dict[Any, List[Tuple[int, dict[str, Any]]]] = {}
    for row, r in enumerate(table.to_pylist()):
        event = {k: r[k] for k in ("event_type", "id", "occurred_at") if r.get(k) is not None}
        reserved = ("customer_id", "event_type", "id", "occurred_at")
        event["data"] = {k: v for k, v in r.items() if k not in reserved and v is not None}
        customers.setdefault(r["customer_id"], []).append((row, event))
    issues: List[Any] = []
    first: Optional[RatecardError] = None
    previews = []
    for customer, events in customers.items():
        if customer not in wallets:
            message = f"no wallet for customer {customer!r}"
            issues.append(Issue(f"wallets[{customer!r}]", "missing_field", message))
            continue
        try:
            previews.append((customer, engine.preview(wallets[customer], [e for _, e in events], **options)))
        except RatecardError as e:
            first = first or e
            for i in e.issues:
                path = i.path
                if e.code == "invalid_wallet":
                    path = f"wallets[{customer!r}]" + (f".{path}" if path else "")
                elif path.startswith("["):
                    index, rest = path[1:].split("]", 1)
                    path = f"[{events[int(index)][0]}]{rest}"
                issues.append(Issue(path, i.code, i.message))
    if issues:
        error = type(first) if first is not None else ArgumentError
        code = first.code if first is not None else "invalid_argument"
        raise error(f"{len(issues)} problems previewing the frame; the first: {issues[0].path}: {issues[0].message}",
                    code, issues)
    return _library(kind, _preview_table(previews))


def _preview_table(previews: List[Tuple[Any, Any]]) -> Any:
    """One row per customer and account: the balance before and after, the shortfall and the
    top-up that covers it, whether every event was covered, how many there were and were refused."""
    pa = _pyarrow()
    rows = []
    for customer, p in previews:
        refused = sum(1 for e in p.events if e["refused"])
        for account in p.accounts:
            asset = account["asset"]
            top_up = p.top_up.get(asset) or {}
            rows.append({
                "customer_id": customer, "asset": asset, "available": account["available"],
                "available_after": account["available_after"], "shortfall": p.shortfall.get(asset),
                "top_up_currency": top_up.get("currency"), "top_up_amount": top_up.get("amount"),
                "top_up_buys": top_up.get("buys"), "covered": p.covered, "events": len(p.events),
                "refused": refused,
            })
    columns: dict[str, Any] = {}
    for name in ("customer_id", "asset", "available", "available_after", "shortfall", "top_up_currency",
                 "top_up_amount", "top_up_buys", "covered", "events", "refused"):
        values = [r[name] for r in rows]
        if name in ("available", "available_after", "shortfall", "top_up_amount", "top_up_buys"):
            # Exact decimals at the largest scale the column holds (Arrow's decimal128).
            scale = max([-v.as_tuple().exponent for v in values if v is not None] + [0])
            columns[name] = pa.array(values, pa.decimal128(38, scale))
        elif name == "covered":
            columns[name] = pa.array(values, pa.bool_())
        elif name in ("events", "refused"):
            columns[name] = pa.array(values, pa.int64())
        elif name == "customer_id":
            columns[name] = pa.array(values)
        else:
            columns[name] = pa.array(values, pa.string())
    return pa.table(columns)
