"""The training optimizer of a trial, in torch's fastest exact form for the CPU.

torch's default Adam, AdamW and SGD update each parameter tensor in a Python loop. The
fused form (one kernel over all tensors, `fused=True`, on the CPU since torch 2.4) does
the same arithmetic per element and is deterministic; on the small models a search
trains it cuts a training step by 15-25 % (benchmarks/train_step.py), since most of such
a step is per-tensor overhead. RMSprop has no fused form and keeps torch's default.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop}

# The optimizers with a fused CPU kernel in the torch versions nasdsl supports.
FUSED = frozenset({"adam", "adamw", "sgd"})


def make_optimizer(name: str, parameters: Iterable[torch.nn.Parameter],
                   options: dict[str, Any] | None = None,
                   fused: bool = True) -> torch.optim.Optimizer:
    """The named optimizer over `parameters`, fused where torch has a kernel for it.

    `fused=False` gives torch's default form (the reference the tests compare against).
    Parameters that the fused kernel cannot take (not floating point, or on a device it
    does not support) fall back to the default form rather than failing the trial.
    """
    cls = OPTIMIZERS[name]
    params = [p for p in parameters]
    kwargs = dict(options or {})
    if fused and name in FUSED and params and all(
            p.dtype.is_floating_point and p.device.type == "cpu" for p in params):
        try:
            return cls(params, fused=True, **kwargs)
        except (RuntimeError, TypeError, ValueError):  # an option the fused form lacks
            pass
    return cls(params, **kwargs)
