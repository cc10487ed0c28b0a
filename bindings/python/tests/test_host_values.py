"""Python's own values as a Python user passes them: numpy integers, dates, path objects, and
strings that hold no text; each read exactly or refused with a code and a path, never a raw
Python exception from inside ratecard."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from decimal import Decimal
from typing import Any, Dict

import pytest

import ratecard
from conftest import ROOT

CATALOG = ROOT / "examples" / "catalog.json"
AT = "2026-03-01T10:00:00Z"


def video(seconds: Any, **extra: Any) -> Dict[str, Any]:
    return {"event_type": "video_generated", "occurred_at": AT, "data": {"model": "gen4", "seconds": seconds}, **extra}


@pytest.fixture(scope="module")
def engine() -> ratecard.Engine:
    return ratecard.Engine(CATALOG)


def test_numpy_integers_are_exact_like_ints(engine: ratecard.Engine) -> None:
    np = pytest.importorskip("numpy")
    for value in (np.int64(4), np.int32(4), np.uint64(4), np.int8(4)):
        assert engine.quote(video(value)).to_json() == engine.quote(video(4)).to_json(), type(value)
    assert engine.convert(np.int64(2), "USD", "CREDIT", at=AT).source_amount == Decimal("2.00")
    huge = np.uint64(2**64 - 1)
    assert engine.quote(video(huge)).fees[0].input_volume == Decimal(2**64 - 1)


def test_a_date_is_its_midnight_utc(engine: ratecard.Engine) -> None:
    day = dt.date(2026, 3, 1)
    midnight = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    assert engine.quote(video(4), at=day).at == midnight
    q = engine.quote({"event_type": "video_generated", "occurred_at": day, "data": {"seconds": 1}})
    assert q.at == midnight
    by_day, by_midnight = (engine.convert(1, "USD", "CREDIT", at=t).to_dict() for t in (day, midnight))
    assert by_day == by_midnight


def test_paths_read_as_files_and_a_file_name_as_text_says_so(engine: ratecard.Engine, tmp_path: pathlib.Path) -> None:
    events = json.loads((ROOT / "examples" / "events.json").read_text())
    file = tmp_path / "events.json"
    file.write_text(json.dumps(events))
    by_path = [q.to_json() for q in engine.quote_many(file, now=False)]
    assert by_path == [q.to_json() for q in engine.quote_many(events, now=False)]
    with pytest.raises(ratecard.InvalidJsonError) as info:
        ratecard.Engine(str(CATALOG))
    assert "looks like a file name" in info.value.issues[0].message
    with pytest.raises(OSError):
        engine.quote_many(tmp_path / "missing.json")


def test_strings_without_text_are_invalid_json_with_a_path(engine: ratecard.Engine) -> None:
    lone = json.loads('"\\ud800"')  # what json.loads makes of a lone surrogate escape
    report = None
    with pytest.raises(ratecard.InvalidJsonError) as info:
        report = ratecard.validate({"assets": [{"code": lone}]})
    assert report is None and info.value.issues[0].path == "assets[0].code"
    with pytest.raises(ratecard.InvalidJsonError):
        ratecard.Engine(lone)
    with pytest.raises(ratecard.EventError) as bad:
        engine.quote(video(4) | {"data": {"model": lone, "seconds": 4}})
    assert [(i.path, i.code) for i in bad.value.issues] == [("data.model", "invalid_type")]
    with pytest.raises(ratecard.InvalidJsonError) as info:
        engine.quote({"event_type": lone})
    assert info.value.issues[0].path == "event_type"
    with pytest.raises(ratecard.ArgumentError) as arg:
        engine.quote(video(4), express_in=[lone])
    assert arg.value.issues[0].path == "express_in[0]"
    with pytest.raises(ratecard.ArgumentError):
        engine.convert(lone, "USD", "CREDIT", at=AT)
