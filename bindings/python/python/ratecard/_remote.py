"""What ``ratecard.spark`` and ``ratecard.dask`` share: the catalog as text (it travels to the
workers with the task, not as an Engine, which does not pickle) and one Engine per worker
process and catalog, built on the first partition it prices."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any, Dict, Mapping

from . import Engine

_ENGINES: Dict[str, Engine] = {}
_LOCK = threading.Lock()

# quote_frame's keywords that a distributed quote passes on to each partition.
OPTIONS = ("express_in", "at", "products", "prior_usage", "now", "errors")


def catalog_text(catalog: Any) -> str:
    """A catalog (a dict, JSON text or bytes, or a path to a JSON file) as JSON text."""
    if isinstance(catalog, Mapping):
        return json.dumps(catalog)
    if isinstance(catalog, (bytes, bytearray)):
        return bytes(catalog).decode("utf-8")
    if isinstance(catalog, os.PathLike):
        with open(catalog, encoding="utf-8") as f:
            return f.read()
    if isinstance(catalog, str):
        return catalog
    raise TypeError(f"catalog is a dict, JSON text or a path, not {type(catalog).__name__}")


def engine(text: str) -> Engine:
    """This process's Engine for a catalog's text, built once."""
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with _LOCK:
        found = _ENGINES.get(key)
        if found is None:
            found = _ENGINES[key] = Engine(text)
        return found


def options(given: Mapping[str, Any]) -> Dict[str, Any]:
    """The keywords, checked: only quote_frame's that make sense on a partition."""
    unknown = sorted(set(given) - set(OPTIONS))
    if unknown:
        raise TypeError(f"unexpected keyword {unknown[0]!r}; a distributed quote takes {', '.join(OPTIONS)}")
    return dict(given)


# preview_frame's amount columns.
AMOUNTS = ("available", "available_after", "shortfall", "top_up_amount", "top_up_buys")


def largest_precision(text: str) -> int:
    """The most decimal places an amount of the catalog can have: its assets' precisions, and 3
    for fiat (ISO 4217's largest minor unit)."""
    assets = json.loads(text).get("assets") or []
    return max([int(a.get("precision", 0)) for a in assets if isinstance(a, dict)] + [3])


def at_scale(frame: Any, scale: int) -> Any:
    """A preview table's amounts checked to fit ``scale`` places (an engine that reads a fixed
    decimal type would otherwise round them): a ValueError names the first that does not."""
    for column in AMOUNTS:
        for value in frame[column]:
            if value is not None and value == value and -value.normalize().as_tuple().exponent > scale:
                raise ValueError(f"{column} {value} has more than {scale} decimal places")
    return frame
