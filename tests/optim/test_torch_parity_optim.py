"""torch.optim parity: ``step(closure)``, the learning-rate schedulers torch users reach for,
and Adam's ``decoupled_weight_decay``, each compared with PyTorch 2.13 step by step."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

rng = np.random.default_rng(7)
W, B, X, Y = (
    rng.normal(size=(3, 2)),
    rng.normal(size=2),
    rng.normal(size=(8, 3)),
    rng.normal(size=(8, 2)),
)


def _lib(lib):
    """(tensor maker, optim module, lr_scheduler module, array of a parameter) of a library."""
    if lib == "torch":
        return torch.tensor, torch.optim, torch.optim.lr_scheduler, lambda p: p.detach().numpy()
    return cr.tensor, optim, optim.lr_scheduler, lambda p: p.numpy()


# ---- step(closure) ------------------------------------------------------------------------------
OPTIMISERS = [
    ("SGD", dict(lr=0.1)),  # the plain-SGD branch
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("Adam", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5)),
]


def _closure_run(lib, name, options, steps=5):
    """Train with ``opt.step(closure)`` called inside no_grad; the losses it returned, weights."""
    tensor, optim_module, _, to_numpy = _lib(lib)
    no_grad = torch.no_grad if lib == "torch" else cr.no_grad
    w, b = tensor(W, requires_grad=True), tensor(B, requires_grad=True)
    x, y = tensor(X), tensor(Y)
    opt = getattr(optim_module, name)([w, b], **options)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()  # needs a graph although step() runs inside no_grad
        return loss

    losses = []
    for _ in range(steps):
        with no_grad():
            losses.append(float(opt.step(closure)))
    assert len(calls) == steps  # once per step
    assert opt.step() is None  # without a closure
    return losses, [to_numpy(w), to_numpy(b)]


@pytest.mark.parametrize(("name", "options"), OPTIMISERS)
def test_step_closure_is_called_under_enable_grad_and_its_loss_returned_like_torch(name, options):
    our_losses, ours = _closure_run("chainrule", name, options)
    their_losses, theirs = _closure_run("torch", name, options)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ---- learning-rate schedulers -------------------------------------------------------------------
def _warm(epoch):
    return 0.9**epoch


def _harmonic(epoch):
    return 1 / (epoch + 1)


class _Decay:
    """A callable object: state_dict keeps its attributes (a function's cannot be kept)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate


SCHEDULES = {
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=[_warm, _harmonic]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lr_lambda=_Decay(0.95)),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=4),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=3),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=3), L.ExponentialLR(o, 0.9)], [3]
    ),
    # each later schedule restarts at its milestone: closed forms (cosine, MultiStepLR) and
    # a recursive one (MultiplicativeLR)
    "SequentialLR-4": lambda L, o: L.SequentialLR(
        o,
        [
            L.ConstantLR(o, factor=0.5, total_iters=2),
            L.CosineAnnealingLR(o, T_max=4, eta_min=1e-3),
            L.MultiplicativeLR(o, lambda epoch: 0.8),
            L.MultiStepLR(o, milestones=[1, 2]),
        ],
        milestones=[2, 6, 9],
    ),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=2), L.ExponentialLR(o, gamma=0.9)]
    ),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=14),
    "OneCycleLR-3": lambda L, o: L.OneCycleLR(
        o,
        1.0,
        epochs=2,
        steps_per_epoch=7,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
    ),
}
METRICS = [5.0, 4.0, 4.0001, 4.0, 4.0, 4.0, 3.0, 3.5, 3.5, 3.5, 3.5, 6.0, 6.1, 6.2]


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _schedule_run(lib, make, steps=14, first=0, opt_name="SGD", state=None, metrics=None):
    """Per epoch: ``get_last_lr()``, each group's lr and momentum, under an SGD (or Adam) with
    two groups of different lrs. ``state``: ``(optimizer, scheduler)`` state_dicts to load into
    the fresh pair first (resuming at epoch ``first``)."""
    tensor, optim_module, lr_scheduler, _ = _lib(lib)
    a, b = tensor([0.0, 0.0], requires_grad=True), tensor([0.0], requires_grad=True)
    extra = dict(momentum=0.9) if opt_name == "SGD" else {}
    groups = [{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.03}]
    opt = getattr(optim_module, opt_name)(groups, **extra)
    scheduler = make(lr_scheduler, opt)
    if state is not None:
        opt.load_state_dict(state[0])
        scheduler.load_state_dict(state[1])
    trajectory = []
    for epoch in range(first, steps):
        opt.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[epoch])
        trajectory.append(
            scheduler.get_last_lr() + [g["lr"] for g in opt.param_groups] + _momenta(opt)
        )
    return trajectory, opt, scheduler


@pytest.fixture(autouse=True)
def _quiet_torch():
    with warnings.catch_warnings():  # torch's warnings about the order of step() calls
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_lr_trajectory_matches_torch_exactly(name):
    ours, _, _ = _schedule_run("chainrule", SCHEDULES[name])
    theirs, _, _ = _schedule_run("torch", SCHEDULES[name])
    assert ours == theirs


def test_one_cycle_lr_cycles_adams_beta1_like_torch():
    ours, opt, _ = _schedule_run("chainrule", SCHEDULES["OneCycleLR"], opt_name="Adam")
    theirs, _, _ = _schedule_run("torch", SCHEDULES["OneCycleLR"], opt_name="Adam")
    assert ours == theirs
    assert opt.param_groups[0]["betas"][1] == 0.999


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_resumed_from_saved_state_continues_like_an_unbroken_run(name, tmp_path):
    full, _, _ = _schedule_run("chainrule", SCHEDULES[name])
    _, opt, scheduler = _schedule_run("chainrule", SCHEDULES[name], steps=6)
    cr.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "s")
    saved = cr.load(tmp_path / "s")
    rest, _, _ = _schedule_run(
        "chainrule", SCHEDULES[name], first=6, state=(saved["optimizer"], saved["scheduler"])
    )
    assert full[6:] == rest


LAST_EPOCH = {
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[6, 8], gamma=0.5, last_epoch=5),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=_harmonic, last_epoch=5),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, _Decay(0.5), last_epoch=5),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=9, last_epoch=5),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=6, last_epoch=5),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=14, last_epoch=5),
}


@pytest.mark.parametrize("name", LAST_EPOCH)
def test_scheduler_created_with_last_epoch_resumes_like_torch(name):
    def make(L, o):
        # the optimiser state of an earlier run: its groups' 'initial_lr' (and OneCycleLR's)
        earlier = SCHEDULES["OneCycleLR" if name == "OneCycleLR" else "LinearLR"](L, o)
        for _ in range(5):
            earlier.step()
        return LAST_EPOCH[name](L, o)

    ours, _, _ = _schedule_run("chainrule", make, first=6)
    theirs, _, _ = _schedule_run("torch", make, first=6)
    assert ours == theirs


def test_lambda_lr_state_dict_keeps_a_callable_objects_attributes_not_a_function():
    ours, _, scheduler = _schedule_run("chainrule", SCHEDULES["MultiplicativeLR"], steps=2)
    _, _, theirs = _schedule_run("torch", SCHEDULES["MultiplicativeLR"], steps=2)
    assert (
        scheduler.state_dict()["lr_lambdas"]
        == theirs.state_dict()["lr_lambdas"]
        == [{"rate": 0.95}] * 2
    )
    _, _, functions = _schedule_run("chainrule", SCHEDULES["LambdaLR"], steps=2)
    assert functions.state_dict()["lr_lambdas"] == [None, None]
    other = _Decay(0.5)
    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1)
    optim.lr_scheduler.MultiplicativeLR(opt, other).load_state_dict(
        {**scheduler.state_dict(), "lr_lambdas": [{"rate": 0.25}]}
    )
    assert other.rate == 0.25


@pytest.mark.parametrize(
    ("mode", "threshold_mode"), [("min", "rel"), ("min", "abs"), ("max", "rel"), ("max", "abs")]
)
@pytest.mark.parametrize(("patience", "cooldown"), [(1, 2), (0, 0)])
def test_reduce_lr_on_plateau_matches_torch(mode, threshold_mode, patience, cooldown):
    def make(L, o):
        return L.ReduceLROnPlateau(
            o,
            mode=mode,
            factor=0.5,
            patience=patience,
            threshold=0.01,
            threshold_mode=threshold_mode,
            cooldown=cooldown,
            min_lr=[0.02, 0.001],
        )

    ours, _, scheduler = _schedule_run("chainrule", make, metrics=METRICS)
    theirs, _, _ = _schedule_run("torch", make, metrics=METRICS)
    assert ours == theirs
    assert len({tuple(lrs) for lrs in ours}) > 2  # the lrs were reduced more than once
    # a saved state resumes; a one-element Tensor is a metric too
    _, opt, scheduler = _schedule_run("chainrule", make, steps=11, metrics=METRICS)
    resumed, _, _ = _schedule_run(
        "chainrule",
        make,
        first=11,
        state=(opt.state_dict(), scheduler.state_dict()),
        metrics=[cr.tensor(m) for m in METRICS],
    )
    assert resumed == ours[11:]


BAD_OPTIONS = [
    (lambda L, o: L.ConstantLR(o, factor=1.5), r"ConstantLR: factor must be in \(0, 1\]"),
    (lambda L, o: L.LinearLR(o, start_factor=0.0), r"LinearLR: start_factor must be in \(0, 1\]"),
    (lambda L, o: L.LinearLR(o, end_factor=math.nan), "LinearLR: end_factor must be >= 0"),
    (lambda L, o: L.LambdaLR(o, [_warm]), "LambdaLR: expected one lr_lambda per parameter"),
    (lambda L, o: L.LambdaLR(o, 0.9), "LambdaLR: lr_lambda must be a function"),
    (lambda L, o: L.MultiStepLR(o, milestones=3), "MultiStepLR: milestones must be a list"),
    (
        lambda L, o: L.ReduceLROnPlateau(o, factor=1.0),
        r"ReduceLROnPlateau: factor must be in \[0, 1\)",
    ),
    (lambda L, o: L.ReduceLROnPlateau(o, mode="mn"), "ReduceLROnPlateau: mode must be one of"),
    (lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="x"), "threshold_mode must be one of"),
    (lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]), "one min_lr per parameter group"),
    (lambda L, o: L.ReduceLROnPlateau(o, patience=-1), "ReduceLROnPlateau: patience must be >= 0"),
    (
        lambda L, o: L.SequentialLR(o, [L.ConstantLR(o)], [3]),
        "SequentialLR: expected one milestone",
    ),
    (
        lambda L, o: L.SequentialLR(o, [L.ConstantLR(o)] * 3, [4, 2]),
        "milestones must be in ascending",
    ),
    (
        lambda L, o: L.SequentialLR(o, [L.ReduceLROnPlateau(o)], []),
        r"schedulers\[0\] is a ReduceLROnP",
    ),
    (lambda L, o: L.ChainedScheduler([]), "ChainedScheduler: expected at least one scheduler"),
    (lambda L, o: L.ChainedScheduler([L.ConstantLR(o), 0.1]), r"schedulers\[1\] is a float"),
    (lambda L, o: L.OneCycleLR(o, 1.0), "OneCycleLR: give total_steps, or both epochs"),
    (
        lambda L, o: L.OneCycleLR(o, 1.0, total_steps=0),
        "OneCycleLR: total_steps must be a positive",
    ),
    (lambda L, o: L.OneCycleLR(o, 1.0, 10, anneal_strategy="cosine"), "anneal_strategy must be"),
    (lambda L, o: L.OneCycleLR(o, 1.0, 10, pct_start=1.5), r"pct_start must be in \[0, 1\]"),
]


@pytest.mark.parametrize(("make", "message"), BAD_OPTIONS)
def test_scheduler_refuses_a_bad_option_by_name(make, message):
    opt = optim.SGD(
        [
            {"params": [cr.zeros(1, requires_grad=True)]},
            {"params": [cr.zeros(1, requires_grad=True)]},
        ],
        lr=0.1,
    )
    with pytest.raises((ValueError, TypeError), match=message):
        make(optim.lr_scheduler, opt)


def test_schedules_of_schedules_refuse_one_on_another_optimizer():
    L = optim.lr_scheduler
    opt, other = (optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1) for _ in range(2))
    for make in (
        lambda: L.ChainedScheduler([L.ConstantLR(opt), L.ConstantLR(other)]),
        lambda: L.SequentialLR(opt, [L.ConstantLR(opt), L.ConstantLR(other)], [2]),
    ):
        with pytest.raises(ValueError, match=r"schedulers\[1\] \(ConstantLR\) drives another"):
            make()


def test_one_cycle_lr_refuses_steps_past_total_steps_and_an_optimizer_without_momentum():
    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    schedule = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        schedule.step()
    with pytest.raises(ValueError, match="OneCycleLR: step.. called 4 times, beyond total_steps=3"):
        schedule.step()
    adagrad = optim.Adagrad([cr.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="OneCycleLR: cycle_momentum needs an optimizer with"):
        optim.lr_scheduler.OneCycleLR(adagrad, max_lr=1.0, total_steps=3)


def test_composite_load_state_dict_refuses_a_foreign_inner_state_before_changing_anything():
    _, opt, sequential = _schedule_run("chainrule", SCHEDULES["SequentialLR-4"], steps=4)
    before = sequential.state_dict()
    saved = sequential.state_dict()
    saved["last_epoch"] = 0
    saved["_schedulers"][0]["last_epoch"] = 0
    saved["_schedulers"][3] = saved["_schedulers"][1]  # a cosine's state for the MultiStepLR
    with pytest.raises(ValueError, match="MultiStepLR.load_state_dict: not a MultiStepLR's"):
        sequential.load_state_dict(saved)
    assert sequential.state_dict() == before


# ---- Adam(decoupled_weight_decay) ---------------------------------------------------------------
def _adam_run(lib, name, options, groups=None, steps=5):
    tensor, optim_module, _, to_numpy = _lib(lib)
    w, b = tensor(W, requires_grad=True), tensor(B, requires_grad=True)
    x, y = tensor(X), tensor(Y)
    opt = getattr(optim_module, name)(groups([w], [b]) if groups else [w, b], **options)
    for _ in range(steps):
        opt.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        opt.step()
    return [to_numpy(w), to_numpy(b)], opt


@pytest.mark.parametrize("decoupled", [False, True])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_decoupled_weight_decay_matches_torch(decoupled, amsgrad):
    options = dict(lr=0.05, weight_decay=0.1, amsgrad=amsgrad, decoupled_weight_decay=decoupled)
    ours, opt = _adam_run("chainrule", "Adam", options)
    theirs, torch_opt = _adam_run("torch", "Adam", options)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert opt.param_groups[0]["decoupled_weight_decay"] is decoupled
    assert torch_opt.param_groups[0]["decoupled_weight_decay"] is decoupled
    if decoupled:  # Adam's decoupled form is AdamW
        adamw, _ = _adam_run("chainrule", "AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=amsgrad))
        for a, b in zip(ours, adamw, strict=True):
            np.testing.assert_array_equal(a, b)


def test_adam_per_group_decoupled_weight_decay_as_torch_stores_it():
    def groups(w, b):  # each group its own form, as torch applies them
        return [
            {"params": w, "decoupled_weight_decay": True, "weight_decay": 0.2},
            {"params": b, "decoupled_weight_decay": False},
        ]

    ours, opt = _adam_run("chainrule", "Adam", dict(lr=0.05, weight_decay=0.1), groups)
    theirs, _ = _adam_run("torch", "Adam", dict(lr=0.05, weight_decay=0.1), groups)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert [g["decoupled_weight_decay"] for g in opt.param_groups] == [True, False]


def test_adam_load_state_dict_takes_the_saved_decay_form_and_adamw_stays_decoupled_like_torch():
    for lib in ("chainrule", "torch"):
        _, adamw = _adam_run(lib, "AdamW", dict(lr=0.05, weight_decay=0.1), steps=1)
        _, adam = _adam_run(lib, "Adam", dict(lr=0.05, weight_decay=0.1), steps=1)
        adam_state, adamw_state = adam.state_dict(), adamw.state_dict()
        adam.load_state_dict(adamw_state)
        adamw.load_state_dict(adam_state)
        assert adam.param_groups[0]["decoupled_weight_decay"] is True, lib
        assert adamw.param_groups[0]["decoupled_weight_decay"] is True, lib
    # and the loaded form is the one step() applies
    ours, _ = _adam_run(
        "chainrule", "Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)
    )
    _, adam = _adam_run("chainrule", "Adam", dict(lr=0.05, weight_decay=0.1), steps=0)
    _, adamw = _adam_run("chainrule", "AdamW", dict(lr=0.05, weight_decay=0.1), steps=0)
    adam.load_state_dict(adamw.state_dict())
    w, b = adam.param_groups[0]["params"]
    x, y = cr.tensor(X), cr.tensor(Y)
    for _ in range(5):
        adam.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        adam.step()
    np.testing.assert_array_equal(w.numpy(), ours[0])


def test_adam_load_state_dict_takes_each_saved_groups_decay_form_like_torch():
    forms = {}
    for lib in ("chainrule", "torch"):
        _, opt = _adam_run(
            lib, "Adam", dict(lr=0.05), lambda w, b: [{"params": w}, {"params": b}], steps=1
        )
        saved = opt.state_dict()
        saved["param_groups"][1]["decoupled_weight_decay"] = True
        opt.load_state_dict(saved)
        forms[lib] = [g["decoupled_weight_decay"] for g in opt.param_groups]
    assert forms["chainrule"] == forms["torch"] == [False, True]
