"""nn.ParameterList and nn.ParameterDict: registration, names and state dict as torch 2.13's,
training through them (gradients and an optimiser step compared with torch), and errors."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule import optim

torch = pytest.importorskip("torch")

VALUES = [np.random.default_rng(i).standard_normal((3, 3)) for i in range(3)]


def _model(lib):
    """A module whose forward multiplies by a list of matrices and adds a dict of biases."""
    module = torch.nn if lib is torch else nn
    tensor = torch.tensor if lib is torch else cr.tensor

    class Chain(module.Module):
        def __init__(self):
            super().__init__()
            self.weights = module.ParameterList([tensor(v) for v in VALUES[:2]])
            self.weights.append(tensor(VALUES[2]))
            self.biases = module.ParameterDict({"first": tensor(np.ones(3))})
            self.biases["last"] = tensor(np.full(3, 0.5))

        def forward(self, x):
            for w in self.weights:
                x = (x @ w).tanh()
            return x + self.biases["first"] + self.biases["last"]

    return Chain()


def test_containers_register_and_train_like_torch():
    ours, theirs = _model(cr), _model(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    x = np.random.default_rng(9).standard_normal((4, 3))
    opt_ours = optim.SGD(ours.parameters(), lr=0.1)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        for model, opt, inputs in (
            (ours, opt_ours, cr.tensor(x)),
            (theirs, opt_theirs, torch.tensor(x)),
        ):
            opt.zero_grad()
            (model(inputs) ** 2).sum().backward()
            opt.step()
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, err_msg=name)


def test_list_and_dict_behave_as_torchs():
    pl, tl = (
        nn.ParameterList([cr.zeros(2), cr.ones(3)]),
        torch.nn.ParameterList([torch.zeros(2), torch.ones(3)]),
    )
    assert len(pl) == len(tl) == 2 and pl[-1].shape == tuple(tl[-1].shape)
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in pl)
    pl[0] = cr.full((4,), 2.0)
    assert pl[0].shape == (4,) and list(pl.state_dict()) == ["0", "1"]
    with pytest.raises(IndexError, match="ParameterList: index 2 is out of range for 2"):
        pl[2]
    with pytest.raises(TypeError, match="ParameterList.extend: expected an iterable"):
        pl.extend(cr.zeros(2))
    pd = nn.ParameterDict({"a": cr.zeros(2), "b": cr.ones(1)})
    assert list(pd) == ["a", "b"] and "a" in pd and len(pd) == 2
    assert pd.pop("a").shape == (2,) and list(pd.keys()) == ["b"]
    assert list(pd.state_dict()) == ["b"]
    with pytest.raises(KeyError):
        del pd["missing"]
    assert repr(pd) == "ParameterDict((b): Parameter containing: [float32 of size (1,)])"
