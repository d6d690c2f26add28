"""Second review: vjp's v against torch's rules, gradcheck of non-C-ordered inputs, and grad
mode per thread (the differentiation tools around the engine)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.forward import vjp
from chainrule.errors import ShapeError


def _constant(t):
    return cr.ones(3, dtype=np.float64)


@pytest.mark.parametrize(
    "f, v, message",
    [
        (_constant, np.ones(5), r"vjp: v has shape \(5,\), f's output has shape \(3,\)"),
        (lambda t: t * 2, np.ones(5), r"vjp: v has shape \(5,\), f's output has shape \(2,\)"),
        (_constant, None, r"vjp: f's output has shape \(3,\); v may be omitted only"),
        (lambda t: t * 2, None, r"vjp: f's output has shape \(2,\); v may be omitted only"),
    ],
)
def test_vjp_refuses_a_v_that_does_not_fit_the_output_as_torch(f, v, message):
    # a constant output used to give zeros for any v; the others blamed backward(gradient=)
    torch = pytest.importorskip("torch")
    x = np.ones(2)
    torch_f = (lambda t: torch.ones(3, dtype=torch.float64)) if f is _constant else f
    with pytest.raises(RuntimeError, match="v has invalid size|v can only be None"):
        torch.autograd.functional.vjp(
            torch_f, torch.tensor(x), None if v is None else torch.tensor(v)
        )
    with pytest.raises(ShapeError, match=message):
        vjp(f, x, v)


def test_vjp_of_one_element_output_needs_no_v_as_torch():
    torch = pytest.importorskip("torch")
    x = np.array([0.3, -1.2])
    out, grad = vjp(lambda t: (t * t).sum().reshape(1), x)
    ref_out, ref_grad = torch.autograd.functional.vjp(
        lambda t: (t * t).sum().reshape(1), torch.tensor(x)
    )
    np.testing.assert_allclose(out.data, ref_out.numpy())
    np.testing.assert_allclose(grad.data, ref_grad.numpy(), rtol=1e-12)
    assert vjp(_constant, x, np.ones(3))[1].data.tolist() == [0.0, 0.0]


def test_gradcheck_of_a_transposed_input_passes_as_in_torch():
    # an F-ordered input was copied F-ordered; its perturbations went to a flat copy, so every
    # numeric derivative was 0 and a correct gradient was reported wrong
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 2)).T
    assert x.flags.f_contiguous and not x.flags.c_contiguous
    assert torch.autograd.gradcheck(
        lambda t: (t * t.exp()).sum(), (torch.tensor(x).requires_grad_(),)
    )
    assert cr.gradcheck(lambda t: (t * t.exp()).sum(), x)
    assert cr.gradcheck(lambda t, w: t @ w, (x, x.T))
    transposed = cr.tensor(x.T, dtype=np.float64).T  # a Tensor whose array is F-ordered
    assert cr.gradcheck(lambda t: t.tanh(), transposed)


class _WrongBackward(cr.Function):
    """``x ** 2`` whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


def test_gradcheck_of_a_transposed_input_still_catches_a_wrong_backward():
    x = np.random.default_rng(1).uniform(0.5, 1.5, (3, 2)).T
    with pytest.raises(cr.GradcheckError, match=r"input 0 \(shape \(2, 3\)\)"):
        cr.gradcheck(lambda t: _WrongBackward.apply(t), x)


@pytest.mark.parametrize("switch", ["no_grad", "enable_grad"])
def test_grad_mode_is_per_thread_as_in_torch(switch):
    # the flag was global: a no_grad block in one thread stopped another from recording
    torch = pytest.importorskip("torch")

    def seen_from_other_thread(lib, outer):
        entered, leave, seen = threading.Event(), threading.Event(), []

        def worker():
            with getattr(lib, switch)():
                entered.set()
                leave.wait(5)

        thread = threading.Thread(target=worker)
        with outer():
            thread.start()
            entered.wait(5)
            seen.append(lib.is_grad_enabled())
            if lib is cr:
                w = cr.tensor([1.0, 2.0], requires_grad=True)
                seen.append((w * 2).requires_grad)
            leave.set()
            thread.join(5)
        return seen

    outer_torch = torch.enable_grad if switch == "no_grad" else torch.no_grad
    outer_cr = cr.enable_grad if switch == "no_grad" else cr.no_grad
    expected = seen_from_other_thread(torch, outer_torch)
    assert expected == [switch == "no_grad"]
    assert seen_from_other_thread(cr, outer_cr) == expected * 2
    assert cr.is_grad_enabled()
