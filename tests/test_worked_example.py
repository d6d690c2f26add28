"""The worked 2-2-2 example prints every published number of the reference material."""

import contextlib
import io
import runpy
from pathlib import Path

import pytest

from tests.helpers import WORKED_EXAMPLE_PUBLISHED as PUBLISHED

EXAMPLE = Path(__file__).parents[1] / "examples" / "worked_example_2_2_2.py"


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
