"""`chainrule train --model` with a size no array can hold (a mistyped one): one line naming
--model, as for a size merely too large for this machine, not NumPy's ValueError traceback."""

import numpy as np
import pytest

from chainrule.cli import main


@pytest.mark.parametrize("size", [10**20, 2**61])
def test_a_layer_larger_than_any_array_is_one_line_naming_model(size, tmp_path, capsys):
    pytest.importorskip("sklearn")  # the digits
    # NumPy itself: a ValueError (no MemoryError) for more bytes than an address can count
    with pytest.raises(ValueError):
        np.empty((64, size), np.float32)
    out = tmp_path / "run"
    assert main(["train", "--model", str(size), "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"chainrule train: error: --model {size}: the network does not fit")
    assert f"a (64, {size}) float32 weight needs {64 * 4 * size:,} bytes" in err
    assert not out.exists()
