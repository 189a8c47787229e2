"""Figures for docs/practice.md: int8 vs float MLPs on digits, pruning, and an ensemble of
three MLPs vs the best of them. Prints a table; asserts nothing.

Run: .venv/bin/python benchmarks/practice.py
"""

from __future__ import annotations

import copy
import time

from nasdsl.backends.torch import compress

from nasdsl.data import load_data
from nasdsl.practice.ensemble import average
from nasdsl.run.backend import load_backend
from nasdsl.run.metrics import classification_metrics
from nasdsl.space.ir import Architecture, Layer, Training

CONFIG = {"experiment": {"seed": 0},
          "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
                   "stratify": True}}


def mlp(units: int, depth: int = 2) -> Architecture:
    hidden = tuple(Layer("dense", {"units": units, "activation": "relu"}) for _ in range(depth))
    return Architecture((64,), "classification", 10,
                        (*hidden, Layer("dense", {"units": 10, "activation": "linear"})),
                        Training(epochs=10, batch_size=32, optimizer="adam",
                                 optimizer_params={"lr": 2e-3}))


def main() -> None:
    backend = load_backend("torch")
    data = load_data(CONFIG, image=False)

    def acc(model) -> float:
        return classification_metrics(backend.predict(model, data.x_test), data.y_test)["accuracy"]

    print("MLP on digits (test split, 10 epochs)")
    print(f"{'units':>6} {'float32':>10} {'int8':>10} {'ratio':>6} {'acc f32':>8} {'acc int8':>8}"
          f" {'40% pruned+int8':>16} {'acc':>6}")
    outs, accs = [], []
    for seed, units in enumerate((64, 128, 256)):
        arch = mlp(units)
        model = backend.build(arch, seed)
        backend.fit(model, arch, data.x_train, data.y_train, seed)
        outs.append(backend.predict(model, data.x_test))
        accs.append(acc(model))
        q = compress.quantize(model, "int8")
        pruned = copy.deepcopy(model)
        compress.prune_magnitude(pruned, 0.4)
        tuned = Architecture(arch.input_shape, arch.task, arch.outputs, arch.layers,
                             Training(epochs=1, batch_size=32, optimizer="adam",
                                      optimizer_params={"lr": 1e-3}))
        backend.fit(pruned, tuned, data.x_train, data.y_train, seed + 1)
        compress.make_permanent(pruned)
        pq = compress.quantize(pruned, "int8")
        f32, i8 = compress.model_bytes(model), compress.model_bytes(q, "int8")
        print(f"{units:>6} {f32:>10,} {i8:>10,} {f32 / i8:>6.2f} {accs[-1]:>8.4f} {acc(q):>8.4f}"
              f" {compress.model_bytes(pq, 'int8', sparse=True):>16,} {acc(pq):>6.4f}")
    t0 = time.perf_counter()
    mixed = average(outs, "classification")
    ens = classification_metrics(mixed, data.y_test)["accuracy"]
    print(f"\nensemble of the 3 (averaged probabilities): test accuracy {ens:.4f} "
          f"vs best single {max(accs):.4f} ({time.perf_counter() - t0:.3f} s to combine)")


if __name__ == "__main__":
    main()
