"""The worked 2-2-2 example prints every published number of the reference material."""

import contextlib
import io
import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "worked_example_2_2_2.py"

PUBLISHED = {
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "net_h1": "0.3775",
    "net_o1": "1.105905967",
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
def printed() -> dict:
    """Every ``name = value`` the example prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    values = {}
    for line in buffer.getvalue().splitlines():
        for part in line.replace(",", "   ").split("   "):
            if "=" in part:
                name, value = part.split("=")
                values[name.strip()] = float(value)
    return values


@pytest.mark.parametrize(("name", "published"), PUBLISHED.items())
def test_published_number(printed, name, published):
    decimals = len(published.split(".")[1])
    assert round(printed[name], decimals) == pytest.approx(float(published), abs=10**-decimals / 2)
