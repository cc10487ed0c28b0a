"""The ratecard exception hierarchy.

Every error ratecard raises is a :class:`RatecardError` with a stable ``code`` (``invalid_catalog``,
``invalid_event``, ...) and ``issues``: each an :class:`~ratecard.Issue` with ``path`` (where in the
input), ``code`` (a stable snake_case identifier) and ``message`` (a sentence for a person).
Errors about bad input are also ``ValueError``s, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

if TYPE_CHECKING:
    from ._ratecard import Issue

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "CatalogError",
    "DecimalOverflowError",
    "EventError",
    "InternalError",
    "InvalidJsonError",
    "NoRateError",
    "RatecardError",
    "RatecardWarning",
    "WalletError",
]


class RatecardError(Exception):
    """Base class of every ratecard error."""

    code: str
    message: str
    issues: List[Issue]

    def __init__(self, message: str, code: str = "internal", issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.issues = list(issues)

    def __reduce__(self) -> Any:
        return (type(self), (self.message, self.code, self.issues))

    def to_dict(self) -> Dict[str, Any]:
        """``{code, message, issues: [{path, code, message}]}``, as every runtime writes it."""
        return {
            "code": self.code,
            "message": self.message,
            "issues": [i.to_dict() for i in self.issues],
        }

    def to_problem(self) -> Dict[str, Any]:
        """The billing API's ValidationProblem shape (HTTP 422): ``errors: {path: [message]}``,
        as the core builds it."""
        from ._ratecard import _problem_json

        problem: Dict[str, Any] = json.loads(_problem_json(self.issues))
        return problem

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


class InvalidJsonError(RatecardError, ValueError):
    """The input is not JSON at all (or a Python value that JSON cannot hold)."""


class CatalogError(RatecardError, ValueError):
    """The catalog has errors; ``issues`` lists every one of them."""


class EventError(RatecardError, ValueError):
    """An event, or a batch of events, is malformed; paths of a batch start with ``[index]``."""


class WalletError(RatecardError, ValueError):
    """The wallet of a preview has errors (code ``invalid_wallet``); ``issues`` lists every one,
    with paths such as ``accounts[0].grants[2].expires_at``."""


class ArgumentError(RatecardError, ValueError):
    """Options, an amount, a time or an asset code passed to an operation are wrong."""


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong Python type (its issues' code is ``invalid_type``): also a
    ``TypeError``, as Python users expect of one."""


class NoRateError(RatecardError, LookupError):
    """No rate connects two assets at the instant asked."""


class DecimalOverflowError(RatecardError, ArithmeticError):
    """A result does not fit in a decimal (28 significant digits)."""


class InternalError(RatecardError):
    """A bug in ratecard (code ``internal``): please report it with the input."""


class RatecardWarning(UserWarning):
    """Rows of a frame that ``quote_frame`` could not price, or whose quotes warn (no price
    matched, a missing volume, priced at the current time): said, never silently dropped.
    ``quote_frame(..., issues=True)`` returns every one of them as a frame."""
