"""Optimisers and schedulers against torch.optim: 100 steps from the same weights and data."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

rng = np.random.default_rng(0)
W1, B1, W2 = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 2))
X, Y = rng.normal(size=(16, 4)), rng.normal(size=(16, 2))


def _chainrule_run(make_opt, steps=100):
    params = [cr.tensor(a, requires_grad=True) for a in (W1, B1, W2)]
    opt = make_opt(params)
    for _ in range(steps):
        w1, b1, w2 = params
        loss = (((cr.tensor(X) @ w1 + b1).tanh() @ w2 - cr.tensor(Y)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [p.data for p in params], opt


def _torch_run(make_opt, steps=100):
    params = [torch.tensor(a, requires_grad=True) for a in (W1, B1, W2)]
    opt = make_opt(params)
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(steps):
        w1, b1, w2 = params
        loss = ((torch.tanh(x @ w1 + b1) @ w2 - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in params]


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.002, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_100_steps_match_torch(name, options):
    ours, _ = _chainrule_run(lambda p: getattr(optim, name)(p, **options))
    theirs = _torch_run(lambda p: getattr(torch.optim, name)(p, **options))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("StepLR", dict(step_size=3, gamma=0.5)),
        ("ExponentialLR", dict(gamma=0.9)),
        ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ],
)
def test_scheduler_lr_sequence_matches_torch(name, options):
    ours = optim.SGD([cr.tensor([1.0], requires_grad=True)], lr=0.1)
    theirs = torch.optim.SGD([torch.tensor([1.0], requires_grad=True)], lr=0.1)
    ours_sched = getattr(optim.lr_scheduler, name)(ours, **options)
    theirs_sched = getattr(torch.optim.lr_scheduler, name)(theirs, **options)
    for _ in range(14):
        np.testing.assert_allclose(ours_sched.get_last_lr(), theirs_sched.get_last_lr(), rtol=1e-12)
        ours.step()
        theirs.step()
        ours_sched.step()
        theirs_sched.step()
