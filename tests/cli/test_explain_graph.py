"""``chainrule explain`` and ``chainrule graph`` end to end through the CLI entry point."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from chainrule.cli import main
from tests.graph.dot_parsing import by_title, parse_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def test_explain_reference_expression(capsys, tmp_path):
    dot = tmp_path / "e.dot"
    assert main(["explain", "(a + b) * (b + 1)", "a=2", "b=1", "--dot", str(dot)]) == 0
    out = capsys.readouterr().out
    for line in (
        "c = a + b = 3",
        "d = b + 1 = 2",
        "e = c * d = 6",
        "∂e/∂c = d = 2",
        "∂e/∂d = c = 3",
        "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5",
        "∂e/∂a = 2, ∂e/∂b = 5",
    ):
        assert line in out
    nodes, edges = parse_dot(dot.read_text())
    assert set(by_title(nodes)) == {"a", "b", "c", "d", "e"} and len(edges) == 5


@needs_dot
def test_explain_png(tmp_path, capsys):
    png = tmp_path / "e.png"
    assert main(["explain", "tanh(w * x)", "w=0.5", "x=2", "--png", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_explain_worked_example(capsys, tmp_path):
    dot = tmp_path / "net.dot"
    assert main(["explain", "worked-example", "--dot", str(dot)]) == 0
    titled = by_title(parse_dot(dot.read_text())[0])
    w2 = titled["W2 [[w5, w7], [w6, w8]]"]
    # the published updated weights give the gradient: (old - new) / 0.5
    published = [(0.40, 0.35891648), (0.45, 0.408666186), (0.50, 0.511301270), (0.55, 0.561370121)]
    grad = [(old - new) / 0.5 for old, new in published]
    assert w2[1] == "(2, 2)" and w2[2].startswith("grad norm ")
    assert float(w2[2].split()[-1]) == pytest.approx(float(np.linalg.norm(grad)), rel=1e-5)
    assert float(titled["E"][1]) == pytest.approx(0.298371109)
    out = capsys.readouterr().out
    for text in ("0.298371109", "0.741365070 · 0.186815602 · 0.593269992 = 0.082167041"):
        assert text in out
    for name, value in [("w5", "0.35891648"), ("w1", "0.149780716"), ("w8", "0.561370121")]:
        assert f"{name} = {value}" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["explain", "__import__('os')", "a=1"], "a call of '__import__'"),
        (["explain", "a + b", "a=1"], "no value for b"),
        (["explain", "a + 1", "a=one"], "'one' is not a number"),
        (["explain", "a + 1", "a"], "expected NAME=VALUE"),
        (["explain", "worked-example", "a=1"], "worked-example takes no NAME=VALUE"),
        (["explain", "a + 1", "a=1", "--dot", "x.jpeg"], "unknown picture format"),
        (["graph", "--model", "3,x", "--out", "g.dot"], "--model"),
        (["graph", "--activation", "swish", "--out", "g.dot"], "--activation"),
        (["graph", "a=1", "--out", "g.dot"], "need --expr"),
    ],
)
def test_bad_input_is_one_clear_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_graph_of_a_training_step(tmp_path, capsys):
    out = tmp_path / "mlp.dot"
    argv = ["graph", "--model", "32,16", "--data-shape", "64", "--classes", "10"]
    assert main([*argv, "--batch-size", "8", "--out", str(out)]) == 0
    nodes, edges = parse_dot(out.read_text())
    titled = by_title(nodes)
    expected_shapes = {
        "0.weight": "(64, 32)",
        "0.bias": "(32,)",
        "2.weight": "(32, 16)",
        "2.bias": "(16,)",
        "4.weight": "(16, 10)",
        "4.bias": "(10,)",
        "x (batch)": "(8, 64)",
    }
    for name, shape in expected_shapes.items():
        assert titled[name][1] == shape
        assert titled[name][2].startswith("grad norm")
    # the loss node is named; cross-entropy may end in its own Mean op or reduce inside
    assert titled["loss"][0] in ("loss = Mean", "loss = CrossEntropy")
    ops = [lines[0] for lines in nodes.values() if lines[0] not in expected_shapes]
    assert sorted(ops).count("Linear") == 3 and ops.count("ReLU") == 2
    assert any("CrossEntropy" in op for op in ops) and len(ops) in (6, 7)
    # three Linear ops with 3 inputs each, then one link into every other op
    assert len(edges) == 3 * 3 + len(ops) - 3


def test_graph_collapsed(tmp_path):
    out = tmp_path / "mlp.dot"
    assert main(["graph", "--model", "8", "--collapse-modules", "--out", str(out)]) == 0
    titles = sorted(lines[0] for lines in parse_dot(out.read_text())[0].values())
    assert titles[:2] == ["0: Linear", "2: Linear"] and "ReLU" in titles and "x (batch)" in titles
    losses = [t for t in titles if t not in ("0: Linear", "2: Linear", "ReLU", "x (batch)")]
    assert losses in (["CrossEntropy", "loss = Mean"], ["loss = CrossEntropy"])


def test_graph_of_an_expression(tmp_path):
    out = tmp_path / "e.dot"
    assert main(["graph", "--expr", "(a+b)*(b+1)", "a=2", "b=1", "--out", str(out)]) == 0
    nodes, edges = parse_dot(out.read_text())
    assert {label for _, _, label in edges} >= {"∂e/∂c = 2", "∂e/∂d = 3"}


@needs_dot
def test_graph_svg(tmp_path):
    out = tmp_path / "mlp.svg"
    assert main(["graph", "--model", "8", "--loss", "mse", "--out", str(out)]) == 0
    assert "<svg" in out.read_text()


def test_a_closed_pipe_is_not_reported_as_an_error():
    """`chainrule explain worked-example | head -1`: the reader leaves early; no error text."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "explain", "worked-example"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # nobody reads: every write gets EPIPE
    err = process.stderr.read().decode()
    assert process.wait() == 141 and err == ""


def test_graph_of_a_training_step_on_a_real_batch(tmp_path):
    """--data: the first mini-batch of the dataset; the loss drawn equals a NumPy
    cross-entropy of the same batch through the same initial weights."""
    pytest.importorskip("sklearn")
    from chainrule.data import load_digits
    from chainrule.train.run import TrainConfig, build_model

    out = tmp_path / "digits.dot"
    assert (
        main(["graph", "--data", "digits", "--model", "16", "--batch-size", "5", "--out", str(out)])
        == 0
    )
    titled = by_title(parse_dot(out.read_text())[0])
    assert titled["x (batch)"][1] == "(5, 64)" and titled["2.weight"][1] == "(16, 10)"
    (x, y), _ = load_digits()
    w1, b1, w2, b2 = (
        p.data.astype(np.float64) for p in build_model(TrainConfig(model=[16]), 64, 10).parameters()
    )
    logits = np.maximum(x[:5] @ w1 + b1, 0) @ w2 + b2
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    expected = -log_p[np.arange(5), y[:5]].mean()
    loss_title = next(t for t in titled if t.startswith("loss"))
    assert float(titled[loss_title][1]) == pytest.approx(expected, rel=1e-5)
