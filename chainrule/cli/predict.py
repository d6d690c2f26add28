"""``chainrule predict``: the class a trained model gives an image (PNG) or array (.npy)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from chainrule.cli import UsageError
from chainrule.cli.train import one_line_errors, user_errors


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict",
        help="classify an image or array with a trained run",
        description="Print the predicted class and the probability of every class. A PNG is "
        "converted to grayscale in [0, 1] and, if it is larger, averaged down to the model's "
        "square input (8x8 for digits, 28x28 for MNIST); the training data has bright "
        "strokes on a dark background, so an image with a light background is inverted "
        "(see --invert). A .npy holds one sample (flat or square) or a batch of them, pixel "
        "values in [0, 1] (uint8 is scaled by 1/255).",
        epilog="example:\n  chainrule predict runs/digits-20261124-101500 my_digit.png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder or .npz checkpoint")
    p.add_argument("input", metavar="IMAGE.png|FILE.npy", help="the input to classify")
    p.add_argument(
        "--invert",
        choices=("auto", "yes", "no"),
        default="auto",
        help="PNG only: make dark strokes bright (auto: when the border is light)",
    )
    one_line_errors(p)
    p.set_defaults(handler=run_predict)


def read_png(path: Path, n_inputs: int, invert: str = "auto") -> np.ndarray:
    """A PNG as one sample (1, n_inputs): grayscale, block-averaged to the model's square side."""
    import matplotlib.image

    side = math.isqrt(n_inputs)
    if side * side != n_inputs:
        raise UsageError(f"the model takes {n_inputs} inputs, which is not a square image")
    try:  # matplotlib reads every PNG (8- or 16-bit, grey or colour) as floats in [0, 1]
        image = np.asarray(matplotlib.image.imread(path, format="png"), dtype=np.float32)
    except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
        raise UsageError(f"{path}: not a readable PNG image ({exc})") from None
    if image.ndim == 3:  # RGB(A): luminance (ITU-R 601), transparency ignored
        image = image[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    height, width = image.shape
    if height != width or height % side:
        raise UsageError(
            f"{path}: the image is {width}x{height}; the model needs a square image of "
            f"{side}x{side} pixels (or a multiple of it, which is averaged down)"
        )
    factor = height // side
    image = image.reshape(side, factor, side, factor).mean(axis=(1, 3))
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    if invert == "yes" or (invert == "auto" and border.mean() > 0.5):
        image = 1.0 - image
    return image.reshape(1, n_inputs)


def read_npy(path: Path, n_inputs: int) -> np.ndarray:
    """Samples (N, n_inputs) from a .npy of one sample, a batch, or square images.

    Accepted shapes: (n_inputs,) and (N, n_inputs); for a square model input of side s also
    (s, s) and (N, s, s). Anything else, even of the right size, is refused: (2, 32) or (64, 1)
    for 64 inputs is no sample, and reshaping it would classify a scrambled image.
    """
    try:
        # read_array takes only the .npy format: np.load would return an .npz archive found
        # under a .npy name as an NpzFile, which is no array
        with open(path, "rb") as handle:
            array = np.lib.format.read_array(handle, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise UsageError(f"{path}: not a readable .npy array ({exc})") from None
    if array.dtype.kind not in "fiu" or array.size == 0:
        raise UsageError(f"{path}: expected numbers, got an array of {array.dtype} {array.shape}")
    if array.dtype == np.uint8:
        array = array / 255.0
    side = math.isqrt(n_inputs)
    samples = [(n_inputs,)] + ([(side, side)] if side * side == n_inputs else [])
    if array.shape not in samples and array.shape[1:] not in samples:  # one sample, or a batch
        accepted = f"({n_inputs},) or (N, {n_inputs})"
        if len(samples) == 2:
            accepted = f"({n_inputs},), (N, {n_inputs}), ({side}, {side}) or (N, {side}, {side})"
        raise UsageError(
            f"{path}: has shape {array.shape}; the model takes samples of {n_inputs} values "
            f"(shape {accepted})"
        )
    x = array.reshape(-1, n_inputs).astype(np.float32)
    if not np.isfinite(x).all():
        raise UsageError(f"{path}: contains NaN or infinite values")
    return x


def run_predict(args) -> int:
    import chainrule as cr
    from chainrule.train.report import class_names
    from chainrule.train.run import load_trained, output_probabilities

    with user_errors():
        model, config, _ = load_trained(args.run)
    path = Path(args.input)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    n_inputs = model[0].in_features
    suffix = path.suffix.lower()
    if suffix == ".png":
        x = read_png(path, n_inputs, args.invert)
    elif suffix == ".npy":
        x = read_npy(path, n_inputs)
    else:
        raise UsageError(f"{path}: expected a .png image or a .npy array")
    with cr.no_grad():
        probabilities = output_probabilities(config, model(cr.tensor(x)).data)
    # cross-entropy models give softmax probabilities; quadratic-cost ones sigmoid outputs
    kind = "probability" if config.loss == "cross_entropy" else "sigmoid output"
    names = class_names(config.data, probabilities.shape[1])
    for i, p in enumerate(probabilities):
        prefix = f"sample {i}: " if len(probabilities) > 1 else ""
        best = int(p.argmax())
        print(f"{prefix}predicted class {names[best]} ({kind} {p[best]:.3f})")
        if len(probabilities) == 1:
            print(f"{kind} of each class:")
            for name, q in zip(names, p, strict=True):
                print(f"  {name:>12}  {q:.4f}  {'#' * round(40 * q)}")
    return 0
