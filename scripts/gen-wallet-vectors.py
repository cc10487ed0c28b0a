#!/usr/bin/env python3
"""Writes tests/vectors/preview.json: the vectors of wallet previews, `affordable`, `buys` and
`entitlements`, the three worked examples of the billing API's wallet documentation among them.

Each vector's expected output is written here by hand from the rules in docs/rules.md
("Wallets and previews"), never by running ratecard: the catalog and wallets are small enough
to work each answer out (the descriptions say how). Rust, WebAssembly, Python and Node run them.

    python3 scripts/gen-wallet-vectors.py           # rewrite the file
    python3 scripts/gen-wallet-vectors.py --check   # fail when the file is not what this writes
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vector_files import write_or_check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "vectors" / "preview.json"
# The one catalog of these vectors, written beside them (a vector names it by `catalog_file`).
CATALOG = ROOT / "tests" / "catalogs" / "wallets.json"


def price(name, event_type, usage_type, asset, values, volume_field=None):
    uc = {"event_type": event_type, "usage_type": usage_type}
    if volume_field:
        uc["volume_field"] = volume_field
    return {
        "name": name,
        "type": "usage_based",
        "billing_model": {"type": "real_time"},
        "usage_calculation": uc,
        "pricing": [{"asset": asset, "values": values}],
    }


CAT = {
    "assets": [
        {"code": "CREDIT", "name": "Credits", "precision": 0, "rates": [{"source": "USD", "rate": "0.05"}]},
        {"code": "VIDGENMIN", "name": "Video minutes", "precision": 2, "rates": [{"source": "USD", "rate": "0.10"}]},
        {"code": "CR3", "name": "Thirds", "precision": 0, "rates": [{"source": "USD", "inverse_rate": 3}]},
        {
            "code": "SCHED",
            "name": "Scheduled",
            "precision": 0,
            "rates": [
                {"source": "USD", "rate": "0.05", "valid_to": "2026-03-10T18:00:00Z"},
                {"source": "USD", "rate": "0.10", "valid_from": "2026-03-10T18:00:00Z"},
            ],
        },
        {"code": "CR3C", "name": "Thirds in cents", "precision": 2, "rates": [{"source": "USD", "inverse_rate": 3}]},
        {
            "code": "TOKEN",
            "name": "Tokens",
            "precision": 0,
            "rates": [{"source": "USD", "rate": "0.01"}, {"source": "EUR", "rate": "0.01"}],
        },
    ],
    "products": [
        {
            "name": "Video",
            "code": "video",
            "prices": [price("Video seconds", "video_generated", "volume", "CREDIT", [{"volume_rate": 12}], "seconds")],
        },
        {
            "name": "Images",
            "code": "images",
            "prices": [price("Image", "image_generated", "unit", "CREDIT", [{"unit_price": 5}])],
        },
        {
            "name": "Gen-4",
            "code": "gen4",
            "prices": [
                price(
                    "Gen-4 minutes",
                    "gen4_video",
                    "volume",
                    "VIDGENMIN",
                    [{"volume_rate": 1, "package_size": 60}],
                    "seconds",
                )
            ],
        },
        {"name": "API", "code": "api", "prices": [price("Call", "api_call", "unit", "USD", [{"unit_price": "2.50"}])]},
        {"name": "Thirds", "code": "thirds", "prices": [price("Job", "job_run", "unit", "CR3", [{"unit_price": 10}])]},
        {
            "name": "Chat",
            "code": "chat",
            "prices": [price("Tokens", "chat", "volume", "TOKEN", [{"volume_rate": 1}], "tokens")],
        },
        {
            "name": "Render",
            "code": "render",
            "prices": [
                dict(
                    price("Render", "render", "unit", "CREDIT", [{"up_to": 2, "unit_price": 10}, {"unit_price": 5}]),
                    pricing_model="tiered",
                )
            ],
        },
        {
            "name": "Dual A",
            "code": "dual_a",
            "prices": [price("Dual credits", "dual", "unit", "CREDIT", [{"unit_price": 1}])],
        },
        {
            "name": "Dual B",
            "code": "dual_b",
            "prices": [price("Dual dollars", "dual", "unit", "USD", [{"unit_price": "0.10"}])],
        },
        {
            "name": "Sched",
            "code": "sched",
            "prices": [price("Sched job", "sched_job", "unit", "SCHED", [{"unit_price": 10}])],
        },
        {
            "name": "Cents",
            "code": "cents",
            "prices": [price("Cent job", "cent_job", "unit", "CR3C", [{"unit_price": "1.00"}])],
        },
        {
            "name": "Packs",
            "code": "packs",
            "prices": [
                dict(
                    price(
                        "Render minutes",
                        "pack_render",
                        "volume",
                        "CREDIT",
                        [{"volume_rate": 7, "package_size": 60}],
                        "seconds",
                    ),
                    pricing_model="package",
                )
            ],
        },
        {
            "name": "Floor",
            "code": "floor",
            "prices": [
                price(
                    "Call with a minimum",
                    "min_call",
                    "volume",
                    "CREDIT",
                    [{"volume_rate": "0.5", "min_amount": 10}],
                    "tokens",
                )
            ],
        },
        {
            "name": "Premium",
            "code": "premium",
            "prices": [price("Premium seat", "seat_used", "unit", "CREDIT", [{"unit_price": 1}])],
            "entitlements": [
                {
                    "name": "monthly credits",
                    "asset": "CREDIT",
                    "amount": 100,
                    "purpose": "bundled",
                    "lifecycle": {"duration": "month", "refresh": {"strategy": "expire_and_replace"}},
                },
                {
                    "name": "welcome",
                    "asset": "CREDIT",
                    "amount": 50,
                    "purpose": "promotion",
                    "lifecycle": {"duration": "week", "duration_count": 2},
                },
                {
                    "name": "minutes",
                    "asset": "VIDGENMIN",
                    "amount": "1.5",
                    "purpose": "bundled",
                    "priority": 1,
                    "refresh": {"interval": "month", "strategy": "rollover"},
                },
            ],
        },
    ],
}
CATALOG_FILE = "tests/catalogs/wallets.json"
T = "2026-03-10T12:00:00Z"


def ev(event_type, at=T, **data):
    e = {"event_type": event_type, "occurred_at": at}
    if data:
        e["data"] = data
    return e


def grant(
    id,
    available,
    purpose,
    expires_at=None,
    effective_at="2026-01-01T00:00:00Z",
    created_at="2026-01-01T00:00:00Z",
    **more,
):
    g = {
        "id": id,
        "available": available,
        "purpose": purpose,
        "effective_at": effective_at,
        "expires_at": expires_at,
        "created_at": created_at,
    }
    g.update(more)
    return g


def acct(asset, available, grants=None, **more):
    a = {"id": f"default:{asset}", "name": "default", "asset": asset, "available": available}
    if grants is not None:
        a["grants"] = grants
    a.update(more)
    return a


def draw(grant, amount, account="default:CREDIT"):
    return {"account": account, "grant": grant, "amount": amount}


V = []


def vec(name, description, wallet, events, expect=None, expect_error=None, options=None):
    v = {
        "name": "preview/" + name,
        "description": description,
        "catalog_file": CATALOG_FILE,
        "op": "preview",
        "input": {"wallet": wallet, "events": events},
    }
    if options is not None:
        v["options"] = options
    if expect is not None:
        v["expect"] = expect
    if expect_error is not None:
        v["expect_error"] = expect_error
    V.append(v)


# Worked example 1 (wallets reference): promotion, then bundled, then paid; 10 short.
vec(
    "worked_example_video",
    "A 10-second video at 12 CREDIT a second costs 120: promotion 50, bundled 40 and paid 20 are drawn in that order, 10 is short, the balance ends at -10, and $0.50 (10 x 0.05) covers it.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "110",
                [
                    grant("paid-1", "20", "paid", "2027-05-01T00:00:00Z"),
                    grant("bundle-1", "40", "bundled", "2026-07-01T00:00:00Z"),
                    grant("promo-1", "50", "promotion", "2026-06-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("video_generated", seconds=10)],
    {
        "covered": False,
        "accounts": [{"id": "default:CREDIT", "asset": "CREDIT", "available": "110", "available_after": "-10"}],
        "shortfall": {"CREDIT": "10"},
        "top_up": {"CREDIT": {"currency": "USD", "amount": "0.50", "buys": "10", "rate": "0.05"}},
        "events": [
            {
                "covered": False,
                "refused": False,
                "quote": {"totals": {"CREDIT": "120"}},
                "draws": [draw("promo-1", "50"), draw("bundle-1", "40"), draw("paid-1", "20")],
                "shortfall": {"CREDIT": "10"},
            }
        ],
        "auto_top_ups": [],
        "warnings": [],
    },
)

imgs = [ev("image_generated", f"2026-03-10T20:{i:02d}:00Z", n=i) for i in range(12)]
vec(
    "worked_example_images",
    "Twelve images at 5 CREDIT against promotion 15 (expiring at midnight) and paid 30: images 1-3 draw the promotion, 4-9 the paid grant, 10-12 are short; the balance ends at -15 and $0.75 covers it.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "45",
                [
                    grant("paid", "30", "paid", "2027-03-01T00:00:00Z"),
                    grant("promo", "15", "promotion", "2026-03-11T00:00:00Z"),
                ],
            )
        ]
    },
    [{"event_type": "image_generated", "occurred_at": e["occurred_at"]} for e in imgs],
    {
        "covered": False,
        "accounts": [{"id": "default:CREDIT", "available": "45", "available_after": "-15"}],
        "shortfall": {"CREDIT": "15"},
        "top_up": {"CREDIT": {"currency": "USD", "amount": "0.75", "buys": "15"}},
        "events": [{"covered": True, "draws": [draw("promo", "5")], "shortfall": {}}] * 3
        + [{"covered": True, "draws": [draw("paid", "5")], "shortfall": {}}] * 6
        + [{"covered": False, "draws": [], "shortfall": {"CREDIT": "5"}}] * 3,
    },
)

vec(
    "worked_example_minutes",
    "VIDGENMIN (2 places, $0.10): 270 seconds at 1 minute per 60 seconds cost 4.50; bundled 0.80 and paid 0.25 are drawn, 3.45 is short; 3.45 x 0.10 = $0.345 rounds up to $0.35, which buys 3.50.",
    {
        "accounts": [
            acct(
                "VIDGENMIN",
                "1.05",
                [
                    grant("paid", "0.25", "paid", "2027-01-01T00:00:00Z"),
                    grant("plan", "0.80", "bundled", "2026-04-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("gen4_video", seconds=270)],
    {
        "covered": False,
        "accounts": [
            {"id": "default:VIDGENMIN", "asset": "VIDGENMIN", "available": "1.05", "available_after": "-3.45"}
        ],
        "shortfall": {"VIDGENMIN": "3.45"},
        "top_up": {"VIDGENMIN": {"currency": "USD", "amount": "0.35", "buys": "3.50", "rate": "0.1"}},
        "events": [
            {
                "draws": [draw("plan", "0.80", "default:VIDGENMIN"), draw("paid", "0.25", "default:VIDGENMIN")],
                "shortfall": {"VIDGENMIN": "3.45"},
            }
        ],
    },
)

vec(
    "order_priority_then_expiry",
    "Explicit priority first (lower first, none last), then purpose, then sooner expiry (none last): a paid grant of priority 1 goes before a promotion without one; of two promotions the sooner-expiring goes first, the never-expiring last.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "40",
                [
                    grant("promo-forever", "10", "promotion", None),
                    grant("promo-late", "10", "promotion", "2026-09-01T00:00:00Z"),
                    grant("promo-soon", "10", "promotion", "2026-04-01T00:00:00Z"),
                    grant("paid-first", "10", "paid", "2027-01-01T00:00:00Z", priority=1),
                ],
            )
        ]
    },
    [ev("image_generated")] * 8,
    {
        "covered": True,
        "events": [{"draws": [draw("paid-first", "5")]}] * 2
        + [{"draws": [draw("promo-soon", "5")]}] * 2
        + [{"draws": [draw("promo-late", "5")]}] * 2
        + [{"draws": [draw("promo-forever", "5")]}] * 2,
        "accounts": [{"available_after": "0"}],
    },
)

vec(
    "order_tie_breaks",
    "Same priority, purpose and expiry: the earlier effective_at goes first, then the earlier created_at, then the id.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "15",
                [
                    grant(
                        "b",
                        "5",
                        "bundled",
                        "2026-04-01T00:00:00Z",
                        effective_at="2026-02-01T00:00:00Z",
                        created_at="2026-01-01T00:00:00Z",
                    ),
                    grant(
                        "c",
                        "5",
                        "bundled",
                        "2026-04-01T00:00:00Z",
                        effective_at="2026-01-01T00:00:00Z",
                        created_at="2026-01-02T00:00:00Z",
                    ),
                    grant(
                        "a",
                        "5",
                        "bundled",
                        "2026-04-01T00:00:00Z",
                        effective_at="2026-01-01T00:00:00Z",
                        created_at="2026-01-02T00:00:00Z",
                    ),
                ],
            )
        ]
    },
    [ev("image_generated")] * 3,
    {"events": [{"draws": [draw("a", "5")]}, {"draws": [draw("c", "5")]}, {"draws": [draw("b", "5")]}]},
)

vec(
    "grant_not_yet_effective_or_expired",
    "Grants are drawn only in effect and before expiry (half-open): at 20:30 the promotion expiring at 21:00 is drawn; at 21:00 it has expired, and a grant in effect from 22:00 is not drawn either; what the expired grant still held is gone from available_after.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "45",
                [
                    grant("promo", "15", "promotion", "2026-03-10T21:00:00Z"),
                    grant("later", "20", "paid", "2027-01-01T00:00:00Z", effective_at="2026-03-10T22:00:00Z"),
                    grant("paid", "10", "paid", "2027-01-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("image_generated", "2026-03-10T20:30:00Z"), ev("image_generated", "2026-03-10T21:00:00Z")],
    {
        "covered": True,
        "events": [{"draws": [draw("promo", "5")]}, {"draws": [draw("paid", "5")]}],
        "accounts": [{"available": "45", "available_after": "25"}],
    },
)

vec(
    "balance_beyond_grants",
    "Balance an account holds beyond its listed grants is drawn last, as a grant-less draw (grant: null).",
    {"accounts": [acct("CREDIT", "100", [grant("promo", "30", "promotion", "2026-06-01T00:00:00Z")])]},
    [ev("video_generated", seconds=4)],
    {
        "covered": True,
        "events": [{"draws": [draw("promo", "30"), draw(None, "18")], "shortfall": {}}],
        "accounts": [{"available_after": "52"}],
        "top_up": {},
        "shortfall": {},
    },
)

vec(
    "grants_page",
    "The grants page `{items, total_count, limit, offset}` is read as returned; a page listing fewer grants than total_count warns partial_grants, and what the others hold is drawn as grant-less balance.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "50",
                {
                    "items": [grant("promo", "20", "promotion", "2026-06-01T00:00:00Z")],
                    "total_count": 2,
                    "limit": 1,
                    "offset": 0,
                },
            )
        ]
    },
    [ev("video_generated", seconds=3)],
    {
        "covered": True,
        "events": [{"draws": [draw("promo", "20"), draw(None, "16")]}],
        "warnings": [{"path": "accounts[0].grants.items", "code": "partial_grants"}],
    },
)

vec(
    "no_grants",
    "An account without grants (the wallet endpoint's shape) is drawn as one grant-less balance.",
    {"accounts": [{"id": "default:CREDIT", "name": "default", "asset": "CREDIT", "available": "100.0000000000"}]},
    [ev("image_generated")],
    {
        "covered": True,
        "accounts": [{"available": "100", "available_after": "95"}],
        "events": [{"draws": [draw(None, "5")]}],
        "warnings": [],
    },
)

vec(
    "overdraft_refuse",
    "overdraft: refuse: an event the balance cannot cover is not applied and is marked refused, with what it lacked as its shortfall; the next event that fits is applied.",
    {"accounts": [acct("CREDIT", "10")]},
    [ev("video_generated", seconds=10), ev("image_generated")],
    {
        "covered": False,
        "events": [
            {"refused": True, "covered": False, "draws": [], "shortfall": {"CREDIT": "110"}},
            {"refused": False, "covered": True, "draws": [draw(None, "5")]},
        ],
        "accounts": [{"available_after": "5"}],
        "shortfall": {"CREDIT": "110"},
    },
    options={"overdraft": "refuse"},
)

vec(
    "overdraft_limit",
    "overdraft: {CREDIT: 100}: an event that would take the balance below -100 is refused; one that leaves it at -50 is applied, its uncovered part a shortfall.",
    {"accounts": [acct("CREDIT", "10")]},
    [ev("video_generated", seconds=10), ev("video_generated", seconds=5)],
    {
        "events": [
            {"refused": True, "draws": [], "shortfall": {"CREDIT": "110"}},
            {"refused": False, "draws": [draw(None, "10")], "shortfall": {"CREDIT": "50"}},
        ],
        "accounts": [{"available_after": "-50"}],
    },
    options={"overdraft": {"CREDIT": 100}},
)

vec(
    "min_top_up",
    "min_top_up raises a top-up to the platform's minimum (in the top-up's currency): 10 CREDIT short costs $0.50, raised to $5.00, which buys 100.",
    {"accounts": [acct("CREDIT", "110")]},
    [ev("video_generated", seconds=10)],
    {"top_up": {"CREDIT": {"currency": "USD", "amount": "5.00", "buys": "100"}}},
    options={"min_top_up": {"CREDIT": "5.00"}},
)

vec(
    "auto_top_up",
    "auto_top_up: after the event that takes the balance below the threshold, $10 buys 200 CREDIT as a paid grant (in effect at once, expiring a year later), drawn by the next event before the grant-less balance.",
    {"accounts": [acct("CREDIT", "50")]},
    [
        ev("video_generated", "2026-03-10T12:00:00Z", seconds=2),
        ev("video_generated", "2026-03-10T12:01:00Z", seconds=2),
        ev("video_generated", "2026-03-10T12:02:00Z", seconds=2),
    ],
    {
        "covered": True,
        "events": [
            {"draws": [draw(None, "24")]},
            {"draws": [draw(None, "24")]},
            {"draws": [draw("auto_top_up:1", "24")]},
        ],
        "auto_top_ups": [
            {
                "event": 1,
                "account": "default:CREDIT",
                "asset": "CREDIT",
                "currency": "USD",
                "amount": "10.00",
                "buys": "200",
                "grant": "auto_top_up:1",
            }
        ],
        "accounts": [{"available": "50", "available_after": "178"}],
    },
    options={"auto_top_up": {"CREDIT": {"threshold": 20, "amount": "10.00", "currency": "USD"}}},
)

vec(
    "auto_top_up_repays_overdraft",
    "An auto top-up first repays an overdrawn balance: 110 short, then $10 buys 200, of which 110 repays the overdraft and 90 is the new grant.",
    {"accounts": [acct("CREDIT", "10")]},
    [ev("video_generated", seconds=10)],
    {
        "covered": False,
        "events": [{"shortfall": {"CREDIT": "110"}}],
        "auto_top_ups": [{"event": 0, "buys": "200"}],
        "accounts": [{"available_after": "90"}],
    },
    options={"auto_top_up": {"CREDIT": {"threshold": "0", "amount": "10", "currency": "USD"}}},
)

vec(
    "missing_account",
    "An event charged in an asset the wallet has no account for: the whole charge is short, a default account appears at 0, and the preview warns missing_account.",
    {"accounts": [acct("VIDGENMIN", "5")]},
    [ev("image_generated")],
    {
        "covered": False,
        "accounts": [
            {"id": "default:VIDGENMIN", "available_after": "5.00"},
            {"id": "default:CREDIT", "asset": "CREDIT", "available": "0", "available_after": "-5"},
        ],
        "shortfall": {"CREDIT": "5"},
        "top_up": {"CREDIT": {"currency": "USD", "amount": "0.25", "buys": "5"}},
        "warnings": [{"path": "accounts", "code": "missing_account"}],
    },
)

vec(
    "fiat_account",
    "A fee in fiat draws from the wallet's fiat account; its top-up is the shortfall itself.",
    {"accounts": [acct("USD", "1.00")]},
    [ev("api_call")],
    {
        "covered": False,
        "events": [{"draws": [draw(None, "1.00", "default:USD")], "shortfall": {"USD": "1.50"}}],
        "top_up": {"USD": {"currency": "USD", "amount": "1.50", "buys": "1.50", "rate": "1"}},
        "accounts": [{"available": "1.00", "available_after": "-1.50"}],
    },
)

vec(
    "top_up_inverse_rate",
    "CR3 ($1 buys 3): 10 short costs 10/3 = $3.333..., rounded up to $3.34, which buys 10.02, rounded down to 10: never less than the shortfall.",
    {"accounts": [acct("CR3", "0")]},
    [ev("job_run")],
    {"top_up": {"CR3": {"currency": "USD", "amount": "3.34", "buys": "10"}}},
)

vec(
    "top_up_ambiguous_currency",
    "An asset with rates from two currencies and no top_up_currency: the top-up is priced in the first in force, with an ambiguous_top_up warning.",
    {"accounts": [acct("TOKEN", "0")]},
    [ev("chat", tokens=150)],
    {
        "top_up": {"TOKEN": {"currency": "USD", "amount": "1.50", "buys": "150"}},
        "warnings": [{"path": "top_up.TOKEN", "code": "ambiguous_top_up"}],
    },
)

vec(
    "top_up_currency",
    "top_up_currency names the currency a top-up is paid in.",
    {"accounts": [acct("TOKEN", "0")]},
    [ev("chat", tokens=150)],
    {"top_up": {"TOKEN": {"currency": "EUR", "amount": "1.50", "buys": "150"}}, "warnings": []},
    options={"top_up_currency": {"TOKEN": "EUR"}},
)

vec(
    "excess_precision",
    "A balance with digits past its asset's precision is kept exactly, with an excess_precision warning; trailing zeros (the billing API's 100.0000000000) are not excess.",
    {"accounts": [acct("CREDIT", "10.5")]},
    [ev("image_generated")],
    {
        "accounts": [{"available": "10.5", "available_after": "5.5"}],
        "events": [{"draws": [draw(None, "5")]}],
        "warnings": [{"path": "accounts[0].available", "code": "excess_precision"}],
    },
)

vec(
    "unknown_fields_and_purpose",
    "An unknown account field warns unknown_field with the field it misspells; an unknown purpose warns unknown_purpose and is drawn after paid grants.",
    {
        "accounts": [
            acct(
                "CREDIT", "10", [grant("odd", "5", "referral", None), grant("paid", "5", "paid", None)], pending_inn="0"
            )
        ]
    },
    [ev("image_generated"), ev("image_generated")],
    {
        "events": [{"draws": [draw("paid", "5")]}, {"draws": [draw("odd", "5")]}],
        "warnings": [
            {"path": "accounts[0].pending_inn", "code": "unknown_field"},
            {"path": "accounts[0].grants[0].purpose", "code": "unknown_purpose"},
        ],
    },
)

vec(
    "express_in_and_event_id",
    "Events are quoted as quote_many quotes them: options such as express_in reach each quote, and the event id is kept.",
    {"accounts": [acct("CREDIT", "100")]},
    [{"id": "evt-1", "event_type": "image_generated", "occurred_at": T}],
    {"events": [{"event_id": "evt-1", "quote": {"event_id": "evt-1", "equivalents": {"USD": "0.25"}}}]},
    options={"express_in": ["USD"]},
)

vec(
    "empty_events",
    "No events: nothing is drawn, every account keeps its balance, and the wallet is covered.",
    {"accounts": [acct("CREDIT", "7")]},
    [],
    {
        "covered": True,
        "events": [],
        "accounts": [{"available": "7", "available_after": "7"}],
        "shortfall": {},
        "top_up": {},
    },
)

vec(
    "wallet_every_error",
    "A wallet is checked like a catalog: every problem at once, each with its path and code.",
    {
        "accounts": [
            {"asset": "GOLD", "available": "1"},
            {"asset": "CREDIT", "available": "abc"},
            acct("VIDGENMIN", "1", [grant("g", "2", "paid", None)]),
            acct(
                "USD", "5", [grant("a", "1", "paid", None), grant("a", "-1", "paid", None), {"id": "b", "available": 1}]
            ),
            acct("vidgenmin", "3"),
            acct("CR3", "1", [grant("t", "1", "paid", "soon")]),
        ]
    },
    [ev("image_generated")],
    expect_error={
        "code": "invalid_wallet",
        "issues": [
            {"path": "accounts[0].asset", "code": "unknown_asset"},
            {"path": "accounts[1].available", "code": "invalid_decimal"},
            {"path": "accounts[2].grants", "code": "grants_exceed_balance"},
            {"path": "accounts[3].grants[1].available", "code": "negative_amount"},
            {"path": "accounts[3].grants[2].purpose", "code": "missing_field"},
            {"path": "accounts[4].asset", "code": "duplicate_account"},
            {"path": "accounts[5].grants[0].expires_at", "code": "invalid_timestamp"},
        ],
    },
)

vec(
    "wallet_duplicate_grant",
    "Two grants of one account with the same id are an error.",
    {"accounts": [acct("CREDIT", "10", [grant("g", "1", "paid", None), grant("g", "2", "paid", None)])]},
    [],
    expect_error={
        "code": "invalid_wallet",
        "issues": [{"path": "accounts[0].grants[1].id", "code": "duplicate_grant"}],
    },
)

vec(
    "wallet_not_an_object",
    "A wallet that is not an object, or has no accounts, is an invalid_wallet error.",
    {"account": []},
    [],
    expect_error={"code": "invalid_wallet", "issues": [{"path": "accounts", "code": "missing_field"}]},
)

vec(
    "bad_events_all_reported",
    "Events are priced as quote_many prices them: every bad event is reported, with its index.",
    {"accounts": [acct("CREDIT", "10")]},
    [
        ev("video_generated", seconds=1),
        {"event_type": "video_generated", "occurred_at": "yesterday"},
        {"event_type": ""},
    ],
    expect_error={
        "code": "invalid_event",
        "issues": [
            {"path": "[1].occurred_at", "code": "invalid_timestamp"},
            {"path": "[2].event_type", "code": "invalid_value"},
        ],
    },
)

vec(
    "bad_options",
    "Preview options are checked with paths: overdraft must be allow, refuse or limits per asset; assets must be known; an auto top-up needs threshold, amount and currency.",
    {"accounts": [acct("CREDIT", "10")]},
    [],
    expect_error={
        "code": "invalid_argument",
        "issues": [
            {"path": "auto_top_up.CREDIT.currency", "code": "missing_field"},
            {"path": "min_top_up.GOLD", "code": "unknown_asset"},
            {"path": "overdraft", "code": "invalid_options"},
            {"path": "expres_in", "code": "invalid_options"},
        ],
    },
    options={
        "overdraft": "sometimes",
        "min_top_up": {"GOLD": 1},
        "auto_top_up": {"CREDIT": {"threshold": 1, "amount": 5}},
        "expres_in": ["USD"],
    },
)

# More rules, each its own vector.
vec(
    "order_purpose_before_expiry",
    "Purpose comes before expiry: a promotion expiring in September is drawn before a paid grant expiring tomorrow.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "10",
                [
                    grant("paid-soon", "5", "paid", "2026-03-11T00:00:00Z"),
                    grant("promo-late", "5", "promotion", "2026-09-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("image_generated")],
    {"events": [{"draws": [draw("promo-late", "5")]}]},
)
vec(
    "order_promotional_spelling",
    "`promotional` (the marketing pages' word) is the same purpose as `promotion`: drawn before bundled.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "10",
                [
                    grant("plan", "5", "bundled", "2026-04-01T00:00:00Z"),
                    grant("promo", "5", "promotional", "2026-04-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("image_generated")],
    {"events": [{"draws": [draw("promo", "5")]}], "warnings": []},
)
vec(
    "order_lower_priority_first",
    "Of two grants with priorities, the lower number is drawn first, whatever their purposes.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "10",
                [grant("promo-2", "5", "promotion", None, priority=2), grant("paid-0", "5", "paid", None, priority=0)],
            )
        ]
    },
    [ev("image_generated")],
    {"events": [{"draws": [draw("paid-0", "5")]}]},
)
vec(
    "order_created_at",
    "All else equal, the grant created earlier is drawn first.",
    {
        "accounts": [
            acct(
                "CREDIT",
                "10",
                [
                    grant("b-old", "5", "paid", None, created_at="2026-01-01T00:00:00Z"),
                    grant("a-new", "5", "paid", None, created_at="2026-02-01T00:00:00Z"),
                ],
            )
        ]
    },
    [ev("image_generated")],
    {"events": [{"draws": [draw("b-old", "5")]}]},
)
vec(
    "effective_at_the_exact_instant",
    "A grant is in effect from its effective_at itself (half-open: effective_at <= t < expires_at).",
    {"accounts": [acct("CREDIT", "5", [grant("starts", "5", "paid", None, effective_at="2026-03-10T12:00:00Z")])]},
    [ev("image_generated", "2026-03-10T12:00:00Z")],
    {"covered": True, "events": [{"draws": [draw("starts", "5")]}]},
)
vec(
    "expiry_mid_batch_with_balance_left",
    "A grant that expires between two events is drawn by the first only; the second falls to the grant-less balance, and the expired rest leaves available_after.",
    {"accounts": [acct("CREDIT", "30", [grant("promo", "20", "promotion", "2026-03-10T13:00:00Z")])]},
    [ev("image_generated", "2026-03-10T12:00:00Z"), ev("image_generated", "2026-03-10T14:00:00Z")],
    {
        "events": [{"draws": [draw("promo", "5")]}, {"draws": [draw(None, "5")]}],
        "accounts": [{"available_after": "5"}],
        "explain": [{"kind": "expire"}],
    },
)
vec(
    "two_assets_one_event",
    "An event with fees in two assets draws each from its own account.",
    {"accounts": [acct("CREDIT", "10"), acct("USD", "1.00")]},
    [ev("dual")],
    {
        "covered": True,
        "events": [{"draws": [draw(None, "1"), draw(None, "0.10", "default:USD")]}],
        "accounts": [{"available_after": "9"}, {"available_after": "0.90"}],
    },
)
vec(
    "two_assets_refused_together",
    "With overdraft refuse, an event short in one of its two assets is refused whole: nothing is drawn from the other either.",
    {"accounts": [acct("CREDIT", "10"), acct("USD", "0.05")]},
    [ev("dual")],
    {
        "covered": False,
        "events": [{"refused": True, "draws": [], "shortfall": {"USD": "0.05"}}],
        "accounts": [{"available_after": "10"}, {"available_after": "0.05"}],
    },
    options={"overdraft": "refuse"},
)
vec(
    "tiers_accumulate_in_a_preview",
    "A tiered price in a preview prices as quote_many does: 10, 10, then 5 and 5 past the first tier, drawn in turn.",
    {"accounts": [acct("CREDIT", "30")]},
    [ev("render")] * 4,
    {
        "covered": True,
        "events": [
            {"draws": [draw(None, "10")]},
            {"draws": [draw(None, "10")]},
            {"draws": [draw(None, "5")]},
            {"draws": [draw(None, "5")]},
        ],
        "accounts": [{"available_after": "0"}],
    },
)
vec(
    "overdraft_limit_exactly_reached",
    "A balance may reach the overdraft limit itself: 10 held, a 108 charge with a limit of 98 leaves -98 and is applied.",
    {"accounts": [acct("CREDIT", "10")]},
    [ev("video_generated", seconds=9)],
    {
        "events": [{"refused": False, "draws": [draw(None, "10")], "shortfall": {"CREDIT": "98"}}],
        "accounts": [{"available_after": "-98"}],
    },
    options={"overdraft": {"CREDIT": "98"}},
)
vec(
    "top_up_at_the_rate_of_the_last_event",
    "The top-up is priced at the rate in force at the last event: SCHED costs $0.05 until 18:00 and $0.10 after; 20 short after a 19:00 event costs $2.00.",
    {"accounts": [acct("SCHED", "0")]},
    [ev("sched_job", "2026-03-10T12:00:00Z"), ev("sched_job", "2026-03-10T19:00:00Z")],
    {
        "shortfall": {"SCHED": "20"},
        "top_up": {
            "SCHED": {
                "currency": "USD",
                "amount": "2.00",
                "buys": "20",
                "rate": "0.1",
                "valid_from": "2026-03-10T18:00:00Z",
            }
        },
    },
)
vec(
    "top_up_inverse_rate_in_cents",
    "CR3C ($1 buys 3, 2 places): 1.00 short costs $0.3333..., rounded up to $0.34, which buys 1.02.",
    {"accounts": [acct("CR3C", "0")]},
    [ev("cent_job")],
    {"top_up": {"CR3C": {"amount": "0.34", "buys": "1.02"}}},
)
vec(
    "min_top_up_fiat",
    "A fiat account's top-up is its shortfall, raised to min_top_up.",
    {"accounts": [acct("USD", "2.00")]},
    [ev("api_call")],
    {"top_up": {"USD": {"currency": "USD", "amount": "5.00", "buys": "5.00"}}},
    options={"min_top_up": {"USD": "5"}},
)
vec(
    "auto_top_up_twice",
    "An auto top-up is made after each event that leaves the balance below the threshold: 10 - 5 = 5 < 6 after every image, so three, each grant drawn by the next event before the grant-less balance.",
    {"accounts": [acct("CREDIT", "10")]},
    [
        ev("image_generated", "2026-03-10T12:00:00Z"),
        ev("image_generated", "2026-03-10T12:01:00Z"),
        ev("image_generated", "2026-03-10T12:02:00Z"),
    ],
    {
        "covered": True,
        "events": [
            {"draws": [draw(None, "5")]},
            {"draws": [draw("auto_top_up:1", "5")]},
            {"draws": [draw("auto_top_up:2", "5")]},
        ],
        "auto_top_ups": [
            {"event": 0, "amount": "0.25", "buys": "5", "grant": "auto_top_up:1"},
            {"event": 1, "grant": "auto_top_up:2"},
            {"event": 2, "grant": "auto_top_up:3"},
        ],
        "accounts": [{"available_after": "10"}],
    },
    options={"auto_top_up": {"CREDIT": {"threshold": "6", "amount": "0.25", "currency": "USD"}}},
)
vec(
    "auto_top_up_not_after_a_refused_event",
    "A refused event changes nothing, so no auto top-up follows it.",
    {"accounts": [acct("CREDIT", "3")]},
    [ev("image_generated")],
    {"events": [{"refused": True}], "auto_top_ups": []},
    options={"overdraft": "refuse", "auto_top_up": {"CREDIT": {"threshold": "10", "amount": "1", "currency": "USD"}}},
)
vec(
    "at_option_prices_and_draws_at_that_instant",
    "The at option prices every event at that instant, and grants are drawn as they stand then: the promotion has expired at `at` though the event says earlier.",
    {"accounts": [acct("CREDIT", "10", [grant("promo", "5", "promotion", "2026-03-10T13:00:00Z")])]},
    [ev("image_generated", "2026-03-10T12:00:00Z")],
    {"events": [{"draws": [draw(None, "5")], "quote": {"at": "2026-03-10T14:00:00Z"}}]},
    options={"at": "2026-03-10T14:00:00Z"},
)
vec(
    "products_option",
    "The products option selects prices as in a quote: an event of a product not selected costs nothing and draws nothing.",
    {"accounts": [acct("CREDIT", "10")]},
    [ev("image_generated")],
    {"covered": True, "events": [{"draws": [], "quote": {"fees": []}}], "accounts": [{"available_after": "10"}]},
    options={"products": ["video"]},
)
vec(
    "wallet_grants_page_without_items",
    "A grants page without items is an error at its path.",
    {"accounts": [acct("CREDIT", "10", {"total_count": 0})]},
    [],
    expect_error={"code": "invalid_wallet", "issues": [{"path": "accounts[0].grants.items", "code": "missing_field"}]},
)
vec(
    "wallet_bad_priority_and_accounts",
    "A priority that is not an integer is invalid_type; so is an accounts field that is not a list.",
    {"accounts": [acct("CREDIT", "10", [grant("g", "1", "paid", None, priority="high")])]},
    [],
    expect_error={
        "code": "invalid_wallet",
        "issues": [{"path": "accounts[0].grants[0].priority", "code": "invalid_type"}],
    },
)
vec(
    "wallet_accounts_not_a_list",
    "`accounts` must be a list.",
    {"accounts": {"CREDIT": 10}},
    [],
    expect_error={"code": "invalid_wallet", "issues": [{"path": "accounts", "code": "invalid_type"}]},
)


def op(kind, name, description, input, expect=None, expect_error=None, options=None):
    v = {
        "name": f"{kind}/" + name,
        "description": description,
        "catalog_file": CATALOG_FILE,
        "op": kind,
        "input": input,
    }
    if options is not None:
        v["options"] = options
    if expect is not None:
        v["expect"] = expect
    if expect_error is not None:
        v["expect_error"] = expect_error
    V.append(v)


TONIGHT = {
    "accounts": [
        acct(
            "CREDIT",
            "45",
            [
                grant("paid", "30", "paid", "2027-03-01T00:00:00Z"),
                grant("promo", "15", "promotion", "2026-03-11T00:00:00Z"),
            ],
        )
    ]
}
op(
    "affordable",
    "images",
    "How many more 5-CREDIT images the wallet covers at the event's instant: promotion 15 and paid 30 make 45, so 9; a unit price has no volume.",
    {"wallet": TONIGHT, "event": ev("image_generated", "2026-03-10T20:00:00Z")},
    {"balance": {"CREDIT": "45"}, "count": "9", "volume": None, "quote": {"totals": {"CREDIT": "5"}}, "warnings": []},
)
op(
    "affordable",
    "expired_grant_not_counted",
    "After midnight the promotion has expired: only the paid 30 is drawable, so 6 images.",
    {"wallet": TONIGHT, "event": ev("image_generated", "2026-03-11T01:00:00Z")},
    {"balance": {"CREDIT": "30"}, "count": "6"},
)
op(
    "affordable",
    "largest_volume",
    "A 10-second video at 12 CREDIT a second costs 120, more than the 110 held: no such event fits, and 9 seconds (108) is the longest video that does.",
    {"wallet": {"accounts": [acct("CREDIT", "110")]}, "event": ev("video_generated", seconds=10)},
    {"count": "0", "volume": {"field": "seconds", "value": "9", "cost": {"CREDIT": "108"}}},
)
op(
    "affordable",
    "volume_step",
    "volume_step 0.1 on VIDGENMIN (1 a minute, prorated, 2 places, half_even): 63.2 seconds cost 1.05 and fit the 1.05 held; 63.3 would cost 1.055, rounded half-even to 1.06.",
    {"wallet": {"accounts": [acct("VIDGENMIN", "1.05")]}, "event": ev("gen4_video", seconds=60)},
    {"count": "1", "volume": {"field": "seconds", "value": "63.2", "cost": {"VIDGENMIN": "1.05"}}},
    options={"volume_step": "0.1"},
)
op(
    "affordable",
    "package_rounding",
    "A package price of 7 CREDIT per started 60 seconds: 20 CREDIT buy two packages, so 120 seconds fit and 121 (a third package, 21) do not.",
    {"wallet": {"accounts": [acct("CREDIT", "20")]}, "event": ev("pack_render", seconds=30)},
    {"count": "2", "volume": {"field": "seconds", "value": "120", "cost": {"CREDIT": "14"}}},
)
op(
    "affordable",
    "minimum_amount",
    "A price of 0.5 a token with a minimum of 10 a call: 9 CREDIT cover no call at all, whatever the volume (even 0 tokens cost the minimum): count 0, volume null.",
    {"wallet": {"accounts": [acct("CREDIT", "9")]}, "event": ev("min_call", tokens=4)},
    {"count": "0", "volume": None, "quote": {"totals": {"CREDIT": "10"}}},
)
op(
    "affordable",
    "minimum_then_rate",
    "With 25 CREDIT: 40 tokens cost 20, past the minimum; 50 tokens cost 25 and fit, 51 cost 25.5, rounded half-even to 26 at precision 0, and do not.",
    {"wallet": {"accounts": [acct("CREDIT", "25")]}, "event": ev("min_call", tokens=40)},
    {"count": "1", "volume": {"field": "tokens", "value": "50", "cost": {"CREDIT": "25"}}},
)
op(
    "affordable",
    "tiered_counted_one_by_one",
    "A tiered price costs 10 for the first two events and 5 after: 30 covers 10 + 10 + 5 + 5, four events, not the three that 30 / 10 would say.",
    {"wallet": {"accounts": [acct("CREDIT", "30")]}, "event": ev("render")},
    {"count": "4", "quote": {"totals": {"CREDIT": "10"}}},
)
op(
    "affordable",
    "free_event",
    "An event no price charges costs nothing: no count (null), no volume, and the quote says why.",
    {"wallet": {"accounts": [acct("CREDIT", "30")]}, "event": ev("nothing_priced")},
    {
        "count": None,
        "volume": None,
        "balance": {},
        "quote": {"warnings": [{"path": "event_type", "code": "no_price_matched"}]},
    },
)
op(
    "affordable",
    "bad_wallet",
    "affordable checks the wallet as preview does.",
    {"wallet": {"accounts": [acct("GOLD", "1")]}, "event": ev("image_generated")},
    expect_error={"code": "invalid_wallet", "issues": [{"path": "accounts[0].asset", "code": "unknown_asset"}]},
)
op(
    "buys",
    "video_seconds",
    "$10 buys 200 CREDIT at $0.05 (rounded down, as any purchase of units): 16 seconds of video at 12 a second (192), or one 10-second video.",
    {"amount": "10", "currency": "USD", "event": ev("video_generated", seconds=10)},
    {
        "currency": "USD",
        "amount": "10.00",
        "asset": "CREDIT",
        "units": "200",
        "count": "1",
        "volume": {"field": "seconds", "value": "16", "cost": {"CREDIT": "192"}},
    },
)
op(
    "buys",
    "inverse_rate_rounds_down",
    "CR3 ($1 buys 3): $3.33 buys 9.99 CR3, rounded down to 9, not enough for a 10-CR3 job: 0; $10 buys 30, three jobs.",
    {"amount": "3.33", "currency": "USD", "event": ev("job_run")},
    {"units": "9", "count": "0"},
)
op(
    "buys",
    "fiat_priced",
    "An event priced in dollars: $10 is 10.00 USD of it, four calls at 2.50.",
    {"amount": 10, "currency": "USD", "event": ev("api_call")},
    {"asset": "USD", "units": "10.00", "count": "4"},
)
op(
    "buys",
    "several_assets",
    "An event charged in two assets has no one answer to what money buys: invalid_argument at event.",
    {"amount": "10", "currency": "USD", "event": ev("dual")},
    expect_error={"code": "invalid_argument", "issues": [{"path": "event", "code": "invalid_value"}]},
)

op(
    "affordable",
    "fiat_account",
    "An event priced in dollars against the wallet's dollar account: 10.00 covers four 2.50 calls.",
    {"wallet": {"accounts": [acct("USD", "10.00")]}, "event": ev("api_call")},
    {"balance": {"USD": "10.00"}, "count": "4", "volume": None},
)
op(
    "affordable",
    "no_account",
    "A wallet without an account in the event's asset covers none of it.",
    {"wallet": {"accounts": [acct("USD", "10.00")]}, "event": ev("image_generated")},
    {"balance": {"CREDIT": "0"}, "count": "0"},
)
op(
    "buys",
    "volume_step",
    "$1 buys 20 CREDIT: 1.6 seconds of video at 12 a second cost 19.2, rounded half-even to 19 at precision 0, and fit; 1.7 seconds cost 20.4, which rounds to 20 and fits too; 1.8 cost 21.6, 22: the answer is 1.7.",
    {"amount": "1", "currency": "USD", "event": ev("video_generated", seconds=1)},
    {"units": "20", "volume": {"value": "1.7", "cost": {"CREDIT": "20"}}},
    options={"volume_step": "0.1"},
)
op(
    "buys",
    "unknown_currency",
    "A currency that is neither an asset nor ISO 4217 is unknown_asset at currency.",
    {"amount": "1", "currency": "XYZ", "event": ev("image_generated")},
    expect_error={"code": "invalid_argument", "issues": [{"path": "currency", "code": "unknown_asset"}]},
)
op(
    "buys",
    "no_rate",
    "A currency the asset has no rate from is no_rate.",
    {"amount": "1", "currency": "EUR", "event": ev("image_generated")},
    expect_error={"code": "no_rate"},
)

op(
    "entitlements",
    "new_subscriber",
    "A Premium subscriber from 31 January until 1 April: the monthly 100 CREDIT (expire_and_replace) for the periods starting 31 January, 28 February (no 31st) and 31 March, each expiring when the next starts; the one-off welcome 50 for two weeks; 1.5 minutes a month that roll over (never expire), given in the older top-level refresh shape.",
    {"product": "premium", "at": "2026-01-31T10:00:00Z", "until": "2026-04-01T00:00:00Z"},
    {
        "accounts": [
            {
                "id": "default:CREDIT",
                "name": "default",
                "asset": "CREDIT",
                "available": "350",
                "grants": [
                    {
                        "id": "premium:monthly credits:1",
                        "available": "100",
                        "purpose": "bundled",
                        "priority": None,
                        "effective_at": "2026-01-31T10:00:00Z",
                        "expires_at": "2026-02-28T10:00:00Z",
                        "created_at": "2026-01-31T10:00:00Z",
                    },
                    {
                        "id": "premium:monthly credits:2",
                        "available": "100",
                        "effective_at": "2026-02-28T10:00:00Z",
                        "expires_at": "2026-03-31T10:00:00Z",
                    },
                    {
                        "id": "premium:monthly credits:3",
                        "available": "100",
                        "effective_at": "2026-03-31T10:00:00Z",
                        "expires_at": "2026-04-30T10:00:00Z",
                    },
                    {
                        "id": "premium:welcome:1",
                        "available": "50",
                        "purpose": "promotion",
                        "effective_at": "2026-01-31T10:00:00Z",
                        "expires_at": "2026-02-14T10:00:00Z",
                    },
                ],
            },
            {
                "id": "default:VIDGENMIN",
                "asset": "VIDGENMIN",
                "available": "4.50",
                "grants": [
                    {
                        "id": "premium:minutes:1",
                        "available": "1.50",
                        "priority": 1,
                        "effective_at": "2026-01-31T10:00:00Z",
                        "expires_at": None,
                    },
                    {"id": "premium:minutes:2", "effective_at": "2026-02-28T10:00:00Z", "expires_at": None},
                    {"id": "premium:minutes:3", "effective_at": "2026-03-31T10:00:00Z", "expires_at": None},
                ],
            },
        ]
    },
)
op(
    "entitlements",
    "first_period",
    "Without `until`, the grants of the first period alone.",
    {"product": "PREMIUM", "at": "2026-03-01T00:00:00Z"},
    {
        "accounts": [
            {
                "available": "150",
                "grants": [
                    {"id": "premium:monthly credits:1", "expires_at": "2026-04-01T00:00:00Z"},
                    {"id": "premium:welcome:1", "expires_at": "2026-03-15T00:00:00Z"},
                ],
            },
            {"available": "1.50", "grants": [{"id": "premium:minutes:1"}]},
        ]
    },
)
op(
    "entitlements",
    "unknown_product",
    "A product the catalog does not have is an unknown_product error at product.",
    {"product": "platinum", "at": "2026-03-01T00:00:00Z"},
    expect_error={"code": "invalid_argument", "issues": [{"path": "product", "code": "unknown_product"}]},
)
op(
    "entitlements",
    "until_before_at",
    "`until` must come after `at`.",
    {"product": "premium", "at": "2026-03-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"},
    expect_error={"code": "invalid_argument", "issues": [{"path": "until", "code": "invalid_value"}]},
)
V.append(
    {
        "name": "entitlements/both_shapes_validate",
        "description": "Both published entitlement shapes (lifecycle, and the older top-level refresh with an interval) are read without a warning.",
        "catalog_file": CATALOG_FILE,
        "op": "engine",
        "expect": {"warnings": []},
    }
)


def main() -> int:
    return write_or_check(V, {OUT: V, CATALOG: CAT}, "scripts/gen-wallet-vectors.py")


if __name__ == "__main__":
    sys.exit(main())
