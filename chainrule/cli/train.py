"""``chainrule train``: train an MLP (or the classic network), keeping all in a run folder."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from chainrule.cli import UsageError
from chainrule.train.run import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS, TrainConfig

EXAMPLES = """examples:
  chainrule train                                  # MLP 512,256 on the bundled digits
  chainrule train --data fashion-mnist --epochs 20 --batch-size 128
  chainrule train --model 30 --activation sigmoid --optimizer sgd --lr 0.5
  chainrule train --classic --data mnist           # Network([784, 30, 10]), eta 3.0
  chainrule train --resume runs/digits-20261124-101500
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a network and save it with its learning curves",
        description="Train an MLP on digits (bundled), MNIST or Fashion-MNIST. Writes "
        "config.json, history.csv/json, curves.png and last/best.npz checkpoints to the run "
        "folder, then reports the test accuracy.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data", help="digits (default), mnist, fashion-mnist, or a folder of IDX files"
    )
    p.add_argument("--model", help="hidden layer sizes, comma-separated (default 512,256)")
    p.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden activation (relu)")
    p.add_argument(
        "--init",
        choices=list(INITS),
        help="weight init: default (PyTorch's Linear), normal, xavier, kaiming",
    )
    p.add_argument("--loss", choices=list(LOSSES), help="cross_entropy (default) or mse")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), help="optimiser (adam)")
    p.add_argument("--lr", type=float, help="learning rate (default depends on the optimiser)")
    p.add_argument("--momentum", type=float, help="momentum for --optimizer momentum (0.9)")
    p.add_argument("--weight-decay", type=float, help="L2 weight decay (1e-4)")
    p.add_argument("--batch-size", type=int, help="mini-batch size (32)")
    p.add_argument("--epochs", type=int, help="number of epochs (30)")
    p.add_argument("--seed", type=int, help="random seed for init, split and shuffling (0)")
    p.add_argument(
        "--patience", type=int, help="stop after this many epochs without a better validation loss"
    )
    p.add_argument("--out", help="run folder (default runs/DATA-TIMESTAMP)")
    p.add_argument("--resume", metavar="RUN", help="continue the run in this folder from last.npz")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    p.add_argument(
        "--classic",
        action="store_true",
        help="the classic recipe: Network([inputs, 30, 10]), sigmoid, quadratic "
        "cost, mini-batch 10, eta 3.0",
    )
    p.set_defaults(handler=run_train)


def _config_from(args) -> TrainConfig:
    given = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(TrainConfig)
        if getattr(args, field.name, None) is not None
    }
    if "model" in given:
        try:
            given["model"] = [int(s) for s in given["model"].split(",") if s.strip()]
        except ValueError:
            raise UsageError(f"--model: expected sizes like 256,128, got {args.model!r}") from None
    config = TrainConfig(**given)
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return config


def _new_folder(args, config: TrainConfig) -> Path:
    if args.out:
        return Path(args.out)
    stem = Path(config.data).name or "data"
    folder = Path("runs") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = folder.with_name(f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{suffix}")
    return folder


def run_train(args) -> int:
    if args.classic:
        from chainrule.train.classic_run import run_classic

        if args.resume:
            raise UsageError("--resume is not available with --classic")
        config = _config_from(args)
        return run_classic(config, _new_folder(args, config), args.quiet)
    from chainrule.train.loop import NonFiniteLossError, evaluate
    from chainrule.train.run import Run

    if args.resume:
        folder = Path(args.resume)
        if not (folder / "config.json").is_file() or not (folder / "last.npz").is_file():
            raise UsageError(f"--resume: {folder} has no config.json and last.npz to resume from")
        saved = json.loads((folder / "config.json").read_text())
        if args.epochs is not None:
            saved["epochs"] = args.epochs
        config = TrainConfig(**saved)
        run = Run(config, folder, args.quiet)
        run.restore(folder / "last.npz")
        _say(args, f"resuming {folder} after epoch {run.epoch}")
    else:
        config = _config_from(args)
        run = Run(config, _new_folder(args, config), args.quiet)
        run.write_config()
        _say(args, f"run folder: {run.folder}   (model {run.model_summary()})")
    try:
        run.train()
    except KeyboardInterrupt:
        run.save_checkpoint(run.folder / "interrupted.npz", run.epoch)
        print(
            f"\ninterrupted: weights of the unfinished epoch saved to {run.folder}/interrupted.npz;"
            f"\nlast complete epoch in {run.folder}/last.npz; continue with:\n"
            f"  chainrule train --resume {run.folder}",
            file=sys.stderr,
        )
        return 130
    except NonFiniteLossError as exc:
        print(
            f"chainrule train: error: training diverged: {exc}; the last good checkpoint is "
            f"{run.folder}/last.npz (try a smaller --lr)",
            file=sys.stderr,
        )
        return 1
    best = run.folder / "best.npz"
    if best.is_file():
        run.restore_weights(best)
    test = evaluate(run.model, run.test_loader(), run.loss_fn, run.n_classes)
    summary = run.write_summary(test)
    print(summary)
    return 0


def _say(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)
