"""``chainrule predict``: the class a trained model gives an image (PNG) or array (.npy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.cli import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict",
        help="classify an image or array with a trained run",
        description="Print the predicted class and the class probabilities. A PNG is read "
        "as grayscale in [0, 1] (bright = ink, as in the training data) and must have the "
        "model's input size (8x8 for digits, 28x28 for MNIST); a .npy holds one sample or "
        "a batch of flattened samples.",
    )
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder or .npz checkpoint")
    p.add_argument("input", metavar="IMAGE.png|FILE.npy", help="the input to classify")
    p.set_defaults(handler=run_predict)


def read_input(path: Path, n_inputs: int) -> np.ndarray:
    """Samples of shape (N, n_inputs) from a PNG or .npy file, with clear errors."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise UsageError(f"{path}: not a readable .npy array ({exc})") from None
    elif path.suffix.lower() == ".png":
        import matplotlib.image

        try:
            image = matplotlib.image.imread(path)
        except (OSError, SyntaxError, ValueError) as exc:
            raise UsageError(f"{path}: not a readable PNG ({exc})") from None
        array = image[..., :3].mean(axis=-1) if image.ndim == 3 else image
    else:
        raise UsageError(f"{path}: expected a .png image or a .npy array")
    if array.dtype.kind not in "fiu":
        raise UsageError(f"{path}: expected numbers, got dtype {array.dtype}")
    array = array.astype(np.float32).reshape(-1, array.size if array.size == n_inputs else 1)
    if array.shape[1] != n_inputs:
        if array.size % n_inputs:
            raise UsageError(
                f"{path}: has {array.size} values; the model takes samples of {n_inputs}"
            )
        array = array.reshape(-1, n_inputs)
    return array


def run_predict(args) -> int:
    import chainrule as cr
    from chainrule.train.run import load_trained

    try:
        model, _, _ = load_trained(args.run)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    x = read_input(Path(args.input), model[0].in_features)
    with cr.no_grad():
        probabilities = cr.softmax(model(cr.tensor(x)), axis=1).data
    for i, p in enumerate(probabilities):
        prefix = f"sample {i}: " if len(probabilities) > 1 else ""
        ranked = "  ".join(f"{c}: {q:.3f}" for c, q in enumerate(p))
        print(f"{prefix}predicted class {int(p.argmax())} (p = {p.max():.3f})\n  {ranked}")
    return 0
