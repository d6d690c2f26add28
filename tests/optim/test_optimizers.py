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


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
]


@pytest.mark.parametrize(("name", "options"), SCHEDULERS)
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


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adam"])
def test_negative_eps_is_refused_like_torch(name):
    with pytest.raises(ValueError, match="epsilon"):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], eps=-1e-8)
    with pytest.raises(ValueError, match=rf"{name}: .*eps.* must be >= 0"):
        getattr(optim, name)([cr.zeros(1, requires_grad=True)], eps=-1e-8)
    getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], eps=0.0)
    getattr(optim, name)([cr.zeros(1, requires_grad=True)], eps=0.0)  # zero is allowed


def _lr_sequences(lib, make_scheds, steps=14, set_lr_at=None):
    """The lr after each epoch of SGD driven by the schedulers ``make_scheds`` builds; at
    epoch ``set_lr_at`` the lr is set by hand to 0.03 first."""
    opt = lib.optim.SGD([lib.tensor([1.0], requires_grad=True)], lr=0.1)
    scheds = make_scheds(lib.optim.lr_scheduler, opt)
    lrs = []
    for epoch in range(steps):
        if epoch == set_lr_at:
            opt.param_groups[0]["lr"] = 0.03
        opt.step()
        for sched in scheds:
            sched.step()
        lrs.append((opt.param_groups[0]["lr"], *(s.get_last_lr()[0] for s in scheds)))
    return lrs


def test_step_and_exponential_lr_chain_like_torch():
    def make(lr_scheduler, opt):
        return [
            lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
            lr_scheduler.ExponentialLR(opt, 0.9),
        ]

    ours, theirs = _lr_sequences(cr, make), _lr_sequences(torch, make)
    assert ours == theirs  # the same products in the same order: bit for bit
    assert ours[-1][0] == pytest.approx(0.1 * 0.5**4 * 0.9**14, rel=1e-12)


@pytest.mark.parametrize(("name", "options"), SCHEDULERS)
def test_an_lr_set_by_hand_carries_on_like_torch(name, options):
    def make(lr_scheduler, opt):
        return [getattr(lr_scheduler, name)(opt, **options)]

    ours = _lr_sequences(cr, make, set_lr_at=4)
    theirs = _lr_sequences(torch, make, set_lr_at=4)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    if name != "CosineAnnealingLR":
        assert ours == theirs


@pytest.mark.parametrize(("name", "options"), SCHEDULERS)
def test_a_resumed_scheduler_continues_bit_for_bit(name, options, tmp_path):
    """As chainrule.train resumes: optimiser and scheduler state through cr.save / cr.load."""

    def run(epochs, start=None):
        p = cr.tensor([1.0], requires_grad=True)
        opt = optim.SGD([p], lr=0.1, momentum=0.9)
        sched = getattr(optim.lr_scheduler, name)(opt, **options)
        if start is not None:
            state = cr.load(start)
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["scheduler"])
        lrs = []
        for _ in range(epochs):
            p.grad = cr.tensor([0.5])
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        path = tmp_path / "state.npz"
        cr.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, path)
        return lrs, path

    full, _ = run(12)
    first, path = run(5)
    rest, _ = run(7, start=path)
    assert first + rest == full
