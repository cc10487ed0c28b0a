"""Writes a large catalog to stdout, for scripts/bench-validate.sh: the shapes that once made
validation quadratic (issue "Exact to the last digit...", item 4).

    python3 scripts/gen-large-catalog.py N SHAPE > catalog.json

SHAPE: grid (one price, N dimensional prices: models x 100 qualities, plus a model=*/quality
wildcard per model), flat (one price, N dimensional prices on one key), assets (N assets with a
rate and a rounding setting each), products (N products of one price), prices (one product of N
prices).
"""

import json
import sys


def usage(name, calc, values, extra=None):
    price = {"name": name, "type": "usage_based", "billing_model": {"type": "real_time"},
             "usage_calculation": calc, "pricing": [{"asset": "USD", "values": values}]}
    price.update(extra or {})
    return price


def dims(d, rate):
    return {"dimensions": d, "values": [{"volume_rate": rate}]}


def main():
    n, shape = int(sys.argv[1]), sys.argv[2]
    volume = {"event_type": "gen", "usage_type": "volume", "volume_field": "seconds"}
    if shape == "grid":
        values = []
        for m in range(max(1, n // 101)):
            values += [dims({"model": f"m{m}", "quality": f"q{q}"}, "0.01") for q in range(100)]
            values.append(dims({"model": f"m{m}", "quality": "*"}, "0.02"))
        calc = dict(volume, billable_dimensions=["model", "quality"])
        catalog = {"assets": [], "products": [{"name": "p", "code": "p", "prices": [usage("fee", calc, values)]}]}
    elif shape == "flat":
        values = [dims({"model": f"m{i}"}, "0.01") for i in range(n)]
        calc = dict(volume, billable_dimensions=["model"])
        catalog = {"assets": [], "products": [{"name": "p", "code": "p", "prices": [usage("fee", calc, values)]}]}
    elif shape == "assets":
        catalog = {"assets": [{"code": f"A{i}", "name": f"a{i}", "rates": [{"source": "USD", "rate": "0.1"}]} for i in range(n)],
                   "products": [], "settings": {"rounding": {f"A{i}": "down" for i in range(n)}}}
    elif shape == "products":
        unit = [{"unit_price": 1}]
        catalog = {"assets": [], "products": [
            {"name": f"p{i}", "code": f"p{i}", "prices": [usage("fee", {"event_type": f"e{i}", "usage_type": "unit"}, unit)]}
            for i in range(n)]}
    elif shape == "prices":
        unit = [{"unit_price": 1}]
        catalog = {"assets": [], "products": [{"name": "p", "code": "p", "prices": [
            usage(f"fee{i}", {"event_type": f"e{i}", "usage_type": "unit"}, unit) for i in range(n)]}]}
    else:
        sys.exit(f"unknown shape {shape!r} (grid, flat, assets, products, prices)")
    json.dump(catalog, sys.stdout)


if __name__ == "__main__":
    main()
