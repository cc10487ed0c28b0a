# Type stubs for the native module; `python -m mypy.stubtest ratecard` checks them against it.
import datetime
import decimal
import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

from typing_extensions import disjoint_base, overload

from ._errors import RatecardError

__all__ = [
    "ArrowStream",
    "Capacity",
    "Conversion",
    "Engine",
    "Fee",
    "Issue",
    "Preview",
    "Quote",
    "Report",
    "Step",
    "__version__",
    "_argument_error",
    "_preview_arrow",
    "_problem_json",
    "_quote_arrow",
    "codes",
    "schema_json",
    "validate",
]

__version__: str

_Catalog = Union[Mapping[str, Any], str, bytes, bytearray, os.PathLike[str], Any]
_Time = Union[str, datetime.datetime]
_Number = Union[decimal.Decimal, int, float, str]
_Events = Union[Sequence[Mapping[str, Any]], str, bytes, Any]

@final
class Issue:
    def __new__(cls, path: str, code: str, message: str) -> Issue: ...
    @property
    def path(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    def __getnewargs__(self) -> Tuple[str, str, str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Step:
    @property
    def fee(self) -> Optional[int]: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class Fee:
    @property
    def product_code(self) -> str: ...
    @property
    def price_id(self) -> Optional[str]: ...
    @property
    def price_name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def usage_type(self) -> str: ...
    @property
    def dimensions(self) -> Optional[Dict[str, str]]: ...
    @property
    def volume_field(self) -> Optional[str]: ...
    @property
    def input_volume(self) -> Optional[decimal.Decimal]: ...
    @property
    def unit_price(self) -> Optional[decimal.Decimal]: ...
    @property
    def volume_rate(self) -> Optional[decimal.Decimal]: ...
    @property
    def package_size(self) -> Optional[decimal.Decimal]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def amount(self) -> decimal.Decimal: ...
    @property
    def equivalents(self) -> Dict[str, decimal.Decimal]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Quote:
    @property
    def event_id(self) -> Optional[str]: ...
    @property
    def event_type(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def fees(self) -> List[Fee]: ...
    @property
    def totals(self) -> Dict[str, decimal.Decimal]: ...
    @property
    def equivalents(self) -> Dict[str, decimal.Decimal]: ...
    @property
    def warnings(self) -> List[Issue]: ...
    @property
    def explain(self) -> List[Step]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Conversion:
    @property
    def source(self) -> str: ...
    @property
    def source_amount(self) -> decimal.Decimal: ...
    @property
    def destination(self) -> str: ...
    @property
    def destination_amount(self) -> decimal.Decimal: ...
    @property
    def rate(self) -> decimal.Decimal: ...
    @property
    def inverse_rate(self) -> decimal.Decimal: ...
    @property
    def valid_from(self) -> Optional[datetime.datetime]: ...
    @property
    def rounding(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Report:
    @property
    def valid(self) -> bool: ...
    @property
    def errors(self) -> List[Issue]: ...
    @property
    def warnings(self) -> List[Issue]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_problem_json(self) -> str: ...
    def to_json(self) -> str: ...

@final
class Capacity:
    @property
    def count(self) -> Optional[decimal.Decimal]: ...
    @property
    def volume(self) -> Optional[Dict[str, Any]]: ...
    @property
    def balance(self) -> Dict[str, decimal.Decimal]: ...
    @property
    def quote(self) -> Dict[str, Any]: ...
    @property
    def warnings(self) -> List[Issue]: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def amount(self) -> Optional[decimal.Decimal]: ...
    @property
    def asset(self) -> Optional[str]: ...
    @property
    def units(self) -> Optional[decimal.Decimal]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Preview:
    @property
    def covered(self) -> bool: ...
    @property
    def accounts(self) -> List[Dict[str, Any]]: ...
    @property
    def shortfall(self) -> Dict[str, decimal.Decimal]: ...
    @property
    def top_up(self) -> Dict[str, Dict[str, Any]]: ...
    @property
    def events(self) -> List[Dict[str, Any]]: ...
    @property
    def auto_top_ups(self) -> List[Dict[str, Any]]: ...
    @property
    def warnings(self) -> List[Issue]: ...
    @property
    def explain(self) -> List[Step]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

@disjoint_base
class Engine:
    def __new__(cls, catalog: _Catalog, *, strict: bool = False) -> Engine: ...
    @property
    def warnings(self) -> List[Issue]: ...
    def quote(
        self,
        event: Union[Mapping[str, Any], str, bytes],
        *,
        at: Optional[_Time] = None,
        express_in: Optional[Sequence[str]] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        explain: Optional[bool] = None,
        now: Union[_Time, Literal[False], None] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Quote: ...
    @overload
    def quote_many(
        self,
        events: _Events,
        *,
        at: Optional[_Time] = None,
        express_in: Optional[Sequence[str]] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        explain: Optional[bool] = None,
        now: Union[_Time, Literal[False], None] = None,
        options: Optional[Mapping[str, Any]] = None,
        on_error: Optional[Literal["raise"]] = None,
        progress: Union[bool, Callable[[int, int], Any], None] = None,
    ) -> List[Quote]: ...
    @overload
    def quote_many(
        self,
        events: _Events,
        *,
        at: Optional[_Time] = None,
        express_in: Optional[Sequence[str]] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        explain: Optional[bool] = None,
        now: Union[_Time, Literal[False], None] = None,
        options: Optional[Mapping[str, Any]] = None,
        on_error: Literal["return"],
        progress: Union[bool, Callable[[int, int], Any], None] = None,
    ) -> List[Union[Quote, RatecardError]]: ...
    def preview(
        self,
        wallet: _Catalog,
        events: _Events,
        *,
        at: Optional[_Time] = None,
        express_in: Optional[Sequence[str]] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        explain: Optional[bool] = None,
        now: Union[_Time, Literal[False], None] = None,
        overdraft: Union[Literal["allow", "refuse"], Mapping[str, _Number], None] = None,
        min_top_up: Optional[Mapping[str, _Number]] = None,
        top_up_currency: Union[str, Mapping[str, str], None] = None,
        auto_top_up: Optional[Mapping[str, Mapping[str, Any]]] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Preview: ...
    def entitlements(
        self, product: str, *, at: Optional[_Time] = None, until: Optional[_Time] = None
    ) -> Dict[str, Any]: ...
    def affordable(
        self,
        wallet: _Catalog,
        event: Union[Mapping[str, Any], str, bytes],
        *,
        at: Optional[_Time] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        now: Union[_Time, Literal[False], None] = None,
        volume_step: Optional[_Number] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Capacity: ...
    def buys(
        self,
        amount: _Number,
        currency: str,
        event: Union[Mapping[str, Any], str, bytes],
        *,
        at: Optional[_Time] = None,
        products: Optional[Sequence[str]] = None,
        prior_usage: Optional[Mapping[str, Mapping[str, _Number]]] = None,
        now: Union[_Time, Literal[False], None] = None,
        volume_step: Optional[_Number] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Capacity: ...
    def convert(
        self, amount: _Number, from_asset: str, to_asset: str, *, at: Optional[_Time] = None
    ) -> Conversion: ...
    def format(self, amount: _Number, asset: str) -> str: ...

def validate(catalog: _Catalog, *, strict: bool = False, examples: Optional[_Events] = None) -> Report: ...
def schema_json() -> str: ...
def codes() -> List[Tuple[str, str]]: ...
def _argument_error(path: str, code: str, message: str) -> Any: ...
def _problem_json(issues: Sequence[Issue]) -> str: ...
def _quote_arrow(
    engine: Engine,
    source: Any,
    *,
    at: Optional[_Time] = None,
    express_in: Optional[Sequence[str]] = None,
    products: Optional[Sequence[str]] = None,
    prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
    now: Union[_Time, Literal[False], None] = None,
    raise_errors: bool = True,
    dictionary: bool = False,
    shared_amounts: bool = False,
    threads: bool = True,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Tuple[ArrowStream, ArrowStream]: ...

def _preview_arrow(
    engine: Engine,
    source: Any,
    wallets: Mapping[Any, Any],
    *,
    progress: Optional[Callable[[int, int], Any]] = None,
    threads: bool = True,
    at: Optional[_Time] = None,
    express_in: Optional[Sequence[str]] = None,
    products: Optional[Sequence[str]] = None,
    prior_usage: Optional[Mapping[str, Mapping[str, Any]]] = None,
    explain: Optional[bool] = None,
    now: Union[_Time, Literal[False], None] = None,
    overdraft: Any = None,
    min_top_up: Optional[Mapping[str, Any]] = None,
    top_up_currency: Any = None,
    auto_top_up: Optional[Mapping[str, Mapping[str, Any]]] = None,
    options: Optional[Mapping[str, Any]] = None,
) -> ArrowStream: ...

@final
class ArrowStream:
    """A table that exports itself through the Arrow PyCapsule protocol."""
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
