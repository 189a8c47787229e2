"""The training optimizer of a trial, in torch's fastest exact form for the CPU.

torch's default Adam, AdamW and SGD update each parameter tensor in a Python loop. The
fused form (one kernel over all tensors, `fused=True`, on the CPU since torch 2.4) does
the same arithmetic per element and is deterministic; on the small models a search
trains it cuts a training step by 15-25 % (benchmarks/train_step.py), since most of such
a step is per-tensor overhead. RMSprop has no fused form and keeps torch's default.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import torch

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop}

# The optimizers this torch offers a fused form of (those taking a `fused` argument).
FUSED = frozenset(name for name, cls in OPTIMIZERS.items()
                  if "fused" in inspect.signature(cls).parameters)


def make_optimizer(name: str, parameters: Iterable[torch.nn.Parameter],
                   options: dict[str, Any] | None = None,
                   fused: bool = True) -> torch.optim.Optimizer:
    """The named optimizer over `parameters`, fused where torch has a kernel for it.

    `fused=False` gives torch's default form (the reference the tests compare against).
    Where torch refuses the fused form (parameters that are not floating point or on a
    device it does not support, an option it lacks), the default form trains instead of
    the trial failing.
    """
    cls = OPTIMIZERS[name]
    params = list(parameters)
    kwargs = dict(options or {})
    if fused and name in FUSED:
        try:
            return cls(params, fused=True, **kwargs)
        except (RuntimeError, ValueError):  # torch's own check of the fused form's limits
            pass
    return cls(params, **kwargs)
