"""``gradcheck``: the engine's gradients against central finite differences in float64."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree; the message names the worst element."""


def gradcheck(
    fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> bool:
    """True if ``fn``'s backward gradients match central differences for every input element.

    ``inputs``: one or a tuple/list of float64 arrays or Tensors (float32 is refused: its
    rounding swamps the differences). Integer and boolean inputs (class labels, masks) reach
    ``fn`` as Tensors unperturbed and unchecked, as in PyTorch; at least one input must be
    float64. A non-scalar output is reduced with fixed random weights ``v``, so the check
    covers the vector-Jacobian product ``v^T J``; an output that does not require grad must
    have zero numeric gradients (as PyTorch). Raises GradcheckError otherwise.
    """
    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    datas = [x.data if isinstance(x, Tensor) else np.asarray(x) for x in inputs]
    checked = [i for i, data in enumerate(datas) if data.dtype.kind not in "biu"]
    if not checked:
        raise DTypeError(
            "gradcheck: no float64 input to check; integer and boolean inputs are passed "
            "through unperturbed"
        )
    arrays = [_float64_input(i, datas[i]) for i in checked]
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    as_given = [Tensor._wrap(data) for data in datas]

    def call(floats: list) -> Tensor:
        """``fn`` on ``floats`` in the float inputs' places, the others as given."""
        args = list(as_given)
        for i, tensor in zip(checked, floats, strict=True):
            args[i] = tensor
        return fn(*args)

    output = call(leaves)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    weights = np.random.default_rng(seed).standard_normal(output.shape)
    if output.requires_grad:
        output.backward(gradient=weights)

    def objective() -> float:
        with no_grad():
            value = call([Tensor._wrap(a) for a in arrays])
        return float(np.sum(value.data * weights))

    for index, array, leaf in zip(checked, arrays, leaves, strict=True):
        analytic = np.zeros_like(array) if leaf.grad is None else leaf.grad.data
        numeric = np.zeros_like(array)
        flat, flat_numeric = array.reshape(-1), numeric.reshape(-1)
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + eps
            plus = objective()
            flat[k] = original - eps
            minus = objective()
            flat[k] = original
            flat_numeric[k] = (plus - minus) / (2 * eps)
        # torch's allclose test |a - n| <= atol + rtol |n|; a NaN excess never passes
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if not (excess <= 0).all():
            worst = np.unravel_index(np.argmax(np.nan_to_num(excess, nan=np.inf)), array.shape)
            # all-zero analytic gradients from an output outside the graph are the likely cause
            hint = (
                ""
                if output.requires_grad
                else "; fn's output does not require grad: was it computed under cr.no_grad(), "
                "or detached from the inputs?"
            )
            raise GradcheckError(
                f"gradcheck: input {index} (shape {array.shape}) "
                f"at {tuple(int(i) for i in worst)}: "
                f"analytic {analytic[worst]:.8g} vs numeric {numeric[worst]:.8g} "
                f"(atol={atol}, rtol={rtol}){hint}"
            )
    return True


def _float64_input(index: int, data: np.ndarray) -> np.ndarray:
    if data.dtype != np.float64:
        raise DTypeError(
            f"gradcheck: input {index} has dtype {data.dtype}; finite differences need float64 "
            "inputs (use x.double() or a float64 array)"
        )
    # C order: the loop perturbs through reshape(-1), which for a transposed (Fortran-ordered)
    # array is a copy, so no input would move and every numeric derivative would be 0
    return np.array(data, dtype=np.float64, order="C")
