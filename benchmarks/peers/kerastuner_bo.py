"""Peer: KerasTuner's BayesianOptimization with a hand-written build(hp).

The Auto-Keras-style search a Keras user would write: a HyperModel whose build(hp)
declares every decision of the spec's space under nasdsl's decision names, and whose
fit(hp, …) picks the batch size, trains for the spec's epochs and returns the
validation accuracy after the last epoch (the figure nasdsl optimises too).

    .venv/bin/python benchmarks/peers/kerastuner_bo.py --task digits --seed 0 \
        --budget-s 30 --log /tmp/kt.jsonl
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_tasks import (  # noqa: E402
    TASKS,
    CnnSpace,
    MlpSpace,
    Splits,
    Task,
    TrialLog,
    accuracy,
    load_splits,
    peer_arguments,
)


def build_cnn(hp: Any, s: CnnSpace, classes: int) -> Any:
    """The digits CNN space as KerasTuner hyperparameters (images channels-last)."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((8, 8, 1))])
    for r in range(hp.Int("layers.0.repeat", *s.repeat)):
        p = f"layers.0.r{r}"
        model.add(layers.Conv2D(hp.Choice(f"{p}.0.conv.channels", list(s.channels)),
                                hp.Choice(f"{p}.0.conv.kernel", list(s.kernel)),
                                padding="same", activation="relu"))
        if hp.Boolean(f"{p}.1.batch_norm.present"):
            model.add(layers.BatchNormalization())
        if hp.Boolean(f"{p}.2.max_pool.present"):
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(hp.Choice("layers.1.dense.units", list(s.dense_units)),
                           activation="relu"))
    model.add(layers.Dropout(hp.Float("layers.2.dropout.rate", *s.dropout)))
    model.add(layers.Dense(classes))
    return model


def build_mlp(hp: Any, s: MlpSpace, classes: int) -> Any:
    """The breast_cancer MLP space as KerasTuner hyperparameters."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((30,))])
    for r in range(hp.Int("layers.0.repeat", *s.repeat)):
        p = f"layers.0.r{r}"
        model.add(layers.Dense(hp.Choice(f"{p}.0.dense.units", list(s.units)),
                               activation=hp.Choice(f"{p}.0.dense.activation",
                                                    list(s.activation))))
        if hp.Boolean(f"{p}.1.batch_norm.present"):
            model.add(layers.BatchNormalization())
        model.add(layers.Dropout(hp.Float(f"{p}.2.dropout.rate", *s.dropout)))
    model.add(layers.Dense(classes))
    return model


def channels_last(data: Splits) -> Splits:
    """N×C×H×W images as Keras wants them (N×H×W×C); tables unchanged."""
    if data.x_train.ndim != 4:
        return data
    t = (0, 2, 3, 1)
    return Splits(data.x_train.transpose(t), data.y_train, data.x_val.transpose(t),
                  data.y_val, data.x_test.transpose(t), data.y_test)


def make_hypermodel(task: Task, data: Splits, log: TrialLog | None) -> Any:
    """A HyperModel for the task that logs each trained candidate (fit needs the log)."""
    import keras
    import keras_tuner as kt

    class Deadline(keras.callbacks.Callback):
        """Stop training when the budget is spent (the trial then does not count)."""

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if log.time_left() <= 0:
                self.model.stop_training = True

    class PeerHyperModel(kt.HyperModel):
        def build(self, hp: Any) -> Any:
            if isinstance(task.space, CnnSpace):
                model = build_cnn(hp, task.space, task.classes)
            else:
                model = build_mlp(hp, task.space, task.classes)
            model.compile(
                optimizer=keras.optimizers.Adam(
                    hp.Float("train.optimizer.lr", *task.space.lr, sampling="log")),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model

        def fit(self, hp: Any, model: Any, *args: Any, **kwargs: Any) -> float:
            batch = hp.Choice("train.batch_size", list(task.space.batch_size))
            history = model.fit(data.x_train, data.y_train, batch_size=batch,
                                epochs=task.epochs, shuffle=True, verbose=0,
                                callbacks=[*kwargs.get("callbacks", []), Deadline()])
            number = len(log_rows)
            log_rows.append(number)
            if len(history.history.get("loss", [])) < task.epochs:
                log.record(number, "cut", None, None, dict(hp.values))
                raise kt.errors.FailedTrialError("the time budget ran out during training")
            val = accuracy(model.predict(data.x_val, verbose=0), data.y_val)
            test = accuracy(model.predict(data.x_test, verbose=0), data.y_test)
            log.record(number, "ok", val, test, dict(hp.values))
            return val

    log_rows: list[int] = []
    return PeerHyperModel()


class BudgetSpent(Exception):
    """Raised between trials once the wall-clock budget is spent."""


def main(argv: list[str] | None = None) -> int:
    """Search until the budget is spent, logging every trial."""
    args = peer_arguments(__doc__.splitlines()[0]).parse_args(argv)
    import keras
    import keras_tuner as kt

    task = TASKS[args.task]
    data = channels_last(load_splits(task, args.seed))
    keras.utils.set_random_seed(args.seed)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kt-"))
    # TensorFlow builds its graph machinery on first use; nasdsl warms its framework up
    # before its clock starts, so the peer does too (a throwaway model, 8 samples; build
    # never reads the log).
    warm = make_hypermodel(task, data, None).build(kt.HyperParameters())
    warm.fit(data.x_train[:8], data.y_train[:8], epochs=1, verbose=0)
    warm.predict(data.x_val[:8], verbose=0)
    keras.utils.set_random_seed(args.seed)
    log = TrialLog(args.log, args.budget_s)

    class TimedTuner(kt.BayesianOptimization):
        def pre_create_trial(self) -> None:
            if log.time_left() <= 0:
                raise BudgetSpent

        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            # KerasTuner's documented minimal run_trial: build and fit, no per-epoch
            # checkpoints (and no TensorBoard hook, which tensorflow-cpu cannot serve).
            hp = trial.hyperparameters
            return self.hypermodel.fit(hp, self.hypermodel.build(hp), *args, **kwargs)

    tuner = TimedTuner(make_hypermodel(task, data, log),
                       objective=kt.Objective("val_accuracy", "max"),
                       max_trials=10**6, seed=args.seed, directory=str(workdir),
                       project_name=f"{task.name}-s{args.seed}", overwrite=True)
    try:
        tuner.search(verbose=0)
    except BudgetSpent:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
