"""ratecard: exact, offline quotes for usage-based prices in custom assets and fiat.

>>> import ratecard
>>> engine = ratecard.Engine(pathlib.Path("catalog.json"))          # doctest: +SKIP
>>> quote = engine.quote({"event_type": "image_generated", "data": {"model": "gli-1-0"}},
...                      express_in=["USD"])                         # doctest: +SKIP
>>> quote.fees[0].amount, quote.equivalents["USD"]                   # doctest: +SKIP
(Decimal('0.05'), Decimal('0.05'))

Every amount is a :class:`decimal.Decimal` at its asset's scale; pricing happens in the Rust
core, the same one behind the WASM, Node and command-line faces.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

from . import _frame
from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    CatalogError,
    DecimalOverflowError,
    EventError,
    InternalError,
    InvalidJsonError,
    NoRateError,
    RatecardError,
    RatecardWarning,
    WalletError,
)
from ._ratecard import (
    Capacity,
    Conversion,
    Fee,
    Issue,
    Preview,
    Quote,
    Report,
    Step,
    __version__,
    codes,
    schema_json,
    validate,
)
from ._ratecard import Engine as _Engine

if TYPE_CHECKING:
    from ._frame import Frame, TimeLike

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "Capacity",
    "CatalogError",
    "Conversion",
    "DecimalOverflowError",
    "Engine",
    "EventError",
    "Fee",
    "InternalError",
    "InvalidJsonError",
    "Issue",
    "NoRateError",
    "Preview",
    "Quote",
    "RatecardError",
    "RatecardWarning",
    "Report",
    "Step",
    "WalletError",
    "__version__",
    "codes",
    "schema",
    "schema_json",
    "validate",
]


class Engine(_Engine):
    """A validated, indexed catalog: build it once, quote as often as you like.

    ``Engine(catalog)`` takes a dict, JSON text (``str`` or ``bytes``) or a path
    (``pathlib.Path``) to a JSON file, and raises :class:`CatalogError` (a ``ValueError``)
    carrying every issue when the catalog is invalid.
    """

    __slots__ = ()

    @overload
    def quote_frame(
        self,
        frame: Frame,
        *,
        express_in: Optional[Sequence[str]] = None,
        at: Optional[TimeLike] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
        now: Optional[TimeLike] = None,
        errors: Literal["raise", "warn", "ignore"] = "raise",
        issues: Literal[False] = False,
        dictionary: Optional[bool] = None,
        progress: Union[bool, Callable[[int, int], Any]] = False,
        threads: bool = True,
    ) -> Frame: ...

    @overload
    def quote_frame(
        self,
        frame: Frame,
        *,
        express_in: Optional[Sequence[str]] = None,
        at: Optional[TimeLike] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
        now: Optional[TimeLike] = None,
        errors: Literal["raise", "warn", "ignore"] = "raise",
        issues: Literal[True],
        dictionary: Optional[bool] = None,
        progress: Union[bool, Callable[[int, int], Any]] = False,
        threads: bool = True,
    ) -> Tuple[Frame, Frame]: ...

    def quote_frame(
        self,
        frame: Frame,
        *,
        express_in: Optional[Sequence[str]] = None,
        at: Optional[TimeLike] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
        now: Optional[TimeLike] = None,
        errors: Literal["raise", "warn", "ignore"] = "raise",
        issues: bool = False,
        dictionary: Optional[bool] = None,
        progress: Union[bool, Callable[[int, int], Any]] = False,
        threads: bool = True,
    ) -> Union[Frame, Tuple[Frame, Frame]]:
        """Prices every row of a pandas or polars DataFrame or a pyarrow Table.

        Input columns: ``event_type`` (required), ``id`` and ``occurred_at``, and every other
        column is the event's ``data`` (a null cell is an absent key). A frame without
        ``occurred_at`` needs ``at=`` or ``now=``, and one without a column that a price of its
        event types reads as its volume is refused (the error names the columns it likely
        meant). The result is a frame of the same library with one row per fee: ``row`` (the
        event's position), ``id`` (when the input has one), ``event_type``, ``at``,
        ``product_code``, ``price_name``, ``currency``, ``amount`` and one column per
        ``express_in`` asset, named by its code. Amounts are Arrow ``decimal128(38, s)``:
        ``amount`` at the largest precision of any asset the catalog prices in, each
        ``express_in`` column at its asset's precision. Tier usage accumulates down the frame,
        as in :meth:`quote_many`.

        ``errors``: a row that cannot be priced raises (``"raise"``, with every bad row's
        issues), or is left out with a :class:`RatecardWarning` (``"warn"``) or without one
        (``"ignore"``). Rows whose quotes warn (no price matched, a missing volume) are said in
        a :class:`RatecardWarning` unless ``errors="ignore"``. ``issues=True`` returns
        ``(fees, issues)``: ``issues`` has one row per issue, ``row``, ``severity``
        (``"error"``: not priced; ``"warning"``), ``path``, ``code`` and ``message``.

        Any object that exports an Arrow stream (``__arrow_c_stream__``: a DuckDB relation, a
        polars frame) is read in place and answered with a pyarrow Table. Text columns come
        back as plain ``utf8`` (what Spark and every other engine read), and as categoricals in
        pandas; ``dictionary=True`` or ``False`` asks for dictionary-encoded text or plain text
        in every library. The GIL is released while rows are priced, so threads price frames in
        parallel, and a second thread helps read and write a frame's columns unless
        ``threads=False`` (for callers that already price frames in parallel, as
        ``ratecard.spark`` and ``ratecard.dask`` do). ``progress=True`` shows a tqdm bar (a line
        on stderr without tqdm); a callable is called with ``(done, total)`` rows.
        """
        return _frame.quote_frame(
            self,
            frame,
            express_in=express_in,
            at=at,
            products=products,
            prior_usage=prior_usage,
            now=now,
            errors=errors,
            issues=issues,
            dictionary=dictionary,
            progress=progress,
            threads=threads,
        )

    def preview_frame(self, frame: Frame, wallets: Mapping[Any, Any], *,
                      progress: Union[bool, Callable[[int, int], Any]] = False, threads: bool = True,
                      **options: Any) -> Frame:
        """Previews many customers at once: a frame of events with a ``customer_id`` column
        (pandas, polars or pyarrow) against ``wallets``, a mapping from customer id to wallet
        (the billing API's wallet JSON, as :meth:`preview` takes it).

        Returns a frame of the same library with one row per customer and account:
        ``customer_id``, ``asset``, ``available``, ``available_after``, ``shortfall`` and the
        ``top_up_currency`` / ``top_up_amount`` / ``top_up_buys`` that cover it (null when
        nothing is short), ``covered``, ``events`` and ``refused`` (how many events the
        customer had, and how many were refused). Amounts are Arrow ``decimal128(38, s)``.
        ``options`` are :meth:`preview`'s keywords (``at``, ``overdraft``, ``min_top_up``, ...).
        Every bad row (by its position) and every missing or bad wallet (by its customer) is
        reported in one error. ``progress=True`` shows how many customers are done (a tqdm bar,
        or a line on stderr); a callable is called with ``(done, total)``. The core reads the frame
        in place, as :meth:`quote_frame` does (its columns numbered on a second thread unless
        ``threads=False``), and refuses a frame that lacks a column its prices need.
        """
        return _frame.preview_frame(self, frame, wallets, progress=progress, threads=threads, **options)


def schema() -> Dict[str, Any]:
    """The catalog's JSON Schema (draft 2020-12), as a dict."""
    result: Dict[str, Any] = json.loads(schema_json())
    return result
