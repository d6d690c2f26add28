"""``chainrule eval``: accuracy, per-class accuracy and confusion matrix of a trained run."""

from __future__ import annotations

import numpy as np

from chainrule.cli import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval",
        help="evaluate a trained run on its test set",
        description="Print the test accuracy, the accuracy of each class and the confusion "
        "matrix of a run folder (best.npz, else last.npz) or a checkpoint file, and save "
        "the matrix as confusion.png next to it.",
    )
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder or .npz checkpoint")
    p.add_argument("--data", help="dataset to evaluate on (default: the one it was trained on)")
    p.set_defaults(handler=run_eval)


def run_eval(args) -> int:
    from chainrule.data import DataLoader
    from chainrule.train.loop import evaluate
    from chainrule.train.metrics import per_class_accuracy
    from chainrule.train.plots import plot_confusion
    from chainrule.train.run import load_dataset, load_trained

    try:
        model, config, folder = load_trained(args.run)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _, (x_test, y_test) = load_dataset(args.data or config.data)
    n_inputs = model[0].in_features
    if x_test.shape[1] != n_inputs:
        raise UsageError(
            f"--data: the model takes {n_inputs} inputs but {args.data or config.data} "
            f"has {x_test.shape[1]} features"
        )
    n_classes = model[-1].out_features
    result = evaluate(model, DataLoader(x_test, y_test, 1024, shuffle=False), None, n_classes)
    confusion = result["confusion"]
    print(f"test accuracy {100 * result['accuracy']:.2f}% on {len(y_test)} samples")
    print(
        "per-class accuracy: "
        + "  ".join(f"{c}: {100 * a:.1f}%" for c, a in enumerate(per_class_accuracy(confusion)))
    )
    print("confusion matrix (rows: true class, columns: predicted)")
    width = len(str(confusion.max()))
    for c, row in enumerate(confusion):
        print(f"  {c:>2} | " + " ".join(f"{v:>{width}}" for v in row))
    plot_confusion(np.asarray(confusion), folder / "confusion.png")
    print(f"picture: {folder / 'confusion.png'}")
    return 0
