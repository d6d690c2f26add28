"""nn.init against torch.nn.init: gains, and the bounds/stds for chainrule's (in, out) layout."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 0),
        ("selu", None),
        ("conv2d", None),
        ("conv_transpose1d", None),
        ("conv_transpose2d", None),
        ("conv_transpose3d", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-12)


def _initialise_both(name, kwargs, fan_in=300, fan_out=200):
    """Our (in, out) weight and torch's (out, in) weight, each drawn by the same initialiser."""
    ours = cr.zeros(fan_in, fan_out, dtype=np.float64)
    getattr(nn.init, name)(ours, generator=np.random.default_rng(0), **kwargs)
    theirs = torch.empty(fan_out, fan_in, dtype=torch.float64)
    getattr(torch.nn.init, name)(theirs, generator=torch.Generator().manual_seed(0), **kwargs)
    return ours, theirs


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("xavier_uniform_", {"gain": 1.7}),
        ("kaiming_uniform_", {"a": 0.1, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
        ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ],
)
def test_uniform_bounds_match_torch_for_the_transposed_layout(name, kwargs):
    """Same fan_in/fan_out as torch's (out, in) weight: the largest |w| approaches torch's."""
    ours, theirs = _initialise_both(name, kwargs)
    bound_ours, bound_theirs = np.abs(ours.data).max(), theirs.abs().max().item()
    assert bound_ours == pytest.approx(bound_theirs, rel=1e-3)  # 60,000 draws reach the edge
    assert ours.data.std() == pytest.approx(theirs.std().item(), rel=0.02)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("xavier_normal_", {"gain": 0.5}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
        ("kaiming_normal_", {"a": math.sqrt(5), "nonlinearity": "leaky_relu"}),
    ],
)
def test_normal_stds_match_torch_for_the_transposed_layout(name, kwargs):
    ours, theirs = _initialise_both(name, kwargs)
    assert ours.data.std() == pytest.approx(theirs.std().item(), rel=0.02)
    assert abs(ours.data.mean()) < 4 * ours.data.std() / math.sqrt(ours.size)


def test_unknown_nonlinearity_and_mode_are_named():
    with pytest.raises(ValueError, match="swish"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fan_avg"):
        nn.init.kaiming_normal_(cr.zeros(3, 4), mode="fan_avg")


@pytest.mark.parametrize("param", [True, False, "0.2", [0.2]])
def test_leaky_relu_gain_rejects_a_slope_that_is_not_a_number_like_torch(param):
    with pytest.raises(ValueError, match="not a valid number"):
        torch.nn.init.calculate_gain("leaky_relu", param)
    with pytest.raises(ValueError, match="calculate_gain: negative_slope .* not a valid number"):
        nn.init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0,), (2, 0, 4)])
def test_kaiming_on_a_zero_element_tensor_is_a_no_op_with_a_warning_like_torch(name, shape):
    theirs = torch.empty(shape[::-1])
    with pytest.warns(UserWarning, match="zero-element"):
        assert getattr(torch.nn.init, name)(theirs) is theirs
    ours = cr.zeros(*shape)
    with pytest.warns(UserWarning, match=r"init: initialising a zero-element tensor .* no-op"):
        assert getattr(nn.init, name)(ours) is ours
    assert ours.shape == shape and ours._version[0] == 0


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_"])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_xavier_on_a_zero_element_tensor_is_a_no_op(name, shape):
    ours = cr.zeros(*shape)
    with pytest.warns(UserWarning, match="zero-element"):
        assert getattr(nn.init, name)(ours) is ours
    with pytest.raises(ValueError, match="at least 2 dimensions"):  # as torch: no fan at all
        getattr(nn.init, name)(cr.zeros(0))


@pytest.mark.parametrize(("in_features", "out_features"), [(0, 3), (3, 0), (0, 0)])
def test_linear_with_zero_features_builds_and_runs_like_torch(in_features, out_features):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theirs = torch.nn.Linear(in_features, out_features)
    torch_warned = bool(caught)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = nn.Linear(in_features, out_features)
    assert bool(caught) == torch_warned
    assert ours.weight.shape == (in_features, out_features)
    y = ours(cr.zeros(2, in_features)).data
    expected = theirs(torch.zeros(2, in_features)).detach().numpy()
    assert y.shape == expected.shape
    if in_features == 0:  # no weights and a U(0, 0) bias: zeros, in both
        np.testing.assert_array_equal(y, expected)
