"""Every op: gradcheck in float64, and value and gradient equal to PyTorch's."""

import numpy as np
import pytest

import chainrule as cr
from tests.autograd.op_specs import SPECS

CASES = [(spec, case) for spec in SPECS for case in range(len(spec.shapes))]
IDS = [f"{spec.name}-{case}" for spec, case in CASES]


@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_gradcheck(spec, case):
    inputs = [cr.tensor(a, requires_grad=True) for a in spec.inputs(case)]
    assert cr.gradcheck(spec.ours, inputs)


@pytest.mark.torch
@pytest.mark.parametrize(("spec", "case"), CASES, ids=IDS)
def test_matches_torch(spec, case):
    torch = pytest.importorskip("torch")
    arrays = spec.inputs(case, seed=1)
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = spec.ours(*ours), spec.theirs(torch, *theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, atol=1e-12)
    weight = np.random.default_rng(2).normal(size=out.shape)
    (out * cr.tensor(weight)).sum().backward()
    (expected * torch.tensor(weight)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-6, atol=1e-12)
