"""Each scheduler driving an optimiser for 100 steps ends at PyTorch's weights (float64)."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

rng = np.random.default_rng(5)
W1, B1, W2 = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(5, 2))
X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))

CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9), "StepLR", dict(step_size=10, gamma=0.5)),
    ("Adam", dict(lr=0.02), "ExponentialLR", dict(gamma=0.97)),
    ("RMSprop", dict(lr=0.01, centered=True), "CosineAnnealingLR", dict(T_max=30, eta_min=1e-3)),
    ("Adagrad", dict(lr=0.2), "CosineAnnealingLR", dict(T_max=100)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1), "StepLR", dict(step_size=7, gamma=0.8)),
]


def _train(lib, make_opt, make_sched, arrays, to_numpy):
    params = [lib.tensor(a, requires_grad=True) for a in arrays]
    opt = make_opt(params)
    sched = make_sched(opt)
    x, y = lib.tensor(X), lib.tensor(Y)
    for _ in range(100):
        w1, b1, w2 = params
        loss = (((x @ w1 + b1).tanh() @ w2 - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()  # one scheduler step per optimiser step, so every schedule changes often
    return [to_numpy(p) for p in params], sched.get_last_lr()


@pytest.mark.parametrize(("opt_name", "opt_args", "sched_name", "sched_args"), CASES)
def test_100_scheduled_steps_match_torch(opt_name, opt_args, sched_name, sched_args):
    ours, our_lr = _train(
        cr,
        lambda p: getattr(optim, opt_name)(p, **opt_args),
        lambda o: getattr(optim.lr_scheduler, sched_name)(o, **sched_args),
        (W1, B1, W2),
        lambda p: p.data,
    )
    theirs, their_lr = _train(
        torch,
        lambda p: getattr(torch.optim, opt_name)(p, **opt_args),
        lambda o: getattr(torch.optim.lr_scheduler, sched_name)(o, **sched_args),
        (W1, B1, W2),
        lambda p: p.detach().numpy(),
    )
    np.testing.assert_allclose(our_lr, their_lr, rtol=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)


class _Chain:
    """Two schedulers on one optimiser, stepped together, as one ``sched`` for ``_train``."""

    def __init__(self, lr_scheduler, opt):
        self.parts = [
            lr_scheduler.StepLR(opt, step_size=10, gamma=0.5),
            lr_scheduler.ExponentialLR(opt, gamma=0.98),
        ]

    def step(self):
        for part in self.parts:
            part.step()

    def get_last_lr(self):
        return [lr for part in self.parts for lr in part.get_last_lr()]


def test_chained_step_and_exponential_lr_train_like_torch():
    ours, our_lr = _train(
        cr,
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda o: _Chain(optim.lr_scheduler, o),
        (W1, B1, W2),
        lambda p: p.data,
    )
    theirs, their_lr = _train(
        torch,
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        lambda o: _Chain(torch.optim.lr_scheduler, o),
        (W1, B1, W2),
        lambda p: p.detach().numpy(),
    )
    assert our_lr == their_lr
    assert our_lr[-1] == pytest.approx(0.1 * 0.5**10 * 0.98**100, rel=1e-12)  # the last one
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)
