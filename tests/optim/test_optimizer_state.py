"""Optimiser behaviour that needs no reference library: formulas, dtypes, state round trips."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim


def _quadratic_step(opt, params):
    opt.zero_grad()
    loss = sum(((p - 1.0) ** 2).sum() for p in params)
    loss.backward()
    opt.step()


def test_plain_sgd_is_p_minus_lr_times_grad():
    p = cr.tensor([0.0, 2.0, 5.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    _quadratic_step(opt, [p])
    np.testing.assert_allclose(p.data, np.array([0.0, 2.0, 5.0]) - 0.1 * 2 * np.array([-1, 1, 4]))


def test_first_adam_step_moves_each_weight_by_lr():
    p = cr.tensor([0.0, 2.0, 5.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    _quadratic_step(opt, [p])
    np.testing.assert_allclose(p.data, [0.01, 1.99, 4.99], rtol=1e-5)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_float32_parameters_stay_float32(name):
    p = cr.randn(3, 2, requires_grad=True, seed=0)
    opt = getattr(optim, name)([p], lr=0.01)
    for _ in range(3):
        _quadratic_step(opt, [p])
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", dict(momentum=0.9)),
        ("RMSprop", dict(centered=True, momentum=0.5)),
        ("Adam", dict(amsgrad=True)),
        ("Adagrad", {}),
    ],
)
def test_state_dict_round_trip_resumes_identically(name, options):
    start = np.random.default_rng(1).normal(size=(4,))
    a = cr.tensor(start, requires_grad=True)
    opt_a = getattr(optim, name)([a], lr=0.05, **options)
    for _ in range(10):
        _quadratic_step(opt_a, [a])
    b = cr.tensor(a.data.copy(), requires_grad=True)
    opt_b = getattr(optim, name)([b], lr=0.05, **options)
    opt_b.load_state_dict(opt_a.state_dict())
    for _ in range(10):
        _quadratic_step(opt_a, [a])
        _quadratic_step(opt_b, [b])
    np.testing.assert_array_equal(a.data, b.data)


def test_load_state_dict_errors_name_the_problem():
    a = cr.tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    _quadratic_step(opt, [a])
    saved = opt.state_dict()
    two = optim.SGD([cr.zeros(3, requires_grad=True), cr.zeros(3, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="2 here"):
        two.load_state_dict(saved)
    other = optim.SGD([cr.zeros(4, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="momentum_buffer"):
        other.load_state_dict(saved)


def test_bad_hyper_parameters_are_refused():
    p = cr.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="SGD"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(TypeError, match="leaf"):
        optim.SGD([p * 2], lr=0.1)
