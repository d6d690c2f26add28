"""The reference computational graph ``e = (a + b) * (b + 1)`` at a = 2, b = 1."""

import chainrule as cr


def test_reference_expression_values_and_gradients():
    a = cr.tensor(2.0, requires_grad=True)
    b = cr.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    assert (c.item(), d.item(), e.item()) == (3.0, 2.0, 6.0)
    assert a.grad.item() == 2.0  # de/da = d
    assert b.grad.item() == 5.0  # de/db = d + c: the sum over both paths from b


def test_reuse_accumulates_along_every_path():
    a = cr.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_example_script_prints_the_graph_and_gradients():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parents[2] / "examples" / "computational_graph.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True).stdout
    assert "c = a + b = 3" in out and "d = b + 1 = 2" in out and "e = c * d = 6" in out
    assert "de/dc = 2    de/dd = 3" in out  # from backward(), kept by retain_grad()
    assert "de/da = de/dc * dc/da = 2 * 1 = 2" in out
    assert "= 2 * 1 + 3 * 1 = 5" in out
