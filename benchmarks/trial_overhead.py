"""Trial overhead: one fixed architecture trained by `nasdsl run` (a Hydra job through the
nasdsl sweeper) vs the same model and data in a hand-written PyTorch loop and in plain
`keras.fit`. Prints seconds and ratios; target ≤ 1.05× for nasdsl vs the hand loop.

    .venv/bin/python benchmarks/trial_overhead.py [--epochs 30] [--repeats 3] [--threads 1]

`nasdsl run` time is the search's wall time from run.json (every Hydra job, the study,
result files and the saved model included, the framework's import and the data load
excluded since a hand-written script pays those too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SPEC = """experiment "overhead" {{
  seed = 1
  data {{
    source = sklearn.digits
    split  = train 70%, val 15%, test 15%
  }}
  objective {{
    maximize val.accuracy
  }}
  space layers {{
    dense(units = 64, activation = relu)
  }}
  train {{
    epochs     = {epochs}
    batch_size = 32
    optimizer  = adam(lr = 0.001)
  }}
  budget {{
    trials = 1
  }}
  strategy random
  backend = torch
}}
"""


def data():
    from nasdsl.data import load_data

    config = {"data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15,
                                                              "test": 0.15}},
              "experiment": {"seed": 1}}
    return load_data(config, image=False)


def torch_loop(epochs: int) -> float:
    import torch
    from torch import nn

    d = data()
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(d.x_train), torch.from_numpy(d.y_train)
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
    with torch.no_grad():
        for split in ("train", "val", "test"):
            xs, ys = d.split(split)
            (model(torch.from_numpy(xs)).argmax(1).numpy() == ys).mean()
    return time.perf_counter() - t0


def keras_fit(epochs: int) -> float:
    import keras

    d = data()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    t0 = time.perf_counter()
    model.fit(d.x_train, d.y_train, batch_size=32, epochs=epochs, verbose=0)
    for split in ("train", "val", "test"):
        xs, ys = d.split(split)
        (np.argmax(model.predict(xs, verbose=0), 1) == ys).mean()
    return time.perf_counter() - t0


def nasdsl_run(epochs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "overhead.nas"
        spec.write_text(SPEC.format(epochs=epochs))
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec), "--quiet",
                        "--runs-dir", tmp], check=True, capture_output=True, env=os.environ)
        (run_dir,) = list((Path(tmp) / "overhead").iterdir())
        search = json.loads((run_dir / "run.json").read_text())["seconds"]
        trial = json.loads((run_dir / "trials/trial_0000.json").read_text())["seconds"]
        return float(search), float(trial)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for every framework (0: its default); 1 gives stable "
                    "figures on a shared machine")
    args = ap.parse_args()
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        import torch

        torch.set_num_threads(args.threads)
    hand = statistics.median(torch_loop(args.epochs) for _ in range(args.repeats))
    runs = [nasdsl_run(args.epochs) for _ in range(args.repeats)]
    search = statistics.median(r[0] for r in runs)
    trial = statistics.median(r[1] for r in runs)
    print(f"epochs={args.epochs} repeats={args.repeats} (medians)")
    print(f"hand-written torch loop : {hand:7.2f} s")
    print(f"nasdsl trial (job)      : {trial:7.2f} s   {trial / hand:5.2f}x")
    print(f"nasdsl search (wall)    : {search:7.2f} s   {search / hand:5.2f}x")
    if not args.no_keras:
        k = statistics.median(keras_fit(args.epochs) for _ in range(args.repeats))
        print(f"plain keras.fit         : {k:7.2f} s   {k / hand:5.2f}x")


if __name__ == "__main__":
    main()
