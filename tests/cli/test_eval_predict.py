"""``chainrule eval`` and ``chainrule predict`` on a tiny trained run, checked independently."""

import json
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.data import load_digits

metrics = pytest.importorskip("sklearn.metrics")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evalpredict") / "run"
    args = ["train", "--model", "16", "--epochs", "2", "--out", str(folder), "--quiet"]
    assert main(args) == 0
    return folder


def _mlp_outputs(checkpoint, x):
    """The 64-16-10 ReLU MLP evaluated in plain NumPy from the saved weights."""
    w = {k: v.data for k, v in cr.load(checkpoint)["model"].items()}
    hidden = np.maximum(x @ w["0.weight"] + w["0.bias"], 0)
    return hidden @ w["2.weight"] + w["2.bias"]


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True
    )


def test_eval_matches_sklearn_on_independent_predictions(run, capsys):
    assert main(["eval", str(run)]) == 0
    out = capsys.readouterr().out
    _, (x_test, y_test) = load_digits()
    predicted = _mlp_outputs(run / "best.npz", x_test).argmax(axis=1)
    report = json.loads((run / "eval.json").read_text())
    assert report["accuracy"] == pytest.approx(metrics.accuracy_score(y_test, predicted))
    np.testing.assert_array_equal(
        report["confusion"], metrics.confusion_matrix(y_test, predicted, labels=range(10))
    )
    recall = metrics.recall_score(y_test, predicted, average=None, labels=range(10))
    np.testing.assert_allclose(report["per_class_accuracy"], recall)
    assert f"{100 * report['accuracy']:.2f}%" in out and "per-class accuracy" in out
    assert (run / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_predict_png_with_a_light_background_like_the_array(run, tmp_path, capsys):
    _, (x_test, _) = load_digits()
    sample = x_test[5].reshape(8, 8)
    # dark ink on white, 4x larger, RGB: predict must invert, grey and average it back down
    image = np.repeat(1 - np.kron(sample, np.ones((4, 4))), 3).reshape(32, 32, 3)
    plt.imsave(tmp_path / "digit.png", image)
    logits = _mlp_outputs(run / "best.npz", sample.reshape(1, 64))
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert main(["predict", str(run), str(tmp_path / "digit.png")]) == 0
    out = capsys.readouterr().out
    assert f"predicted class {int(expected.argmax())} " in out
    shown = [float(line.split()[1]) for line in out.splitlines()[2:]]
    np.testing.assert_allclose(shown, expected[0], atol=2e-2)  # 8-bit PNG quantisation


def test_predict_npy_batch(run, tmp_path, capsys):
    _, (x_test, _) = load_digits()
    np.save(tmp_path / "batch.npy", x_test[:4])
    assert main(["predict", str(run), str(tmp_path / "batch.npy")]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = _mlp_outputs(run / "best.npz", x_test[:4]).argmax(axis=1)
    assert [int(line.split()[4]) for line in lines] == expected.tolist()


def test_predict_wrong_image_size_is_one_line(run, tmp_path):
    plt.imsave(tmp_path / "wide.png", np.zeros((10, 12)), cmap="gray")
    result = _cli("predict", str(run), str(tmp_path / "wide.png"))
    assert result.returncode == 2 and "8x8" in result.stderr and "12x10" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "fake.png").write_text("not an image")
    result = _cli("predict", str(run), str(tmp_path / "fake.png"))
    assert result.returncode == 2 and "fake.png" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_checkpoint_that_does_not_fit_its_config(run, tmp_path):
    state = cr.load(run / "last.npz")
    state["config"]["model"] = [32]
    cr.save(state, tmp_path / "mismatch.npz")
    result = _cli("eval", str(tmp_path / "mismatch.npz"))
    assert result.returncode == 2 and "do not fit" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("eval", str(run), "--data", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_eval_with_a_dataset_of_another_input_size(run):
    from chainrule.data import DatasetError, load_fashion_mnist

    try:
        load_fashion_mnist()
    except DatasetError:
        pytest.skip("Fashion-MNIST files are not installed")
    result = _cli("eval", str(run), "--data", "fashion-mnist")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "64 inputs" in result.stderr and "784 features" in result.stderr


@pytest.mark.parametrize("shape", [(), (2, 32), (64, 1), (1, 64, 1), (4, 4, 4), (2, 1, 8, 8)])
def test_predict_npy_of_a_shape_that_is_no_sample_is_refused(tmp_path, shape):
    """Right size, wrong meaning: (2, 32) or (64, 1) reshaped to 64 values is a scrambled
    image, and a 0-d array is no sample at all."""
    from chainrule.cli import UsageError
    from chainrule.cli.predict import read_npy

    path = tmp_path / "x.npy"
    np.save(path, np.ones(shape, np.float32))
    with pytest.raises(UsageError, match=r"has shape .*\(8, 8\) or \(N, 8, 8\)") as caught:
        read_npy(path, 64)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("shape", [(64,), (8, 8), (1, 64), (3, 64), (3, 8, 8)])
def test_predict_npy_reads_every_documented_shape(tmp_path, shape):
    from chainrule.cli.predict import read_npy

    values = np.arange(np.prod(shape), dtype=np.float32) / 1000
    np.save(tmp_path / "x.npy", values.reshape(shape))
    np.testing.assert_array_equal(read_npy(tmp_path / "x.npy", 64), values.reshape(-1, 64))


def test_predict_npy_of_a_scalar_is_one_line(run, tmp_path, capsys):
    np.save(tmp_path / "scalar.npy", np.float32(1))
    assert main(["predict", str(run), str(tmp_path / "scalar.npy")]) == 2
    err = capsys.readouterr().err
    assert "scalar.npy: has shape ()" in err and len(err.strip().splitlines()) == 1
