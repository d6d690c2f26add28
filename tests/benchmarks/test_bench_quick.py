"""Smoke tests of the benchmark suite: a tiny run works and the contenders agree.

No timings are asserted; the references are independent NumPy code (the floor, the
vectorised classic algorithm) and closed-form values.
"""

from __future__ import annotations

import gc
import importlib.util
import json

import numpy as np
import pytest

from benchmarks import chainrule_mlp, classic, numpy_mlp, overhead, report
from benchmarks.__main__ import SIZES, alternate, init_weights, main, ratio_spread


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, SIZES[0]), dtype=np.float32), rng.integers(0, 10, n)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("adam", 1e-3)])
def test_chainrule_mlp_matches_numpy_floor(optimizer, lr):
    x, y = _data()
    init = init_weights(SIZES, np.random.default_rng(1))
    batches = [np.arange(i, i + 32) for i in range(0, 256, 32)]
    loss_np, w_np = numpy_mlp.train(init, x, y, batches, optimizer, lr)
    loss_cr, w_cr = chainrule_mlp.train(init, x, y, batches, optimizer, lr)
    assert loss_cr == pytest.approx(loss_np, rel=1e-5)
    # Adam's m / sqrt(v) amplifies rounding where gradients are tiny: 1e-4 is 1/80 of the
    # 8 steps of at most lr = 1e-3 each
    atol = 1e-6 if optimizer == "sgd" else 1e-4
    for a, b in zip(w_np, w_cr, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=atol)
    assert all(w.dtype == np.float32 for w in w_cr)


@pytest.mark.torch
def test_numpy_floor_matches_torch():
    torch = pytest.importorskip("torch")
    from benchmarks import torch_mlp

    torch.set_num_threads(1)
    x, y = _data()
    init = init_weights(SIZES, np.random.default_rng(1))
    batches = [np.arange(i, i + 64) for i in range(0, 256, 64)]
    for optimizer, lr in (("sgd", 0.05), ("adam", 1e-3)):
        loss_np, w_np = numpy_mlp.train(init, x, y, batches, optimizer, lr)
        loss_t, w_t = torch_mlp.train(init, x, y, batches, optimizer, lr)
        assert loss_t == pytest.approx(loss_np, rel=1e-4)
        for a, b in zip(w_np, w_t, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-4)


def test_classic_versions_agree():
    x, labels = _data(60)
    y = np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(s).astype(np.float32) for s in ((784, 30), (30, 10))]
    biases = [rng.standard_normal(n).astype(np.float32) for n in (30, 10)]
    batches = [np.arange(i, i + 10) for i in range(0, 60, 10)]
    ref = classic.train_per_sample(weights, biases, x, y, batches, 3.0)
    for train in (classic.train_vectorised, classic.train_chainrule):
        got = train(weights, biases, x, y, batches, 3.0)
        for a, b in zip(ref[0] + ref[1], got[0] + got[1], strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


def test_chain_gradient_is_the_product_of_the_factors():
    assert overhead.CHAINS["chainrule"](200) == pytest.approx(1.0001**100, rel=1e-5)


def test_quick_run_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    out_png = tmp_path / "bench.png"
    assert main(["--quick", "--reps", "1", "--batches", "3", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    names = [r["workload"] for r in results["rows"]]
    assert any("MLP SGD batch 64" in n for n in names) and any("classic" in n for n in names)
    targets = {r["workload"].split(",")[0]: r.get("target") for r in results["rows"]}
    assert targets["MLP SGD batch 10"] == {"of": "numpy", "max": 1.25}
    assert targets["MLP ADAM batch 64"] == {"of": "numpy", "max": 1.15}
    printed = capsys.readouterr().out
    assert "chainrule / floor" in printed and "≤ 1.25× floor: " in printed
    assert "verdicts of this run are indicative only" in printed  # a quick run is no judge
    if importlib.util.find_spec("matplotlib"):
        assert printed.count("wrote ") == 2 and out_png.read_bytes()[:4] == b"\x89PNG"


def test_bad_option_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["--reps", "0"])
    assert "--reps must be >= 1" in capsys.readouterr().err


def test_an_unwritable_json_path_is_refused_before_any_measuring(tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(SystemExit):
        main(["--quick", "--json", str(a_file / "results" / "bench.json")])
    err = capsys.readouterr().err
    assert f"--json: cannot create the folder {a_file / 'results'}: Not a directory" in err
    assert "repetitions" not in err  # refused before the first workload


def test_gap_ops_only_training_matches_the_floor():
    """The hand-driven op functions of ``benchmarks.gap`` train exactly like the floor."""
    from benchmarks.gap import ops_only_training, train_ops_only
    from benchmarks.pieces import run_to_end

    x, y = _data()
    init = init_weights(SIZES, np.random.default_rng(1))
    batches = [np.arange(i, i + 32) for i in range(0, 256, 32)]
    loss_np, w_np = numpy_mlp.train(init, x, y, batches, "sgd", 0.1)
    loss_ops, w_ops = train_ops_only(init, x, y, batches, 0.1)
    assert loss_ops == pytest.approx(loss_np, rel=1e-5)
    for a, b in zip(w_np, w_ops, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
    _, w_pieces = run_to_end(ops_only_training(init, x, y, batches, 0.1, pieces=3))
    for a, b in zip(w_ops, w_pieces, strict=True):
        np.testing.assert_array_equal(b, a)


def test_floor_sgd_keeping_gradients_updates_alike_and_leaves_them_intact():
    rng = np.random.default_rng(0)
    params = [rng.random((5, 3), dtype=np.float32), rng.random(3, dtype=np.float32)]
    grads = [rng.random(p.shape, dtype=np.float32) for p in params]
    kept = [g.copy() for g in grads]
    in_place, keeping = [p.copy() for p in params], [p.copy() for p in params]
    numpy_mlp.SGD(in_place, 0.1).step([g.copy() for g in grads])
    numpy_mlp.SGD(keeping, 0.1, keep_grads=True).step(grads)
    for a, b, p, g in zip(in_place, keeping, params, grads, strict=True):
        np.testing.assert_array_equal(b, a)
        np.testing.assert_allclose(a, p - np.float32(0.1) * g, rtol=1e-6)
    for g, k in zip(grads, kept, strict=True):
        np.testing.assert_array_equal(g, k)


def test_floor_refuses_an_unknown_optimizer_and_gap_a_bad_option(capsys):
    x, y = _data(32)
    init = init_weights(SIZES, np.random.default_rng(1))
    with pytest.raises(ValueError, match="'sgd_keep_grad'"):
        numpy_mlp.train(init, x, y, [np.arange(32)], "sgd_keep_grad", 0.1)
    from benchmarks.gap import main as gap_main

    for bad in (["--threads", "0"], ["--batch", "0"]):
        with pytest.raises(SystemExit):
            gap_main(bad)
        assert "--reps, --threads and --batch must be >= 1" in capsys.readouterr().err


def test_ratio_spread_pairs_the_repetitions():
    # paired by repetition: 2/1, 3/2, 8/4 -> 2.0, 1.5, 2.0 (a ratio of medians would give 3/2)
    times = {"chainrule": [2.0, 3.0, 8.0], "numpy": [1.0, 2.0, 4.0]}
    assert ratio_spread(times) == {"min": 1.5, "median": 2.0, "max": 2.0}


def test_alternate_rotates_and_keeps_every_repetition():
    order = []
    contenders = {name: (lambda name=name: order.append(name) or name) for name in "abc"}
    medians, results, times = alternate(contenders, 3)
    # each repetition starts one contender later, and every other one runs the cycle backwards
    assert order == list("abcacbcab")
    assert results == {"a": "a", "b": "b", "c": "c"}
    assert {n: len(t) for n, t in times.items()} == {"a": 3, "b": 3, "c": 3}
    assert all(medians[n] == sorted(times[n])[1] for n in "abc")


def test_table_shows_the_per_repetition_range():
    row = {
        "workload": "w",
        "numpy": 1.0,
        "chainrule": 1.2,
        "torch": None,
        "per_rep": {"min": 1.15, "median": 1.2, "max": 1.31},
    }
    assert "| w | 1 s | 1.2 s | — | 1.20× | 1.15–1.31× | — | — |" in report.table([row])


def test_table_judges_each_row_against_its_target():
    row = {"workload": "w", "numpy": 1.0, "chainrule": 1.102, "torch": 2.0}
    assert report.verdict({**row, "target": report.target("numpy", 1.10)}) == (
        "≤ 1.10× floor: missed (1.102×)"
    )
    assert report.verdict({**row, "target": report.target("numpy", 1.25)}) == (
        "≤ 1.25× floor: met (1.102×)"
    )
    assert report.verdict({**row, "target": report.target("torch", 0.5)}) == (
        "≤ 0.50× PyTorch: missed (0.551×)"
    )
    assert report.verdict({**row, "chainrule": 1.2003, "target": report.target("numpy", 1.2)}) == (
        "≤ 1.20× floor: missed (1.2003×)"
    )
    assert report.verdict(row) == "—"  # no target
    assert report.target_met(row) is None
    assert report.target_met({**row, "target": report.target("numpy", 1.10)}) is False
    no_torch = {**row, "torch": None, "target": report.target("torch", 0.75)}
    assert report.verdict(no_torch) == "—"  # nothing to judge against
    assert report.table([{**row, "target": report.target("numpy", 1.25)}]).endswith(
        "| 0.55× | ≤ 1.25× floor: met (1.102×) |"
    )


def test_plot_writes_a_png_and_leaves_no_temporary_file(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [
        {
            "workload": "a",
            "numpy": 1.0,
            "chainrule": 1.3,
            "torch": 2.0,
            "target": report.target("numpy", 1.25),
            "per_rep": {"min": 1.2, "median": 1.3, "max": 1.4},
        },
        {
            "workload": "chain",
            "numpy": None,
            "chainrule": 5.0,
            "torch": 7.0,
            "target": report.target("torch", 0.75),
        },
        {"workload": "no target", "numpy": 1.0, "chainrule": 1.1, "torch": None},
        {"workload": "not measured", "numpy": None, "chainrule": 1.0, "torch": None},
    ]
    path = tmp_path / "bench.png"
    report.plot(rows, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["bench.png"]


def test_update_costs_times_the_three_forms_and_the_optimizers_own_step(monkeypatch):
    from benchmarks import gap

    steps = []
    real_step = gap.optim.SGD.step
    monkeypatch.setattr(gap.optim.SGD, "step", lambda self: steps.append(real_step(self)))
    costs = gap.update_costs((8, 8, 4), reps=2, calls=3)
    assert list(costs) == ["floor, in place", "floor, p -= lr * g", "optim.SGD"]
    assert all(0 < fastest <= median for median, fastest in costs.values())
    assert len(steps) == 2 * 3  # reps x calls: the optimizer's own step was what got timed


def test_side_costs_counts_collector_passes_and_page_faults():
    from benchmarks.gap import side_costs

    gc.disable()  # no automatic pass may land inside the first call
    try:
        assert side_costs(lambda: None)["gc_passes"] == 0
    finally:
        gc.enable()
    assert side_costs(lambda: gc.collect())["gc_passes"] >= 1
    # 64 MiB written for the first time comes from the kernel: at least one fault per 2 MiB
    # (the largest page size, with transparent huge pages; 4 KiB pages give 16,384 faults)
    assert side_costs(lambda: np.ones(1 << 24, np.float32))["page_faults"] >= 32


def test_chainrule_in_place_update_trains_like_the_optimizer():
    """``benchmarks.gap``'s in-place SGD (measurement only) gives the same weights as optim.SGD
    up to rounding (optim.SGD's axpy fuses the multiply and add), so the time it saves is the
    update's alone; an unknown optimizer name is refused."""
    x, y = _data()
    init = init_weights(SIZES, np.random.default_rng(1))
    batches = [np.arange(i, i + 32) for i in range(0, 256, 32)]
    _, w_sgd = chainrule_mlp.train(init, x, y, batches, "sgd", 0.1)
    _, w_in_place = chainrule_mlp.train(init, x, y, batches, "sgd_in_place", 0.1)
    for a, b in zip(w_sgd, w_in_place, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="chainrule_mlp.train: optimizer must be one of"):
        chainrule_mlp.train(init, x, y, batches, "sdg", 0.1)


def test_chain_workload_alternates_and_refuses_a_wrong_gradient(monkeypatch):
    from benchmarks.__main__ import chain_workload

    calls = []
    real = overhead.CHAINS["chainrule"]  # torch's chain computes the same: it stands in for it
    for name in ("chainrule", "torch"):
        monkeypatch.setitem(
            overhead.CHAINS, name, lambda n, name=name, real=real: calls.append(name) or real(n)
        )
    row = chain_workload(has_torch=True, reps=3, n_ops=20)
    assert calls == ["chainrule", "torch", "torch", "chainrule", "chainrule", "torch"]
    assert row["unit"] == "µs/op" and row["chainrule"] > 0 and row["torch"] > 0
    assert set(row["per_chain_vs_torch"]) == {"min", "median", "max"}
    monkeypatch.setitem(overhead.CHAINS, "torch", lambda n: 2.0)  # fast and wrong
    with pytest.raises(AssertionError, match="torch"):
        chain_workload(has_torch=True, reps=1, n_ops=20)


def test_alternate_runs_generators_piece_by_piece():
    order = []

    def training(name, pieces):
        for i in range(pieces):
            order.append(f"{name}{i}")
            yield
        return name.upper()

    contenders = {"a": lambda: training("a", 2), "b": lambda: training("b", 3)}
    _, results, times = alternate(contenders, 2)
    # turns alternate within a repetition; the second repetition starts with b
    assert order == ["a0", "b0", "a1", "b1", "b2"] + ["b0", "a0", "b1", "a1", "b2"]
    assert results == {"a": "A", "b": "B"}
    assert all(len(t) == 2 and min(t) > 0 for t in times.values())


def test_split_keeps_every_batch_in_order():
    from benchmarks.pieces import split

    batches = list(range(10))
    assert split(batches, 3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
    assert split(batches, 20) == [[b] for b in batches]  # no empty pieces
    assert split(batches, 1) == [batches]
    with pytest.raises(ValueError, match="pieces must be >= 1"):
        split(batches, 0)


@pytest.mark.parametrize("module", [numpy_mlp, chainrule_mlp])
def test_training_in_pieces_equals_training_at_once(module):
    from benchmarks.pieces import run_to_end

    x, y = _data()
    init = init_weights(SIZES, np.random.default_rng(1))
    batches = [np.arange(i, i + 32) for i in range(0, 256, 32)]
    loss, weights = module.train(init, x, y, batches, "sgd", 0.1)
    loss_p, weights_p = run_to_end(module.training(init, x, y, batches, "sgd", 0.1, pieces=3))
    assert loss_p == loss
    for a, b in zip(weights, weights_p, strict=True):
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("name", ["vectorised", "chainrule", "per_sample"])
def test_classic_training_in_pieces_equals_training_at_once(name):
    from benchmarks.pieces import run_to_end

    rng = np.random.default_rng(3)
    x, y = (
        rng.random((60, 784), dtype=np.float32),
        np.eye(10, dtype=np.float32)[rng.integers(0, 10, 60)],
    )
    weights = [rng.standard_normal(s).astype(np.float32) for s in ((784, 30), (30, 10))]
    biases = [rng.standard_normal(n).astype(np.float32) for n in (30, 10)]
    batches = [np.arange(i, i + 10) for i in range(0, 60, 10)]
    whole = getattr(classic, f"train_{name}")(weights, biases, x, y, batches, 3.0)
    pieces = run_to_end(
        getattr(classic, f"{name}_training")(weights, biases, x, y, batches, 3.0, 4)
    )
    for a, b in zip(whole[0] + whole[1], pieces[0] + pieces[1], strict=True):
        np.testing.assert_array_equal(b, a)


def test_progress_prints_one_line_when_the_work_is_done(capsys):
    from benchmarks.__main__ import progress

    tick = progress("long chains", 3, "chains")
    tick()
    tick()
    assert capsys.readouterr().err == ""  # not a terminal: no bar, and nothing before the end
    tick()
    line = capsys.readouterr().err
    assert line.startswith("long chains: 3 chains, ") and line.endswith(" s\n")


def test_alternate_with_a_label_reports_its_repetitions(capsys):
    alternate({"a": lambda: 1, "b": lambda: 2}, 2, "two contenders")
    assert capsys.readouterr().err.startswith("two contenders: 2 repetitions, ")
    alternate({"a": lambda: 1}, 2)
    assert capsys.readouterr().err == ""


def test_chain_growth_calls_a_quadratic_cost_not_linear():
    from benchmarks.__main__ import chain_growth

    def chain(ops, us_per_op, mib):
        return {"ops": ops, "backward_us_per_op": us_per_op, "graph_mib": mib}

    linear = chain_growth([chain(10_000, 2.0, 5.0), chain(100_000, 2.5, 50.0)])
    assert "time 1.25, graph memory 1.00" in linear and linear.endswith("up to 2: met)")
    quadratic = chain_growth([chain(10_000, 2.0, 5.0), chain(100_000, 20.0, 50.0)])
    assert "time 10.00" in quadratic and quadratic.endswith("missed)")
    growing_graph = chain_growth([chain(10_000, 2.0, 5.0), chain(100_000, 2.0, 500.0)])
    assert "graph memory 10.00" in growing_graph and growing_graph.endswith("missed)")


def test_the_loss_check_catches_a_contender_that_skips_every_other_step():
    # with the old 25 % tolerance a contender doing half the steps passed (its loss ~22 % off)
    from benchmarks.__main__ import check_losses, load_data

    x, y, source = load_data()
    if source != "Fashion-MNIST":  # random labels: no contender's loss moves from log(10)
        pytest.skip("needs the Fashion-MNIST files (Debian's dataset-fashion-mnist)")
    init = init_weights(SIZES, np.random.default_rng(1))
    order = np.random.default_rng(2).permutation(len(x))[: 64 * 200]
    batches = [order[i : i + 64] for i in range(0, len(order), 64)]
    full, _ = numpy_mlp.train(init, x, y, batches, "sgd", 0.1)
    honest, _ = chainrule_mlp.train(init, x, y, batches, "sgd", 0.1)
    lazy, _ = chainrule_mlp.train(init, x, y, batches[1::2] + batches[-1:], "sgd", 0.1)
    check_losses("honest", {"numpy": full, "chainrule": honest})
    with pytest.raises(AssertionError, match="final loss of chainrule"):
        check_losses("lazy", {"numpy": full, "chainrule": lazy})


def test_torch_contender_refuses_an_optimizer_it_does_not_have():
    # any name but "sgd" used to train with Adam, so a typo would compare unlike updates
    pytest.importorskip("torch")
    from benchmarks import torch_mlp

    x, y = _data(32)
    init = init_weights(SIZES, np.random.default_rng(1))
    with pytest.raises(ValueError, match="torch_mlp.train: optimizer must be 'sgd' or 'adam'"):
        torch_mlp.train(init, x, y, [np.arange(32)], "sgd_keep_grads", 0.1)
