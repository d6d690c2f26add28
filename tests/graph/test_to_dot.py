"""``cr.graph.to_dot``: nodes, values, gradients and edge derivatives, read back from the DOT."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from tests.graph.dot_parsing import by_title, parse_dot


def _reference():
    """e = (a + b) * (b + 1) at a = 2, b = 1, every tensor named."""
    a = cr.tensor(2.0, requires_grad=True)
    b = cr.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    return dict(a=a, b=b, c=c, d=d, e=e)


def _edges_by_name(nodes, edges):
    title = {k: v[0].split(" = ")[0] for k, v in nodes.items()}
    return {(title[s], title[t]): label for s, t, label in edges}


def test_reference_graph_has_exactly_the_published_nodes_values_and_edge_derivatives():
    t = _reference()
    nodes, edges = parse_dot(cr.graph.to_dot(t["e"], names=t))
    titled = by_title(nodes)
    assert set(titled) == {"a", "b", "c", "d", "e"}
    assert [titled[n][0] for n in "cde"] == ["c = Add", "d = Add", "e = Mul"]
    assert {n: float(titled[n][1]) for n in "abcde"} == dict(a=2, b=1, c=3, d=2, e=6)
    # The reference's local partials: ∂e/∂c = d = 2, ∂e/∂d = c = 3, ∂c/∂a = ∂c/∂b = ∂d/∂b = 1.
    assert _edges_by_name(nodes, edges) == {
        ("a", "c"): "∂c/∂a = 1",
        ("b", "c"): "∂c/∂b = 1",
        ("b", "d"): "∂d/∂b = 1",
        ("c", "e"): "∂e/∂c = 2",
        ("d", "e"): "∂e/∂d = 3",
    }


def test_gradients_appear_after_backward_with_retained_graph():
    t = _reference()
    t["c"].retain_grad()
    t["e"].backward(retain_graph=True)
    nodes, edges = parse_dot(cr.graph.to_dot(t["e"], names=t))
    titled = by_title(nodes)
    assert titled["a"][2] == "grad 2" and titled["b"][2] == "grad 5"  # de/da = 2, de/db = 5
    assert titled["c"][2] == "grad 2"  # de/dc = d
    assert all(label is not None for _, _, label in edges)
    plain = parse_dot(cr.graph.to_dot(t["e"], names=t, show_grad=False))[0]
    assert all(len(lines) == 2 for lines in plain.values())


def test_after_a_plain_backward_the_picture_says_the_derivatives_were_freed():
    t = _reference()
    t["e"].backward()
    text = cr.graph.to_dot(t["e"], names=t)
    nodes, edges = parse_dot(text)
    assert _edges_by_name(nodes, edges)[("c", "e")] is None  # Mul's saved arrays are gone
    assert "retain_graph=True" in text


def test_unnamed_graph_shows_inputs_ops_and_the_output_value():
    t = _reference()
    nodes, edges = parse_dot(cr.graph.to_dot(t["e"]))
    titles = sorted(lines[0] for lines in nodes.values())
    assert titles == ["Add", "Add", "Mul", "input", "input"]
    (mul,) = [lines for lines in nodes.values() if lines[0] == "Mul"]
    assert float(mul[1]) == 6.0
    assert sorted(label for _, _, label in edges) == ["1", "1", "1", "2", "3"]
    assert len(edges) == 5


@pytest.mark.parametrize(
    "op, derivative",
    [
        ("exp", np.exp),
        ("log", lambda x: 1 / x),
        ("tanh", lambda x: 1 - np.tanh(x) ** 2),
        ("sigmoid", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
        ("sqrt", lambda x: 0.5 / np.sqrt(x)),
    ],
)
def test_edge_label_is_the_local_derivative(op, derivative):
    x = cr.tensor(0.7, dtype=np.float64, requires_grad=True)
    y = getattr(x, op)()
    nodes, edges = parse_dot(cr.graph.to_dot(y, names={"x": x, "y": y}))
    ((_, _, label),) = edges
    assert label.startswith("∂y/∂x = ")
    assert float(label.split(" = ")[1]) == pytest.approx(derivative(0.7), rel=1e-5)


def test_same_input_twice_gets_two_edges():
    x = cr.tensor(3.0, requires_grad=True)
    y = x * x
    nodes, edges = parse_dot(cr.graph.to_dot(y, names={"x": x, "y": y}))
    assert [label for _, _, label in edges] == ["∂y/∂x = 3", "∂y/∂x = 3"]  # d(x·x)/dx = 3 + 3


def _mlp_loss():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 5), nn.ReLU(), nn.Linear(5, 3))
    x = cr.randn(4, 8)
    labels = cr.tensor(np.array([0, 2, 1, 1]))
    loss = nn.functional.cross_entropy(model(x), labels)
    return model, loss


def test_model_parameters_are_named_and_tensors_shown_by_shape():
    model, loss = _mlp_loss()
    loss.backward(retain_graph=True)
    nodes, edges = parse_dot(cr.graph.to_dot(loss, model=model))
    titled = by_title(nodes)
    for name, param in model.named_parameters():
        assert titled[name][1] == str(param.shape)
        assert titled[name][2].startswith("grad norm ")
        norm = float(titled[name][2].split()[-1])
        assert norm == pytest.approx(np.linalg.norm(param.grad.data), rel=1e-5)
    ops = [lines[0] for lines in nodes.values() if lines[0] not in dict(model.named_parameters())]
    # cross_entropy is one fused node (its mean inside), so the loss is CrossEntropy's output
    assert sorted(ops) == ["CrossEntropy", "Linear", "Linear", "ReLU"]
    assert len(edges) == 4 + 3  # W and b into each Linear, then the ReLU, Linear, CE links


def test_collapse_modules_folds_parameters_into_one_node_per_layer():
    model, loss = _mlp_loss()
    nodes, edges = parse_dot(cr.graph.to_dot(loss, model=model, collapse_modules=True))
    titles = [lines[0] for lines in nodes.values()]
    assert sorted(titles) == ["0: Linear", "2: Linear", "CrossEntropy", "ReLU"]
    assert len(edges) == 3  # a chain: 0 -> ReLU -> 2 -> CrossEntropy


def test_names_must_be_tensors_and_output_a_tensor():
    with pytest.raises(TypeError, match="to_dot: expected a Tensor"):
        cr.graph.to_dot(3.0)
    t = _reference()
    with pytest.raises(TypeError, match=r"names\['a'\] must be a Tensor"):
        cr.graph.to_dot(t["e"], names={"a": 2.0})


def test_leaf_output_is_one_node():
    x = cr.tensor(4.0, requires_grad=True)
    nodes, edges = parse_dot(cr.graph.to_dot(x, names={"x": x}))
    assert list(nodes.values()) == [["x", "4"]] and edges == []


def test_arrays_changed_in_place_are_refused_not_drawn_wrong():
    x = cr.tensor(2.0, requires_grad=True)
    y = cr.tensor(3.0)
    z = x * y
    y.add_(1)  # the saved y no longer is the y of the product
    with pytest.raises(cr.GraphError, match="modified in place"):
        cr.graph.to_dot(z)
