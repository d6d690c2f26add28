"""The PyTorch contender: the same MLP with ``x @ W + b`` (W (in, out)) and torch.optim."""

from __future__ import annotations

from benchmarks.pieces import run_to_end, split


def available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def train(init, x, y, batches, optimizer: str, lr: float):
    """Train from copies of ``init`` over ``batches``; final loss and params (NumPy)."""
    return run_to_end(training(init, x, y, batches, optimizer, lr))


def training(init, x, y, batches, optimizer: str, lr: float, pieces: int = 1):
    """``train`` as a generator that pauses after each of ``pieces`` runs of batches."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
    if optimizer not in optimizers:  # any other name used to train with Adam silently
        raise ValueError(f"torch_mlp.train: optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    params = [torch.tensor(p.copy(), requires_grad=True) for p in init]
    opt = optimizers[optimizer](params, lr=lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n_layers = len(params) // 2
    loss = None
    for piece in split(batches, pieces):
        for idx in piece:
            idx_t = torch.from_numpy(idx)
            a = xt[idx_t]
            for i in range(n_layers):
                a = torch.addmm(params[2 * i + 1], a, params[2 * i])
                if i < n_layers - 1:
                    a = torch.relu(a)
            loss = F.cross_entropy(a, yt[idx_t])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        yield
    return float(loss.detach()), [p.detach().numpy() for p in params]


def predict(init, x):
    import torch

    params = [torch.from_numpy(p) for p in init]
    with torch.no_grad():
        a = torch.from_numpy(x)
        for i in range(len(params) // 2):
            a = torch.addmm(params[2 * i + 1], a, params[2 * i])
            if i < len(params) // 2 - 1:
                a = torch.relu(a)
    return a.numpy()
