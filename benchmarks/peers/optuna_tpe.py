"""Peer: Optuna's TPE sampler over a hand-written PyTorch model and training loop.

What a user would write without nasdsl: an objective that suggests every decision of
the spec's space under nasdsl's decision names, builds an nn.Sequential, trains it with
Adam for the spec's epochs and returns the validation accuracy after the last epoch.
`--jobs 2` is the same loop through `study.optimize(n_jobs=2)`: two trials at a time in
two threads of one process, what an Optuna user does to use a second core (torch
releases the GIL inside its kernels; the Python between them runs one thread at a time).

    .venv/bin/python benchmarks/peers/optuna_tpe.py --task digits --seed 0 \
        --budget-s 30 --log /tmp/optuna.jsonl [--jobs 2]
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_tasks import (  # noqa: E402
    CnnSpace,
    MlpSpace,
    Splits,
    Task,
    TrialLog,
    accuracy,
    load_splits,
    peer_arguments,
)

BOOL = [False, True]


def suggest_cnn(trial: Any, s: CnnSpace) -> dict[str, Any]:
    """Every decision of the digits CNN space, drawn from an Optuna trial."""
    blocks = []
    for r in range(trial.suggest_int("layers.0.repeat", *s.repeat)):
        p = f"layers.0.r{r}"
        blocks.append({
            "channels": trial.suggest_categorical(f"{p}.0.conv.channels", list(s.channels)),
            "kernel": trial.suggest_categorical(f"{p}.0.conv.kernel", list(s.kernel)),
            "batch_norm": trial.suggest_categorical(f"{p}.1.batch_norm.present", BOOL),
            "max_pool": trial.suggest_categorical(f"{p}.2.max_pool.present", BOOL),
        })
    return {
        "blocks": blocks,
        "units": trial.suggest_categorical("layers.1.dense.units", list(s.dense_units)),
        "dropout": trial.suggest_float("layers.2.dropout.rate", *s.dropout),
        "batch_size": trial.suggest_categorical("train.batch_size", list(s.batch_size)),
        "lr": trial.suggest_float("train.optimizer.lr", *s.lr, log=True),
    }


def suggest_mlp(trial: Any, s: MlpSpace) -> dict[str, Any]:
    """Every decision of the breast_cancer MLP space, drawn from an Optuna trial."""
    blocks = []
    for r in range(trial.suggest_int("layers.0.repeat", *s.repeat)):
        p = f"layers.0.r{r}"
        blocks.append({
            "units": trial.suggest_categorical(f"{p}.0.dense.units", list(s.units)),
            "activation": trial.suggest_categorical(f"{p}.0.dense.activation",
                                                    list(s.activation)),
            "batch_norm": trial.suggest_categorical(f"{p}.1.batch_norm.present", BOOL),
            "dropout": trial.suggest_float(f"{p}.2.dropout.rate", *s.dropout),
        })
    return {
        "blocks": blocks,
        "batch_size": trial.suggest_categorical("train.batch_size", list(s.batch_size)),
        "lr": trial.suggest_float("train.optimizer.lr", *s.lr, log=True),
    }


def suggest(trial: Any, task: Task) -> dict[str, Any]:
    """The task's decisions."""
    if isinstance(task.space, CnnSpace):
        return suggest_cnn(trial, task.space)
    return suggest_mlp(trial, task.space)


def build(task: Task, d: dict[str, Any]) -> Any:
    """The nn.Sequential the decisions describe (output layer appended)."""
    from torch import nn

    acts = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}
    layers: list[nn.Module] = []
    if task.image_shape is not None:
        channels, height, width = task.image_shape
        for b in d["blocks"]:
            k = b["kernel"]
            layers += [nn.Conv2d(channels, b["channels"], k, padding=k // 2), nn.ReLU()]
            channels = b["channels"]
            if b["batch_norm"]:
                layers.append(nn.BatchNorm2d(channels))
            if b["max_pool"]:
                layers.append(nn.MaxPool2d(2))
                height, width = height // 2, width // 2
        layers += [nn.Flatten(), nn.Linear(channels * height * width, d["units"]), nn.ReLU(),
                   nn.Dropout(d["dropout"]), nn.Linear(d["units"], task.classes)]
    else:
        width = 30
        for b in d["blocks"]:
            layers += [nn.Linear(width, b["units"]), acts[b["activation"]]()]
            width = b["units"]
            if b["batch_norm"]:
                layers.append(nn.BatchNorm1d(width))
            layers.append(nn.Dropout(b["dropout"]))
        layers.append(nn.Linear(width, task.classes))
    return nn.Sequential(*layers)


def train(model: Any, data: Splits, epochs: int, batch_size: int, lr: float, seed: int,
          log: TrialLog) -> bool:
    """Adam on shuffled mini-batches; False when the budget ran out mid-training."""
    import torch
    from torch import nn

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:
                continue  # batch norm cannot train on one sample
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        if log.time_left() <= 0:
            return False
    return True


def evaluate(model: Any, x: Any, y: Any) -> float:
    """Accuracy of the model on one split."""
    import torch

    model.eval()
    with torch.no_grad():
        return accuracy(model(torch.from_numpy(x)).numpy(), y)


def warm_up(task: Any, data: Splits) -> None:
    """Build and train one throwaway model on 8 samples before the clock starts.

    torch imports parts of itself on first use (about a second); nasdsl does the same
    warm-up before its first trial, outside its clock, so the peer gets it too.
    """
    import optuna
    import torch

    d = suggest(optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask(), task)
    model = build(task, d)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(data.x_train[:8]), torch.from_numpy(data.y_train[:8])
    model.train()
    opt.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
    evaluate(model, data.x_val[:8], data.y_val[:8])


def main(argv: list[str] | None = None) -> int:
    """Search until the budget is spent, logging every trial."""
    parser = peer_arguments(__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1,
                        help="trials at a time, in threads (Optuna's n_jobs; default 1)")
    args = parser.parse_args(argv)
    import optuna
    import torch
    from peer_tasks import TASKS

    task = TASKS[args.task]
    data = load_splits(task, args.seed)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warm_up(task, data)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=args.seed))
    log = TrialLog(args.log, args.budget_s)
    seeding = threading.Lock()  # with --jobs > 1: each model's initial weights from its seed

    def objective(trial: optuna.Trial) -> float:
        d = suggest(trial, task)
        seed = args.seed * 1000 + trial.number
        with seeding:
            torch.manual_seed(seed)
            model = build(task, d)
        if not train(model, data, task.epochs, d["batch_size"], d["lr"], seed, log):
            log.record(trial.number, "cut", None, None, trial.params)
            raise optuna.TrialPruned("the time budget ran out during training")
        val = evaluate(model, data.x_val, data.y_val)
        test = evaluate(model, data.x_test, data.y_test)
        log.record(trial.number, "ok", val, test, trial.params)
        return val

    study.optimize(objective, timeout=max(log.time_left(), 0.0), n_jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
