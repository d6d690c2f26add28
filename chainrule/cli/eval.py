"""``chainrule eval``: accuracy, per-class accuracy and confusion matrix of a trained run."""

from __future__ import annotations

import argparse
import sys

from chainrule.cli import UsageError
from chainrule.cli.train import (
    add_download_option,
    blas_threads,
    one_line_errors,
    prefetch,
    user_errors,
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval",
        help="evaluate a trained run on a test set",
        description="Print the accuracy, the accuracy of each class and the confusion matrix "
        "of a trained model on the test split of its dataset (or of --data). RUN_OR_CHECKPOINT "
        "is a run folder (its best.npz, else last.npz) or a checkpoint file. The results are "
        "saved next to the checkpoint as eval.json and eval_confusion.png (train's own test.json "
        "and confusion.png are left as they are).",
        epilog="example:\n  chainrule eval runs/digits-20261124-101500\n"
        "  chainrule eval runs/fm/last.npz --data /data/fashion-mnist",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder or .npz checkpoint")
    p.add_argument(
        "--data",
        metavar="DATA",
        help="digits, mnist, fashion-mnist or a folder of IDX files (default: the dataset the "
        "run was trained on)",
    )
    add_download_option(p)
    one_line_errors(p)
    p.set_defaults(handler=run_eval)


def run_eval(args) -> int:
    from chainrule.data import DataLoader
    from chainrule.train.loop import evaluate
    from chainrule.train.report import class_names, format_report, save_report
    from chainrule.train.run import EVAL_BATCH, build_loss, load_dataset, load_trained

    with user_errors():
        model, config, checkpoint = load_trained(args.run)
        data = args.data or config.data
        prefetch(args.download, data)
        _, (x_test, y_test) = load_dataset(data, train=False)  # the test split is all it needs
    n_inputs, n_classes = model[0].in_features, model[-1].out_features
    if x_test.shape[1] != n_inputs:
        raise UsageError(
            f"the model takes {n_inputs} inputs but {data} samples have {x_test.shape[1]} features"
        )
    if y_test.max() >= n_classes:
        raise UsageError(
            f"the model has {n_classes} classes but {data} has labels up to {y_test.max()}"
        )
    loader = DataLoader(x_test, y_test, EVAL_BATCH, shuffle=False)
    with blas_threads():
        result = evaluate(model, loader, build_loss(config, n_classes), n_classes)
    names = class_names(data, n_classes)
    print(f"{checkpoint} on the {data} test split ({len(y_test)} samples):")
    print("test " + format_report(result, names))
    folder = checkpoint.parent
    try:
        save_report(result, names, folder / "eval.json", folder / "eval_confusion.png")
    except OSError as exc:  # a read-only run folder: the printed report is what matters
        print(f"chainrule eval: warning: results not saved ({exc})", file=sys.stderr)
    else:  # the picture is missing without matplotlib (plots warns)
        saved = [folder / n for n in ("eval_confusion.png", "eval.json") if (folder / n).is_file()]
        print(f"saved {' and '.join(map(str, saved))}")
    return 0
