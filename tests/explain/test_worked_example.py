"""``explain_worked_example``: the published numbers of the 2-2-2 network, from the engine."""

from __future__ import annotations

import math

import pytest

from chainrule.explain import explain_worked_example
from tests.helpers import WORKED_EXAMPLE_PUBLISHED as PUBLISHED


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
