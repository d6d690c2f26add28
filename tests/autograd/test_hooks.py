"""Tensor gradient hooks and Module call hooks, against torch 2.13 doing the same thing."""

import gc

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.autograd import hooks as hooks_module
from chainrule.autograd.engine import grad as cr_grad
from chainrule.errors import DTypeError, GraphError, ShapeError

torch = pytest.importorskip("torch")

X = np.array([1.0, -2.0, 0.5])


def _scenarios(lib):
    """The same hook scenarios written for one library (``cr`` or ``torch``); each returns the
    arrays that show what the hooks did."""
    tensor = (
        (lambda v: torch.tensor(v, requires_grad=True))
        if lib is torch
        else (lambda v: cr.tensor(v, requires_grad=True))
    )
    seen = {}

    def record(name):
        def hook(g):
            seen.setdefault(name, []).append(g.detach().numpy().copy())

        return hook

    # a non-leaf hook that scales, retain_grad after it, a leaf hook on the sum of two paths
    x = tensor(X)
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.register_hook(record("y"))
    x.register_hook(record("x"))
    (y * y + x * 2).sum().backward()
    out = {"x.grad": x.grad, "y.grad": y.grad}
    # two hooks chained in registration order; the second sees the first's result
    a = tensor(X)
    a.register_hook(lambda g: g + 1)
    a.register_hook(lambda g: g * 3)
    (a * a).sum().backward()
    out["chained"] = a.grad
    # accumulation over two backward passes uses the hooked gradient; a removed hook is gone
    b = tensor(X)
    handle = b.register_hook(lambda g: g * 2)
    (b * 5).sum().backward()
    (b * 5).sum().backward()
    out["twice"] = b.grad.clone()
    handle.remove()
    handle.remove()  # twice is harmless
    (b * 5).sum().backward()
    out["removed"] = b.grad
    # a hook on the root, and on a leaf that is the root
    c = tensor(X)
    root = (c * c).sum()
    root.register_hook(lambda g: g * 4)
    root.backward()
    out["root"] = c.grad
    d = tensor(X)
    d.register_hook(lambda g: g * 7)
    d.backward(torch.ones(3, dtype=torch.float64) if lib is torch else np.ones(3))
    out["leaf root"] = d.grad
    # autograd.grad: a leaf input's hooks apply, a non-leaf input's own hook does not
    e = tensor(X)
    e.register_hook(lambda g: g * 100)
    f = e * 3
    f.register_hook(lambda g: g + 1)
    z = (f * f).sum()
    grads = torch.autograd.grad(z, [e, f]) if lib is torch else cr_grad(z, [e, f])
    out["grad e"], out["grad f"] = grads
    # post-accumulate hooks see the updated .grad (an SGD step per parameter in backward)
    p = tensor(X)
    p.register_hook(lambda g: g * 2)

    def step(param):
        with torch.no_grad() if lib is torch else cr.no_grad():
            param -= 0.1 * param.grad

    p.register_post_accumulate_grad_hook(step)
    (p * p).sum().backward()
    out["stepped"] = p
    out["seen x"], out["seen y"] = np.array(seen["x"]), np.array(seen["y"])
    return {
        k: v.detach().numpy() if hasattr(v, "detach") else np.asarray(v) for k, v in out.items()
    }


def test_tensor_hooks_match_torch():
    ours, theirs = _scenarios(cr), _scenarios(torch)
    assert ours.keys() == theirs.keys()
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-12, err_msg=name)


def test_each_hook_runs_once_per_pass_with_the_summed_gradient():
    x = cr.tensor(X, requires_grad=True)
    y = x * 3
    calls = []
    y.register_hook(lambda g: calls.append(g.numpy().copy()))
    (y * 2 + y * 5).sum().backward()
    np.testing.assert_array_equal(np.array(calls), [[7.0, 7.0, 7.0]])


def test_the_hook_sees_a_read_only_gradient_and_runs_without_recording():
    w = cr.tensor(X, requires_grad=True)
    x = cr.tensor(X, requires_grad=True)
    results = []

    def hook(g):
        with pytest.raises(ValueError, match="read-only"):
            g.data[0] = 0
        results.append(g * w)  # w requires grad, but nothing is recorded under the hook
        return None

    x.register_hook(hook)
    (x * 2).sum().backward()
    assert results[0].grad_fn is None and not results[0].requires_grad
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_hook_errors_name_the_hook_and_what_was_wrong():
    with pytest.raises(GraphError, match="register_hook: this tensor does not require grad"):
        cr.tensor(X).register_hook(lambda g: g)
    with pytest.raises(TypeError, match="register_hook: the hook must be callable"):
        cr.tensor(X, requires_grad=True).register_hook(3)
    with pytest.raises(GraphError, match="only a leaf tensor"):
        (cr.tensor(X, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)

    def sums(g):
        return g.sum()

    x = cr.tensor(X, requires_grad=True)
    x.register_hook(sums)
    with pytest.raises(ShapeError, match=r"hook 'sums' returned a gradient of shape \(\)"):
        (x * 2).sum().backward()
    y = cr.tensor(X.astype(np.float32), requires_grad=True)
    y.register_hook(lambda g: g.double())
    with pytest.raises(DTypeError, match="dtype float64 for a tensor of dtype float32"):
        (y * 2).sum().backward()


def test_a_dropped_leaf_takes_its_hooks_with_it():
    before = len(hooks_module.leaf_hooks)
    x = cr.tensor(X, requires_grad=True)
    x.register_hook(lambda g: g)
    assert len(hooks_module.leaf_hooks) == before + 1
    del x
    gc.collect()
    assert len(hooks_module.leaf_hooks) == before


def test_the_handle_is_a_context_manager():
    x = cr.tensor(X, requires_grad=True)
    with x.register_hook(lambda g: g * 0):
        (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0])


def _model(lib):
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = (
        rng.standard_normal((4, 3)),
        rng.standard_normal(4),
        rng.standard_normal((2, 4)),
        rng.standard_normal(2),
    )
    if lib is torch:
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        model = model.double()
        with torch.no_grad():
            for p, v in zip(model.parameters(), (w1, b1, w2, b2), strict=True):
                p.copy_(torch.tensor(v))
        return model
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    for p, v in zip(model.parameters(), (w1.T, b1, w2.T, b2), strict=True):
        p.data[...] = v  # chainrule's Linear keeps W as (in, out)
    return model


def _module_scenario(lib):
    model = _model(lib)
    log = []
    x = np.random.default_rng(1).standard_normal((5, 3))
    inputs = torch.tensor(x) if lib is torch else cr.tensor(x)
    h1 = model[0].register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = model[1].register_forward_hook(lambda m, args, out: out + 1)
    model[2].register_forward_hook(lambda m, args, out: log.append("second"))
    model[2].register_forward_hook(lambda m, args, out: log.append("first"), prepend=True)
    model[2].register_forward_pre_hook(lambda m, args: log.append(type(args).__name__))
    hooked = model(inputs)
    h1.remove()
    h2.remove()
    plain = model(inputs)
    return hooked.detach().numpy(), plain.detach().numpy(), log


def test_module_forward_hooks_match_torch():
    ours, theirs = _module_scenario(cr), _module_scenario(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    assert ours[2] == theirs[2] == ["tuple", "first", "second"] * 2


def test_module_hooks_stay_on_their_instance():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    a.register_forward_hook(lambda m, args, out: out * 0)
    x = cr.randn(4, 3)
    assert not a(x).numpy().any()
    assert b(x).numpy().any()
    assert type(b).__call__ is nn.Linear.forward  # an unhooked layer keeps the fast call
    with pytest.raises(TypeError, match="Linear.register_forward_hook: the hook must be callable"):
        b.register_forward_hook(None)


def _backward_hook_scenario(lib):
    """Full backward hooks on a Linear in the middle (scaled grad_input), on the first layer
    (no input needs a gradient) and on a module with a non-tensor argument."""
    model = _model(lib)
    log = []

    def scale(module, grad_input, grad_output):
        log.append(("scale", [g is None for g in grad_input], len(grad_output)))
        return (grad_input[0] * 3,)

    model[2].register_full_backward_hook(scale)
    model[0].register_full_backward_hook(
        lambda m, gi, go: log.append(("first", gi[0] is None, go[0].detach().numpy().copy()))
    )
    x = np.random.default_rng(2).standard_normal((5, 3))
    model(torch.tensor(x) if lib is torch else cr.tensor(x)).sum().backward()
    grads = [p.grad.detach().numpy() for p in model.parameters()]
    if lib is cr:
        grads[0], grads[2] = grads[0].T, grads[2].T  # chainrule's W is (in, out)
    return grads, log


def test_module_full_backward_hooks_match_torch():
    import warnings

    ours = _backward_hook_scenario(cr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when no input of the first layer needs grad
        theirs = _backward_hook_scenario(torch)
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert [entry[:2] for entry in ours[1]] == [entry[:2] for entry in theirs[1]]
    np.testing.assert_allclose(ours[1][1][2], theirs[1][1][2], rtol=1e-12)


def test_full_backward_hook_sees_one_entry_per_positional_argument():
    class Scale(nn.Module):
        def forward(self, x, k):
            return x * k

    class TorchScale(torch.nn.Module):
        def forward(self, x, k):
            return x * k

    seen = []
    for module, x in ((Scale(), cr.tensor(X, requires_grad=True)), (TorchScale(), None)):
        x = torch.tensor(X, requires_grad=True) if x is None else x
        module.register_full_backward_hook(
            lambda m, gi, go: seen.append([None if g is None else g.numpy().tolist() for g in gi])
        )
        module(x, 3.0).sum().backward()
    assert seen[0] == seen[1] == [[3.0, 3.0, 3.0], None]


def test_full_backward_hooks_refuse_two_inputs_that_need_grad():
    class Add(nn.Module):
        def forward(self, a, b):
            return a + b

    module = Add()
    module.register_full_backward_hook(lambda m, gi, go: None)
    a, b = cr.tensor(X, requires_grad=True), cr.tensor(X, requires_grad=True)
    with pytest.raises(NotImplementedError, match="Add: full backward hooks .* got 2"):
        module(a, b)


def test_a_module_with_a_full_backward_hook_still_runs_under_no_grad():
    layer = nn.Linear(3, 2)
    calls = []
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    x = cr.tensor(np.ones((1, 3), np.float32), requires_grad=True)
    with cr.no_grad():
        y = layer(x)
    assert y.grad_fn is None and not calls
    layer(x).sum().backward()
    assert calls == [1]
