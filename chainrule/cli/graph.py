"""``chainrule graph``: draw the computational graph of one training step, or of an expression."""

from __future__ import annotations

import argparse
import math

import numpy as np

from chainrule.cli import UsageError, parse_sizes
from chainrule.cli.explain import explanation_for, write_picture

EXAMPLES = """examples:
  chainrule graph --model 32,16 --activation relu --data-shape 64 --classes 10 --out mlp.svg
  chainrule graph --data fashion-mnist --model 256,128 --batch-size 64 --out fm.svg
  chainrule graph --model 32 --collapse-modules --out mlp.png
  chainrule graph --expr "(a + b) * (b + 1)" a=2 b=1 --out e.svg
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "graph",
        help="draw the computational graph of a training step or an expression",
        description="Write the graph of one training step of an MLP (random inputs of the "
        "given shape; no dataset is loaded), with parameter names, shapes and gradients, or "
        "the graph of an expression with values and edge derivatives. The format comes from "
        "--out's extension: .dot (text), .svg, .png or .pdf (these need Graphviz's dot).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the .dot, .svg, .png file")
    p.add_argument("--expr", help="draw this expression instead of a model")
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="variable values for --expr")
    p.add_argument("--model", default="256,128", help="hidden layer sizes (256,128)")
    p.add_argument("--activation", default="relu", help="hidden activation (relu)")
    p.add_argument("--init", default="kaiming", help="weight init, as for train (kaiming)")
    p.add_argument("--loss", default="cross_entropy", help="cross_entropy (default) or mse")
    p.add_argument(
        "--data",
        metavar="DATA",
        help="take the batch from this dataset, as for train (digits, mnist, fashion-mnist or "
        "a folder); without it the batch is random with --data-shape and --classes",
    )
    # None when not given, so that --data can refuse them rather than silently drop them
    p.add_argument("--data-shape", help="shape of one input, e.g. 64 or 28,28 (64)")
    p.add_argument("--classes", type=int, help="number of classes (10)")
    p.add_argument("--batch-size", type=int, default=32, help="rows in the batch (32)")
    p.add_argument("--seed", type=int, default=0, help="seed for the weights and inputs (0)")
    p.add_argument(
        "--collapse-modules", action="store_true", help="one node per layer, parameters folded in"
    )
    defaults = {dest: p.get_default(dest) for dest in _MODEL_OPTIONS}
    p.set_defaults(handler=run_graph, model_defaults=defaults)


# What only the training-step picture reads; --expr refuses them rather than drop them silently
_MODEL_OPTIONS = (
    "model",
    "activation",
    "init",
    "loss",
    "data",
    "data_shape",
    "classes",
    "batch_size",
    "seed",
    "collapse_modules",
)


def _sizes(text: str, option: str) -> list[int]:
    sizes = parse_sizes(text, option)
    if not sizes or any(n < 1 for n in sizes):
        raise UsageError(f"{option}: sizes must be positive integers, got {text!r}")
    return sizes


# Numbers (weights, biases and activations of the batch) one drawn training step may hold:
# 400 MB in float32, far beyond any graph worth a picture, and refused before NumPy allocates.
MAX_STEP_NUMBERS = 10**8


def _check_step_size(batch_rows: int, layer_sizes: list[int], options: dict[str, int]) -> None:
    """UsageError naming the option whose value is too large for one step, else naming the
    sizes together when only their product is."""
    for option, value in options.items():
        if value > MAX_STEP_NUMBERS:
            raise UsageError(f"{option}: {value} is too large (at most {MAX_STEP_NUMBERS:,})")
    pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    numbers = sum(n_in * n_out + n_out for n_in, n_out in pairs) + batch_rows * sum(layer_sizes)
    if numbers > MAX_STEP_NUMBERS:
        raise UsageError(
            f"{', '.join(options)}: one training step of layers {layer_sizes} on {batch_rows} "
            f"rows holds {numbers:,} numbers, more than the {MAX_STEP_NUMBERS:,} drawn; choose "
            "smaller sizes"
        )


def training_step_dot(args) -> str:
    """DOT text of forward + loss + backward of one mini-batch through the configured MLP."""
    import chainrule as cr
    from chainrule.autograd.graph import to_dot
    from chainrule.train.run import TrainConfig, build_loss, build_model

    config = TrainConfig(
        model=_sizes(args.model, "--model"),
        activation=args.activation,
        init=args.init,
        loss=args.loss,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    if args.classes is not None and args.classes < 2:
        raise UsageError(f"--classes must be at least 2, got {args.classes}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {args.batch_size}")
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    rng = np.random.default_rng(args.seed)
    sizes = {"--model": max(config.model, default=0), "--batch-size": args.batch_size}
    if args.data is not None:  # the first mini-batch of the training split
        dropped = (("--data-shape", args.data_shape), ("--classes", args.classes))
        given = [option for option, value in dropped if value is not None]
        if given:
            raise UsageError(f"--data sets the input shape and classes; remove {' '.join(given)}")
        from chainrule.cli.train import user_errors
        from chainrule.train.run import load_dataset

        with user_errors():
            (x_train, y_train), (_, y_test) = load_dataset(args.data)
        classes = int(max(y_train.max(), y_test.max()) + 1)
        inputs, targets = x_train[: args.batch_size], y_train[: args.batch_size]
        _check_step_size(len(inputs), [inputs.shape[1], *config.model, classes], sizes)
    else:
        classes = 10 if args.classes is None else args.classes
        n_inputs = math.prod(_sizes(args.data_shape or "64", "--data-shape"))
        sizes = {**sizes, "--data-shape": n_inputs, "--classes": classes}
        _check_step_size(args.batch_size, [n_inputs, *config.model, classes], sizes)
        inputs = rng.standard_normal((args.batch_size, n_inputs)).astype(np.float32)
        targets = rng.integers(0, classes, args.batch_size)
    model = build_model(config, inputs.shape[1], classes)
    # The batch requires grad only so that it is drawn as the graph's input node.
    x = cr.tensor(inputs)
    x.requires_grad_(True)
    labels = cr.tensor(targets)
    loss = build_loss(config, classes)(model(x), labels)
    loss.backward(retain_graph=True)  # gradients on the picture, saved arrays kept
    return to_dot(
        loss,
        model=model,
        names={"x (batch)": x, "loss": loss},
        collapse_modules=args.collapse_modules,
    )


def run_graph(args) -> int:
    if args.expr is not None:
        given = [d for d, default in args.model_defaults.items() if getattr(args, d) != default]
        if given:
            options = " ".join("--" + dest.replace("_", "-") for dest in given)
            raise UsageError(f"--expr draws an expression, not a model; remove {options}")
        dot = explanation_for(args.expr, args.values).to_dot()
    elif args.values:
        raise UsageError(f"NAME=VALUE arguments {args.values} need --expr")
    else:
        dot = training_step_dot(args)
    write_picture(dot, args.out)
    return 0
