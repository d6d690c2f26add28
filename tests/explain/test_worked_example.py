"""``explain_worked_example``: the published numbers of the 2-2-2 network, from the engine."""

from __future__ import annotations

import math

import pytest

from chainrule.explain import explain_worked_example

# The reference material's published values (rounded as published).
PUBLISHED = {
    "net_h1": "0.3775",
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "net_o1": "1.105905967",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE/dw5": "0.082167041",
    "dE/dw1": "0.000438568",
    "w1": "0.149780716",
    "w2": "0.19956143",
    "w3": "0.24975114",
    "w4": "0.29950229",
    "w5": "0.35891648",
    "w6": "0.408666186",
    "w7": "0.511301270",
    "w8": "0.561370121",
}


@pytest.fixture(scope="module")
def example():
    return explain_worked_example()


def _close(value: float, published: str) -> bool:
    decimals = len(published.split(".")[1])
    return abs(value - float(published)) <= 0.5 * 10**-decimals


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_number(example, name):
    assert _close(example.values[name], PUBLISHED[name]), (name, example.values[name])


def test_chain_for_w5_has_the_published_factors(example):
    factors = example.chains["w5"]
    assert [symbol.split(" = ")[0] for symbol, _ in factors] == [
        "∂E/∂out_o1",
        "∂out_o1/∂net_o1",
        "∂net_o1/∂w5",
    ]
    for (_, value), published in zip(
        factors, ["0.74136507", "0.186815602", "0.593269992"], strict=True
    ):
        assert _close(value, published)
    assert math.prod(v for _, v in factors) == pytest.approx(example.values["dE/dw5"], rel=1e-12)


def test_chain_for_w1_sums_both_output_paths(example):
    factors = example.chains["w1"]
    for (_, value), published in zip(factors, ["0.036350306", "0.241300709", "0.05"], strict=True):
        assert _close(value, published)
    assert math.prod(v for _, v in factors) == pytest.approx(example.values["dE/dw1"], rel=1e-12)


def test_every_chain_product_is_the_engine_gradient(example):
    for name, factors in example.chains.items():
        product = math.prod(v for _, v in factors)
        assert product == pytest.approx(example.values[f"dE/d{name}"], rel=1e-12, abs=1e-15)
    initial = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55)
    for name, w in initial.items():  # one gradient-descent step with learning rate 0.5
        assert example.values[name] == pytest.approx(w - 0.5 * example.values[f"dE/d{name}"])
    text = example.format()
    assert "∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5" in text
    assert "0.741365070 · 0.186815602 · 0.593269992 = 0.082167041" in text
    assert "E_o1 = 0.274811083   E_o2 = 0.023560026" in text
    assert "E_total = Σ ½(target − out)² = E_o1 + E_o2 = 0.298371109" in text
    assert "w5 = 0.358916480" in text
