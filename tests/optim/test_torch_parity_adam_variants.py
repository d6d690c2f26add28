"""Adamax, NAdam and RAdam against torch 2.13 step by step: whole trajectories with several
parameter groups, float64 and float32, maximize and both weight decays, state_dict resumes,
and the hyper-parameter checks."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

rng = np.random.default_rng(11)
W, B, X, Y = (
    rng.normal(size=(3, 2)),
    rng.normal(size=2),
    rng.normal(size=(8, 3)),
    rng.normal(size=(8, 2)),
)

# (optimiser, options of the first group, options of the second); RAdam's steps run past
# rho_t = 5 (its SGD phase is the first five steps with beta2 = 0.999)
CASES = [
    ("Adamax", {}, {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("Adamax", {"weight_decay": 0.1, "maximize": True}, {"eps": 1e-3}),
    ("NAdam", {}, {"lr": 0.01, "momentum_decay": 0.01}),
    ("NAdam", {"weight_decay": 0.1}, {"weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("NAdam", {"maximize": True, "betas": (0.5, 0.9)}, {}),
    ("RAdam", {}, {"lr": 0.01, "betas": (0.9, 0.9)}),
    ("RAdam", {"weight_decay": 0.1}, {"weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("RAdam", {"maximize": True}, {"eps": 1e-4}),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _run(lib, name, first, second, dtype, steps=12, split=None, state=None):
    """Weights after ``steps`` on a least-squares problem, W in one group and b in another; with
    ``split``, the optimiser's state_dict after that many steps is returned instead."""
    if lib == "torch":
        tensor, module = (lambda a, **k: torch.tensor(a, **k)), torch.optim
        numpy = lambda t: t.detach().numpy()  # noqa: E731
    else:
        tensor, module, numpy = (lambda a, **k: cr.tensor(a, **k)), optim, lambda t: t.numpy()
    w, b = tensor(W.astype(dtype), requires_grad=True), tensor(B.astype(dtype), requires_grad=True)
    x, y = tensor(X.astype(dtype)), tensor(Y.astype(dtype))
    opt = getattr(module, name)([{"params": [w], **first}, {"params": [b], **second}], lr=0.05)
    start = 0
    if state is not None:
        w.data[...], b.data[...] = (torch.tensor(a) if lib == "torch" else a for a in state[0])
        opt.load_state_dict(state[1])
        start = state[2]
    for i in range(start, steps):
        if split is not None and i == split:
            return [numpy(w).copy(), numpy(b).copy()], opt.state_dict(), i
        opt.zero_grad()
        (((x @ w + b - y) ** 2).mean()).backward()
        opt.step()
    return numpy(w), numpy(b)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-6)], ids=str)
@pytest.mark.parametrize(("name", "first", "second"), CASES, ids=IDS)
def test_trajectories_match_torch(name, first, second, dtype, tol):
    ours, theirs = _run("cr", name, first, second, dtype), _run("torch", name, first, second, dtype)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == dtype
        # NAdam: torch keeps its momentum product as a float32 tensor even for float64 weights
        np.testing.assert_allclose(a, b, rtol=1e-7 if name == "NAdam" else tol, atol=tol)


@pytest.mark.parametrize(("name", "first", "second"), CASES[::3], ids=IDS[::3])
def test_a_resumed_run_ends_with_the_same_weights(name, first, second):
    unbroken = _run("cr", name, first, second, np.float64)
    saved = _run("cr", name, first, second, np.float64, split=5)
    resumed = _run("cr", name, first, second, np.float64, state=saved)
    for a, b in zip(resumed, unbroken, strict=True):
        np.testing.assert_array_equal(a, b)


def test_defaults_are_torchs():
    p = [cr.tensor(np.zeros(2), requires_grad=True)]
    for name in ("Adamax", "NAdam", "RAdam"):
        ours = getattr(optim, name)(p).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam"])
def test_bad_hyper_parameters_are_named(name):
    p = [cr.tensor(np.zeros(2), requires_grad=True)]
    make = getattr(optim, name)
    with pytest.raises(ValueRangeError, match=f"{name}: lr must be >= 0"):
        make(p, lr=-1.0)
    with pytest.raises(ValueRangeError, match=f"{name}: betas must be a pair"):
        make(p, betas=(0.9, 1.0))
    with pytest.raises(ValueRangeError, match=f"{name}: eps must be >= 0"):
        make(p, eps=-1e-8)
    if name == "NAdam":
        with pytest.raises(ValueRangeError, match="NAdam: momentum_decay must be >= 0"):
            make(p, momentum_decay=-0.1)
