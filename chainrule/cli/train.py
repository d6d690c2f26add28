"""``chainrule train``: train an MLP (or the classic network), keeping all in a run folder."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule.cli import UsageError, one_line_errors, parse_sizes
from chainrule.train.run import (
    ACTIVATIONS,
    DEFAULT_LR,
    INITS,
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    TrainConfig,
)

DEFAULTS = TrainConfig()
EXAMPLES = """examples:
  chainrule train                                  # MLP 512,256 on the bundled digits
  chainrule train --data fashion-mnist --model 256,128 --epochs 20 --weight-decay 0 \\
                  --schedule cosine                # 89.9% test accuracy, ~1.2 s/epoch
  chainrule train --model 30 --activation sigmoid --optimizer sgd --lr 0.5
  chainrule train --classic --data mnist           # Network([784, 30, 10]), eta 3.0
  chainrule train --resume runs/digits-20261124-101500 --epochs 40

exit status: 0 trained (or --resume of a run early stopping had ended: nothing to do),
  1 the loss became NaN/inf, 2 bad input, 130 interrupted (Ctrl-C)
"""
# Settings a resumed run takes from its config.json rather than the command line.
RESUME_FIXED = ("data", "model", "activation", "init", "loss", "optimizer", "lr", "momentum")
RESUME_FIXED += ("weight_decay", "batch_size", "schedule", "seed", "patience", "out", "classic")
# Settings the classic recipe fixes or does not have: only data, epochs and seed apply to it.
CLASSIC_FIXED = tuple(
    field.name
    for field in dataclasses.fields(TrainConfig)
    if field.name not in ("data", "epochs", "seed")
)


@contextlib.contextmanager
def user_errors():
    """Turn a missing/corrupt dataset or checkpoint, or an unwritable file, into a UsageError
    (one line, exit code 2)."""
    from chainrule.data import DatasetError
    from chainrule.io import CheckpointError

    try:
        yield
    except (DatasetError, CheckpointError, OSError) as exc:
        raise UsageError(str(exc)) from exc


@contextlib.contextmanager
def blas_threads():
    """Run the BLAS on one thread unless $OPENBLAS_NUM_THREADS/$OMP_NUM_THREADS says otherwise.

    Mini-batch matrices are too small for BLAS threads to pay off: measured on 2 shared cores,
    an epoch of Fashion-MNIST took 4.1 s with OpenBLAS's 2 threads and 1.0 s with one.
    Needs threadpoolctl (installed with scikit-learn); without it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is None or {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"} & set(os.environ):
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a network and save it with its learning curves",
        description=(
            "Train an MLP on the bundled digits, MNIST or Fashion-MNIST.\n\n"
            "10% of the training split is held out for validation: early stopping watches its\n"
            "loss, best.npz keeps the epoch with its highest accuracy. The test split is used\n"
            "once, at the end. The run folder gets config.json, history.csv/json, curves.png,\n"
            "last.npz (every epoch), best.npz, and the test results test.json and confusion.png."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        metavar="DATA",
        help="digits (default, bundled), mnist, fashion-mnist, or a folder holding the four "
        "IDX files (train-images-idx3-ubyte[.gz], ...)",
    )
    p.add_argument(
        "--model",
        metavar="SIZES",
        help="hidden layer sizes, comma-separated; '' for none (default "
        f"{','.join(map(str, DEFAULTS.model))})",
    )
    p.add_argument(
        "--activation", metavar=_choices(ACTIVATIONS), help="hidden activation (default relu)"
    )
    p.add_argument(
        "--init",
        metavar=_choices(INITS),
        help="weight init: kaiming (default, He uniform), xavier (Glorot uniform), normal "
        "(standard normal, the classic), default (PyTorch's Linear init)",
    )
    p.add_argument(
        "--loss",
        metavar=_choices(LOSSES),
        help="cross_entropy (softmax, default) or mse (quadratic cost of sigmoid outputs)",
    )
    p.add_argument(
        "--optimizer",
        metavar=_choices(OPTIMIZERS),
        help="sgd (plain mini-batch), momentum (SGD with momentum), adagrad, rmsprop, adam "
        "(default)",
    )
    lrs = ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items())
    p.add_argument("--lr", type=float, help=f"learning rate (default {lrs})")
    p.add_argument(
        "--momentum", type=float, help=f"momentum of --optimizer momentum ({DEFAULTS.momentum})"
    )
    p.add_argument(
        "--weight-decay", type=float, help=f"L2 weight decay ({DEFAULTS.weight_decay:g})"
    )
    p.add_argument("--batch-size", type=int, help=f"mini-batch size ({DEFAULTS.batch_size})")
    p.add_argument("--epochs", type=int, help=f"number of epochs ({DEFAULTS.epochs})")
    p.add_argument(
        "--schedule",
        metavar=_choices(SCHEDULES),
        help="learning rate per epoch: constant (default) or cosine (annealed from --lr to 0 "
        "over the epochs)",
    )
    p.add_argument("--seed", type=int, help="seed of init, validation split, shuffling (0)")
    p.add_argument(
        "--patience",
        type=int,
        help="early stopping: stop after this many epochs without a lower validation loss "
        "(default: off)",
    )
    p.add_argument("--out", metavar="FOLDER", help="run folder (default runs/DATA-TIMESTAMP)")
    p.add_argument(
        "--resume",
        metavar="RUN",
        help="continue the run in this folder from its last.npz, with its config.json "
        "(only --epochs may change; a run early stopping ended is finished)",
    )
    add_download_option(p)
    p.add_argument("--quiet", action="store_true", help="print only the final result")
    p.add_argument(
        "--classic",
        action="store_true",
        help="the classic recipe: Network([inputs, 30, 10]), sigmoid, standard-normal "
        "weights, quadratic cost, mini-batch 10, eta 3.0, test accuracy after every epoch",
    )
    one_line_errors(p)
    p.set_defaults(handler=run_train)


def add_download_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--download",
        action="store_true",
        help="mnist/fashion-mnist: when no searched folder has the files, download the "
        "official ones into ~/.cache/chainrule (checked against their published MD5 sums)",
    )


def prefetch(download: bool, data: str) -> None:
    """With ``--download``, make sure dataset ``data`` is on this machine (fetching it if
    no searched folder has it); a UsageError for datasets that cannot be downloaded."""
    if not download:
        return
    if data not in ("mnist", "fashion-mnist"):
        raise UsageError(
            f"--download: only mnist and fashion-mnist can be downloaded, not {data!r}"
        )
    from chainrule.data.mnist import ensure_available

    with user_errors():
        ensure_available(data)


def _choices(names) -> str:
    return "{" + ",".join(names) + "}"


def _config_from(args) -> TrainConfig:
    given = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(TrainConfig)
        if getattr(args, field.name, None) is not None
    }
    if "model" in given:
        given["model"] = parse_sizes(given["model"], "--model")
    config = TrainConfig(**given)
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.momentum is not None and config.optimizer != "momentum":  # else silently unused
        raise UsageError(
            f"--momentum applies to --optimizer momentum only, not {config.optimizer}; remove "
            "--momentum or add --optimizer momentum"
        )
    return config


def _new_folder(args, config: TrainConfig) -> Path:
    """The run folder to create: ``--out``, or a fresh ``runs/<data>-<time>``. Refused here,
    before the data is loaded (or downloaded), if mkdir would fail on a file in its way."""
    if args.out:
        folder = Path(args.out)
        _refuse_file_in_the_way("--out: ", folder)
        if (folder / "config.json").exists():
            raise UsageError(
                f"--out: {folder} already holds a run; continue it with --resume {folder} "
                "or choose another folder"
            )
        return folder
    stem = Path(config.data).name or "data"
    base = Path("runs") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    folder, counter = base, 1
    while folder.exists():
        counter += 1
        folder = base.with_name(f"{base.name}-{counter}")
    _refuse_file_in_the_way("", folder)
    return folder


def _refuse_file_in_the_way(option: str, folder: Path) -> None:
    """mkdir's error for ``folder`` when it, or the nearest of its parents that exists, is a
    file; ``option`` names where the folder came from."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())  # "." at the latest
    if not existing.is_dir():
        reason = os.strerror(errno.EEXIST if existing == folder else errno.ENOTDIR)
        raise UsageError(
            f"{option}cannot create the run folder {folder}: {reason} ({existing} is a file)"
        )


def _options_given(args, names) -> list[str]:
    """The command-line options among ``names`` (TrainConfig fields) that were given."""
    return [
        f"--{n.replace('_', '-')}" for n in names if getattr(args, n, None) not in (None, False)
    ]


def _resumed_run(args):
    from chainrule.io import CheckpointError
    from chainrule.train.run import Run

    fixed = _options_given(args, RESUME_FIXED)
    if fixed:
        raise UsageError(f"--resume takes its settings from config.json; remove {' '.join(fixed)}")
    folder = Path(args.resume)
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise UsageError(f"--resume: {folder} is not a run folder (no config.json)")
    try:
        saved = json.loads(config_path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{config_path}: not valid JSON ({exc})") from None
    if not isinstance(saved, dict):
        kind = "null" if saved is None else type(saved).__name__
        raise CheckpointError(f"{config_path}: expected an object of settings, got a JSON {kind}")
    if saved.pop("classic", False):
        raise UsageError(f"--resume: {folder} is a --classic run, which cannot be resumed")
    prefetch(args.download, str(saved.get("data")))
    if args.epochs is not None and args.epochs < 1:  # the command line's, not config.json's
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    more_epochs = args.epochs is not None and args.epochs != saved.get("epochs")
    if more_epochs:
        if saved.get("schedule") == "cosine":
            raise UsageError(
                "--resume: a cosine schedule is laid out over its run's --epochs, which "
                "cannot change; resume without --epochs"
            )
        saved["epochs"] = args.epochs
    run = Run(TrainConfig.from_dict(saved, config_path), folder, args.quiet)
    if (folder / "last.npz").is_file():
        run.restore(folder / "last.npz")
        # checked before anything is written: config.json stays as it was
        if run.stopped_early:
            _say_finished(run, more_epochs)
            return None
        if run.epoch > run.config.epochs:
            raise UsageError(
                f"--resume: {folder} has already finished {run.epoch} epochs; ask for more "
                f"with --epochs, or omit it"
            )
        _say(args, f"resuming {folder} after epoch {run.epoch} of {run.config.epochs}")
    else:
        _say(args, f"{folder} has no finished epoch (no last.npz): starting it from epoch 1")
    # the mid-epoch weights of an earlier Ctrl-C are superseded once the run goes on
    (folder / "interrupted.npz").unlink(missing_ok=True)
    run.write_config()
    return run


def _say_finished(run, more_epochs: bool) -> None:
    """A resumed run that early stopping ended: an uninterrupted run would have trained no
    further, so neither does this one. Asking for other --epochs is an error (exit 2); else
    say that it has finished (exit 0, nothing written)."""
    ended = (
        f"early stopping ended {run.folder} after epoch {run.epoch} (no lower validation loss "
        f"for --patience {run.config.patience} epochs)"
    )
    if more_epochs:
        raise UsageError(
            f"--resume: {ended}, so --epochs cannot extend it; start a new run, e.g. with a "
            "larger --patience"
        )
    tested = run.folder / "test.json"
    results = (
        f"its test results are in {tested}"
        if tested.is_file()
        else f"test it with: chainrule eval {run.folder}"
    )
    print(f"nothing to resume: the run has already finished: {ended}; {results}")


def run_train(args) -> int:
    try:
        with user_errors(), blas_threads():
            if args.classic:
                return _run_classic(args)
            from chainrule.train.run import ModelTooLargeError, Run

            if args.resume:
                run = _resumed_run(args)
                if run is None:  # already finished
                    return 0
            else:
                config = _config_from(args)
                prefetch(args.download, config.data)
                folder = _new_folder(args, config)
                try:
                    run = Run(config, folder, args.quiet)
                except ModelTooLargeError as exc:  # a mistyped size: NumPy's traceback, exit 1
                    sizes = ",".join(map(str, config.model))
                    raise UsageError(
                        f"--model {sizes}: the network does not fit in memory ({exc})"
                    ) from None
                run.write_config()
                _say(args, f"run folder: {run.folder}   model {run.model_summary()}")
            return _train_and_test(run)
    except KeyboardInterrupt:  # before or after training (during it, _train_and_test saves)
        print("\ninterrupted", file=sys.stderr)
        return 130


def _train_and_test(run) -> int:
    """Train, then report the test accuracy of the best checkpoint; returns the exit code."""
    from chainrule.train.loop import NonFiniteLossError, evaluate
    from chainrule.train.report import class_names, save_report
    from chainrule.train.run import load_weights

    try:
        # overflow inside a diverging step is reported by the NaN guard, not as numpy warnings
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            run.train()
    except KeyboardInterrupt:
        last = (
            f"the last finished epoch ({run.epoch}) is in {run.folder / 'last.npz'}"
            if run.epoch
            else "no epoch had finished"
        )
        if run.batches_done and run.epoch < run.config.epochs:
            run.save_checkpoint(run.folder / "interrupted.npz", partial_epoch=True)
            saved = (
                f"weights after {run.batches_done} of {len(run.train_loader)} batches of epoch "
                f"{run.epoch + 1} saved to {run.folder / 'interrupted.npz'}; "
            )
        else:  # between epochs: last.npz already holds these weights
            saved = ""
        print(
            f"\ninterrupted: {saved}{last}.\ncontinue with:  chainrule train --resume {run.folder}",
            file=sys.stderr,
        )
        return 130
    except NonFiniteLossError as exc:
        kept = (
            f"the last good checkpoint is {run.folder / 'last.npz'} (epoch {run.epoch})"
            if run.epoch
            else "no epoch finished, so there is no checkpoint"
        )
        print(
            f"chainrule train: error: training diverged: {exc}; {kept}. Try a smaller --lr.",
            file=sys.stderr,
        )
        return 1
    best = run.folder / "best.npz"
    if best.is_file():
        load_weights(run.model, cr.load(best), best)
    test = evaluate(run.model, run.test_loader(), run.loss_fn, run.n_classes)
    names = class_names(run.config.data, run.n_classes)
    save_report(test, names, run.folder / "test.json", run.folder / "confusion.png")
    stopped = f", stopped early after epoch {run.epoch}" if run.epoch < run.config.epochs else ""
    outputs = ("curves.png", "history.csv", "best.npz", "last.npz", "confusion.png", "test.json")
    # the pictures are missing without matplotlib
    written = ", ".join(name for name in outputs if (run.folder / name).is_file())
    print(
        f"test accuracy {100 * test['accuracy']:.2f}% (weights of epoch {run.best_epoch()}, the "
        f"highest validation accuracy{stopped}; {run.elapsed:.1f}s of training)\n"
        f"run folder: {run.folder}  ({written})"
    )
    return 0


def _run_classic(args) -> int:
    from chainrule.train.classic_run import run_classic

    if args.resume:
        raise UsageError("--resume is not available with --classic")
    # the Network's recipe is fixed: an option it would silently drop is refused instead
    ignored = _options_given(args, CLASSIC_FIXED)
    if ignored:
        raise UsageError(
            "--classic trains its fixed recipe (of the training settings only --data, --epochs and "
            "--seed apply); "
            f"remove {' '.join(ignored)}"
        )
    config = _config_from(args)
    prefetch(args.download, config.data)
    folder = _new_folder(args, config)
    _say(args, f"run folder: {folder}   classic Network, sigmoid, quadratic cost, eta 3.0")
    try:
        last = run_classic(config, folder, args.quiet)
    except KeyboardInterrupt:
        print("\ninterrupted: classic runs keep no checkpoint to resume from", file=sys.stderr)
        return 130
    print(
        f"classic Network test accuracy {100 * last['test_acc']:.2f}% after epoch "
        f"{last['epoch']}\nrun folder: {folder}  (curves.png, history.csv, last.npz)"
    )
    return 0


def _say(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)
