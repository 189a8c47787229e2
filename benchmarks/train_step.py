"""A trial's training with fused optimizers against torch's default form, on the CPU.

Trains the same seeded model with the torch backend's `fit` both ways, alternating, one
thread, and prints the median seconds of each and their ratio. The models are the two
peer-benchmark tasks' kind: an MLP on breast_cancer (20 epochs) and a CNN on digits
(8 epochs), each at the large end of its space.

    .venv/bin/python benchmarks/train_step.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

import numpy as np


def tasks() -> dict[str, tuple[object, np.ndarray, np.ndarray]]:
    """name → (architecture, x, y) of each benchmark model."""
    from sklearn.datasets import load_breast_cancer, load_digits

    from nasdsl.space.ir import Architecture, Layer, Training

    cancer = load_breast_cancer()
    xc = ((cancer.data - cancer.data.mean(0)) / cancer.data.std(0)).astype(np.float32)[:398]
    mlp = Architecture((30,), "classification", 2, (
        Layer("dense", {"units": 128, "activation": "gelu"}), Layer("batch_norm"),
        Layer("dropout", {"rate": 0.2}),
        Layer("dense", {"units": 64, "activation": "relu"}), Layer("batch_norm"),
        Layer("dropout", {"rate": 0.1}), Layer("dense", {"units": 2})),
        Training(epochs=20, batch_size=16, optimizer="adam", optimizer_params={"lr": 1e-3}))
    digits = load_digits()
    xd = (digits.images / 16.0).astype(np.float32)[:1257, None]
    cnn = Architecture((1, 8, 8), "classification", 10, (
        Layer("conv", {"channels": 32, "kernel": 3, "activation": "relu"}), Layer("batch_norm"),
        Layer("max_pool", {"size": 2}),
        Layer("conv", {"channels": 32, "kernel": 3, "activation": "relu"}), Layer("flatten"),
        Layer("dense", {"units": 128, "activation": "relu"}), Layer("dropout", {"rate": 0.2}),
        Layer("dense", {"units": 10})),
        Training(epochs=8, batch_size=32, optimizer="adam", optimizer_params={"lr": 3e-3}))
    return {"breast_cancer MLP, 20 epochs": (mlp, xc, cancer.target[:398].astype(np.int64)),
            "digits CNN, 8 epochs": (cnn, xd, digits.target[:1257].astype(np.int64))}


def main() -> None:
    """Print the median fit seconds, fused and default, per model."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    import torch
    from nasdsl.backends.torch import backend as tb
    from nasdsl.backends.torch.optim import make_optimizer

    torch.set_num_threads(1)
    backend = tb.TorchBackend()
    forms = {"fused": make_optimizer, "default": functools.partial(make_optimizer, fused=False)}
    print(f"median seconds of one trial's fit, {args.repeats} repeats each, 1 thread")
    print("| model | default | fused | fused / default |")
    print("| --- | --- | --- | --- |")
    try:
        for name, (arch, x, y) in tasks().items():
            seconds: dict[str, list[float]] = {f: [] for f in forms}
            for _ in range(args.repeats + 1):  # the first round warms torch up; not counted
                for form, factory in forms.items():
                    tb.make_optimizer = factory
                    model = backend.build(arch, 0)
                    start = time.perf_counter()
                    backend.fit(model, arch, x, y, 0)
                    seconds[form].append(time.perf_counter() - start)
            fused, default = (statistics.median(seconds[f][1:]) for f in ("fused", "default"))
            print(f"| {name} | {default:.3f} | {fused:.3f} | {fused / default:.2f} |")
    finally:
        tb.make_optimizer = make_optimizer

if __name__ == "__main__":
    main()
