"""Several trained PyTorch models as one: an averaging ensemble, saved as one TorchScript file.

Classification members' softmax probabilities are averaged and the module returns their
logarithm (so argmax, cross-entropy and softmax work on it as on one model's logits);
regression members' outputs are averaged.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from nasdsl.backends.torch.export import load_trained
from nasdsl.backends.torch.layers import example_input
from torch import nn

from nasdsl.space.ir import Architecture


class AveragingEnsemble(nn.Module):
    """Averages its members' predictions (probabilities for classification)."""

    def __init__(self, members: list[nn.Module], classification: bool):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.classification = classification

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The averaged prediction (log-probabilities for classification)."""
        outs = [m(x) for m in self.members]
        if self.classification:
            probs = torch.stack([torch.softmax(o, dim=1) for o in outs]).mean(dim=0)
            return torch.log(probs.clamp_min(1e-12))
        return torch.stack(outs).mean(dim=0)


def build(members: list[tuple[Architecture, Path]]) -> AveragingEnsemble:
    """The ensemble of saved models (architecture, state-dict file), in eval mode."""
    if not members:
        raise ValueError("an ensemble needs at least one member")
    shapes = {tuple(a.input_shape) for a, _ in members}
    if len(shapes) > 1:
        raise ValueError(f"the members read different inputs ({sorted(shapes)}); "
                         "they cannot be averaged as one model")
    models = [load_trained(a, f) for a, f in members]
    return AveragingEnsemble(models, members[0][0].task == "classification").eval()


def save(ensemble: AveragingEnsemble, arch: Architecture, path: Path,
         meta: dict[str, Any]) -> Path:
    """One traced TorchScript file holding every member; `meta` as the extra file."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit's deprecation notice
        traced = torch.jit.trace(ensemble, example_input(arch, batch=2))
        torch.jit.save(traced, str(path), _extra_files={"nasdsl.json": json.dumps(meta)})
    return path


def load(path: Path) -> Any:
    """A saved ensemble, ready to call on a float32 batch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.jit.load(str(path), map_location="cpu").eval()


def predict(model: Any, x: Any) -> Any:
    """Predictions of a (saved or live) ensemble for numpy rows."""
    with torch.no_grad():
        return model(torch.from_numpy(np.asarray(x, dtype=np.float32))).numpy()


SUFFIX = ".pt"


def load_member(arch: Architecture, model_file: Path) -> nn.Module:
    """One trained member."""
    return load_trained(arch, model_file)
