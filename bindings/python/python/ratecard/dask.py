"""``ratecard.dask``: ``quote_frame`` over a Dask DataFrame, one partition at a time.

>>> fees = ratecard.dask.quote(events, catalog, express_in=["USD"])   # doctest: +SKIP
>>> fees.groupby("product_code")["USD"].sum().compute()              # doctest: +SKIP

``map_partitions`` with the result's ``meta`` computed from an empty frame of the input's, so
Dask knows the columns and dtypes without pricing anything. Pricing releases the GIL, so the
threaded scheduler uses every core, and a distributed cluster's workers each build their Engine
once (the catalog travels as text).
"""

from __future__ import annotations

from typing import Any, Optional

from . import _remote

__all__ = ["issues", "preview", "quote"]


def quote(ddf: Any, catalog: Any, **options: Any) -> Any:
    """The fees of every row of ``ddf`` (a Dask DataFrame): ``quote_frame``'s columns in
    pandas, with ``row`` the event's position within its partition and ``partition`` the
    partition's index. ``catalog`` is a dict, JSON text or a path; ``options`` are
    ``quote_frame``'s (``express_in``, ``at``, ``products``, ``prior_usage``, ``now``,
    ``errors``). Each partition is one batch: tier usage accumulates within it."""
    return _map(ddf, catalog, _remote.options(options), issues=False)


def issues(ddf: Any, catalog: Any, **options: Any) -> Any:
    """The rows' issues (``row``, ``severity``, ``path``, ``code``, ``message``, ``partition``),
    as ``quote_frame(..., issues=True)`` lists them; each partition priced again."""
    given = _remote.options(options)
    given.setdefault("errors", "ignore")
    return _map(ddf, catalog, given, issues=True)


def _map(ddf: Any, catalog: Any, options: dict[str, Any], *, issues: bool) -> Any:
    text = _remote.catalog_text(catalog)
    meta = _partition(ddf._meta, text, options, issues, None)
    return ddf.map_partitions(_partition, text, options, issues, meta=meta, align_dataframes=False)


def _partition(frame: Any, text: str, options: dict[str, Any], issues: bool,
               partition_info: Optional[dict[str, Any]] = None) -> Any:
    fees, found = _remote.engine(text).quote_frame(frame, issues=True, threads=False, **options)
    out = found if issues else fees
    number = partition_info["number"] if partition_info is not None else 0
    out["partition"] = number
    out["partition"] = out["partition"].astype("int32")
    return out


def preview(ddf: Any, catalog: Any, wallets: Any, **options: Any) -> Any:
    """One wallet preview per customer: ``preview_frame``'s table, each customer's rows grouped
    (``groupby("customer_id").apply``, which moves a customer's rows into one partition) and
    previewed against ``wallets[customer_id]``; ``options`` are ``preview``'s. Amounts are
    ``Decimal`` objects."""
    import pandas  # type: ignore[import-untyped,unused-ignore]

    text = _remote.catalog_text(catalog)
    _remote.engine(text)  # the catalog checked here, before anything is computed
    given = dict(wallets.items())
    amount = {c: pandas.Series([], dtype=object) for c in _remote.AMOUNTS}
    meta = pandas.DataFrame({
        "customer_id": pandas.Series([], dtype=ddf._meta["customer_id"].dtype),
        "asset": pandas.Series([], dtype=object),
        "available": amount["available"], "available_after": amount["available_after"],
        "shortfall": amount["shortfall"], "top_up_currency": pandas.Series([], dtype=object),
        "top_up_amount": amount["top_up_amount"], "top_up_buys": amount["top_up_buys"],
        "covered": pandas.Series([], dtype=bool), "events": pandas.Series([], dtype="int64"),
        "refused": pandas.Series([], dtype="int64"),
    })
    return ddf.groupby("customer_id").apply(_preview, text, given, options, meta=meta)


def _preview(frame: Any, text: str, wallets: Any, options: dict[str, Any]) -> Any:
    if "customer_id" not in frame:  # pandas 3 leaves the key out of the group; its name says it
        frame = frame.assign(customer_id=frame.name)
    out = _remote.engine(text).preview_frame(frame.reset_index(drop=True), wallets, threads=False, **options)
    return out.astype({"asset": object, "top_up_currency": object})
