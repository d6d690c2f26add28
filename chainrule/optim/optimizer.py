"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``state_dict``.

Subclasses implement ``step()`` as in-place NumPy updates of ``p.data`` (no graph is
recorded, no float32 parameter is upcast). Hyper-parameter defaults and update formulas
follow ``torch.optim`` so that the same experiment follows the same curve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import enable_grad
from chainrule.autograd.tensor import Tensor
from chainrule.errors import ShapeError, ValueRangeError


def check_at_least(owner: str, minimum: float, **values: float) -> None:
    """Refuse each hyper-parameter in ``values`` that is below ``minimum``, NaN, or not a
    number at all, naming ``owner`` (the optimiser or schedule), the option and its value."""
    for name, value in values.items():
        try:
            valid = bool(value >= minimum)  # False for NaN, which would silently ruin every weight
        except (TypeError, ValueError):  # a string, None, a list, an array of several values
            raise TypeError(
                f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}"
            ) from None
        if not valid:
            raise ValueRangeError(f"{owner}: {name} must be >= {minimum}, got {value}")


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with 'params' and hyper-parameters) and
    ``state`` (parameter -> dict of buffers; a ``defaultdict(dict)``, as PyTorch's)."""

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: defaultdict = defaultdict(dict)
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or of dicts, "
                f"got a single Tensor of shape {params.shape}; pass [tensor]"
            )
        params = self._ordered(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add a group of parameters, with its own hyper-parameters where given."""
        where = f"{type(self).__name__}.add_param_group"
        if not isinstance(group, dict):
            raise TypeError(f"{where}: expected a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError(f"{where}: the group has no 'params' entry, only {sorted(group)}")
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else self._ordered(params)
        first_position = {}
        for i, p in enumerate(group["params"]):
            # a frozen parameter (requires_grad False) is welcome, as in PyTorch: it gets no
            # gradient, so step() leaves it alone until it is unfrozen
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: can only optimise Tensors, got "
                    f"{type(p).__name__} as parameter {i}"
                )
            if not p.is_leaf:
                raise TypeError(
                    f"{type(self).__name__}: can only optimise leaf Tensors; parameter {i} "
                    "was computed from others (it has a grad_fn)"
                )
            # step() would update a repeated parameter once per appearance (twice the step,
            # its momentum doubled); PyTorch warns that this will become an error
            j = first_position.setdefault(id(p), i)
            if j != i:
                raise ValueError(
                    f"{type(self).__name__}: parameter {i} of a group is the same Tensor as "
                    f"parameter {j}, so step() would update it twice; pass each parameter once"
                )
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError(f"{type(self).__name__}: a parameter appears in two groups")
        for name, value in self.defaults.items():
            group.setdefault(name, value)
        self.param_groups.append(group)

    def _ordered(self, params) -> list:
        """``params`` as a list; a set is refused because its order changes from run to run,
        and ``state_dict`` identifies parameters by their position."""
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{type(self).__name__}: parameters must come in an ordered collection such as "
                "a list, not a set (its order changes between runs, so a saved state_dict "
                "would be loaded onto the wrong parameters)"
            )
        return list(params)

    def _check_non_negative(self, **values: float) -> None:
        """Refuse a hyper-parameter that is negative, NaN or not a number, naming it."""
        check_at_least(type(self).__name__, 0, **values)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every gradient (``set_to_none``) or zero it in place, as PyTorch does."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient. ``closure``, which recomputes the loss
        and its gradients, is called first and its loss returned (None without one)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        """What ``step(closure)`` returns: ``closure()``, called before the update with graph
        recording on (the closure runs ``backward()``, even when ``step`` is inside ``no_grad``),
        or None without a closure."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self, group: dict):
        """(parameter, gradient array, state) for each parameter of ``group`` with a grad."""
        for p in group["params"]:
            if p.grad is not None:
                yield p, p.grad.data, self.state.setdefault(p, {})

    # ---- state ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """PyTorch's layout: ``{'state': {index: {name: array|number}}, 'param_groups':
        [{hyper-parameters..., 'params': [indices]}]}``; arrays are copies."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {
                        k: v.copy() if isinstance(v, np.ndarray) else v
                        for k, v in self.state[p].items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and buffers saved by ``state_dict``."""
        name = type(self).__name__
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: {len(groups)} parameter groups saved, "
                f"{len(self.param_groups)} in this optimiser"
            )
        params_by_index = {}
        for saved, group in zip(groups, self.param_groups, strict=True):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: a group has {len(saved['params'])} parameters "
                    f"saved but {len(group['params'])} here"
                )
            params_by_index.update(zip(saved["params"], group["params"], strict=True))
        new_state = {}
        for key, buffers in state_dict["state"].items():
            p = params_by_index.get(int(key))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: state for unknown parameter {key}")
            new_state[p] = {k: self._restored_value(k, v, p, key) for k, v in buffers.items()}
        for saved, group in zip(groups, self.param_groups, strict=True):
            for k, v in saved.items():
                if k != "params":
                    group[k] = tuple(v) if isinstance(v, list) else v
        self.state = defaultdict(dict, new_state)

    def _restored_value(self, key: str, value, p: Tensor, index):
        """Saved state entry ``key`` made ready for parameter ``p`` (saved as ``index``): the
        ``'step'`` count becomes a number; any other array is a buffer, refused unless it has
        ``p``'s shape and copied in ``p``'s dtype, an array even when 0-d, since ``step``
        updates buffers in place."""
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(value, np.ndarray):
            return value
        if key == "step" and value.ndim == 0:
            return value.item()
        if value.shape != p.shape:
            raise ShapeError(
                f"{type(self).__name__}.load_state_dict: buffer {key!r} of parameter {index} "
                f"has shape {value.shape}, the parameter {p.shape}"
            )
        return value.astype(p.dtype, copy=True)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
