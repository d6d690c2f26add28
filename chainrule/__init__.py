"""chainrule: a readable reverse-mode autodiff engine and neural-network library on NumPy.

import chainrule as cr
x = cr.tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()      # x.grad == [2., 4.]
"""

import numpy as _np

from chainrule.autograd import (
    Context,
    Function,
    GradcheckError,
    Tensor,
    enable_grad,
    gradcheck,
    graph,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from chainrule.autograd.creation import (
    arange,
    as_tensor,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from chainrule.autograd.ops import (
    abs,
    add,
    argsort,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    clone,
    concatenate,
    div,
    exp,
    flatten,
    flip,
    gather,
    index_select,
    leaky_relu,
    linear,
    log,
    log_softmax,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    prelu,
    relu,
    reshape,
    sigmoid,
    softmax,
    sort,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    sum,
    tanh,
    topk,
    transpose,
    unbind,
    unsqueeze,
    var,
    where,
)
from chainrule.errors import DTypeError, GraphError, ShapeError, ValueRangeError
from chainrule.io import load, save

__version__ = "0.1.0"

float32 = _np.float32
float64 = _np.float64
