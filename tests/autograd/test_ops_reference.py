"""Every op: gradcheck in float64, and value and gradient equal to PyTorch's."""

import numpy as np
import pytest

import chainrule as cr
from tests.autograd.op_specs import SPECS
from tests.helpers import assert_matches_torch

CASES = [(spec, case) for spec in SPECS for case in range(len(spec.shapes))]
IDS = [f"{spec.name}-{case}" for spec, case in CASES]


@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_gradcheck(spec, case):
    inputs = [cr.tensor(a, requires_grad=True) for a in spec.inputs(case)]
    assert cr.gradcheck(spec.ours, inputs)


@pytest.mark.torch
@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_matches_torch(spec, case):
    pytest.importorskip("torch")
    assert_matches_torch(spec.ours, spec.theirs, spec.inputs(case, seed=1))


@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_float32_in_float32_out(spec, case):
    """No op upcasts float32 (Python-scalar operands included): values and gradients."""
    inputs = [cr.tensor(a.astype(np.float32), requires_grad=True) for a in spec.inputs(case)]
    out = spec.ours(*inputs)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in inputs)


@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_backward_computes_in_float32(spec, case):
    """Each op's own backward returns float32 (the engine would cast, but after a slow upcast)."""
    inputs = [cr.tensor(a.astype(np.float32), requires_grad=True) for a in spec.inputs(case)]
    node = spec.ours(*inputs).grad_fn
    grads = node.fn.backward(node, np.ones(node.out_shape, np.float32))
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert {np.asarray(g).dtype for g in grads if g is not None} == {np.dtype(np.float32)}
