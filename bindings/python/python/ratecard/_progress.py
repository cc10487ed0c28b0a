"""``progress=``: how long batches say how far they are.

The Rust half calls the reporter every 65,536 items (and once at the end) with ``(done,
total)``, taking the GIL only for that call. ``progress=True`` draws a tqdm bar when tqdm is
installed, else rewrites one line on stderr; a callable is called as it is.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

from . import _ratecard

Reporter = Callable[[int, int], None]


def reporter(progress: Any, what: str, unit: str) -> Optional[Reporter]:
    """The reporter ``progress=`` asks for, or ``None`` for none."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            return _line(what, unit)
        return _bar(tqdm, what, unit)
    if callable(progress):
        report: Reporter = progress
        return report
    message = f"progress is True, False or a callable (done, total), not {type(progress).__name__}"
    error: Exception = _ratecard._argument_error("progress", "invalid_type", message)
    raise error


def _bar(tqdm: Any, what: str, unit: str) -> Reporter:
    bar = tqdm(desc=what, unit=f" {unit}", unit_scale=True, leave=True)

    def tick(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return tick


def _line(what: str, unit: str) -> Reporter:
    def tick(done: int, total: int) -> None:
        share = 100 * done // total if total else 100
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{what}: {done:,} of {total:,} {unit} ({share}%)" + end)
        sys.stderr.flush()

    return tick
