"""Export a trained PyTorch model: ONNX, TorchScript, or readable standalone source.

`source` traces the model with torch.fx: every leaf module is written as its constructor
call at its own attribute path (so the saved state dict loads unchanged) and `forward`
is the traced graph as Python code. The file imports only torch.
"""

from __future__ import annotations

import json
import pprint
import re
import types
from pathlib import Path
from typing import Any

import torch
from nasdsl.backends.torch.layers import build_model, example_input
from torch import nn

from nasdsl.space.ir import Architecture


def load_trained(arch: Architecture, model_file: Path) -> nn.Module:
    """The architecture's module with the saved state dict, in eval mode."""
    model = build_model(arch)
    model.load_state_dict(torch.load(model_file, map_location="cpu", weights_only=True))
    return model.eval()


class _RawInputs(nn.Module):
    """The trained model behind the run's image scaling: takes raw pixels (N, C, H, W)."""

    def __init__(self, model: nn.Module, scaling: dict[str, Any]):
        super().__init__()
        self.model = model
        shape = (1, -1, 1, 1)
        self.register_buffer("mean", torch.tensor(scaling["mean"]).reshape(shape))
        self.register_buffer("std", torch.tensor(scaling["std"]).reshape(shape))
        self.scale = float(scaling["scale"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x * self.scale - self.mean) / self.std)


def with_input_scaling(model: nn.Module, meta: dict[str, Any]) -> nn.Module:
    """`model` with the run's image scaling built in, when the run recorded one.

    `meta["inputs"]["preprocessing"]` then says the export takes raw pixels (otherwise it
    keeps saying what the caller applies).
    """
    inputs = meta.setdefault("inputs", {})
    scaling = inputs.get("scaling") or {}
    if scaling.get("kind") == "image":
        inputs["preprocessing"] = ("built in: give raw pixels as float32 in (N, C, H, W) "
                                   "(0-255 for 8-bit images); the model applies "
                                   "× scale, − mean, ÷ std per channel")
        return _RawInputs(model, scaling).eval()
    return model


def export_onnx(model: nn.Module, arch: Architecture, path: Path, meta: dict[str, Any]) -> Path:
    """An ONNX graph (batch dimension dynamic) carrying the metadata as metadata_props."""
    import logging

    import onnx

    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # torchvision-op notices
    sample = example_input(arch, batch=2)
    batch = torch.export.Dim("batch", min=1)
    program = torch.onnx.export(model, (sample,), dynamo=True, input_names=["input"],
                                output_names=["output"],
                                dynamic_shapes=({0: batch},), verbose=False)
    program.save(str(path))
    graph = onnx.load(str(path))
    for key, value in _flat_meta(meta).items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(graph, str(path))
    return path


def export_torchscript(model: nn.Module, arch: Architecture, path: Path,
                       meta: dict[str, Any]) -> Path:
    """A traced TorchScript module with the metadata as the extra file `nasdsl.json`."""
    traced = torch.jit.trace(model, example_input(arch, batch=2))
    torch.jit.save(traced, str(path), _extra_files={"nasdsl.json": json.dumps(meta)})
    return path


def _ctor(module: nn.Module) -> str:
    """Constructor code of a standard leaf module."""
    if isinstance(module, nn.AvgPool2d):  # its repr leaves out two arguments
        return (f"nn.AvgPool2d({module.kernel_size!r}, {module.stride!r}, {module.padding!r}, "
                f"ceil_mode={module.ceil_mode}, count_include_pad={module.count_include_pad})")
    text = repr(module)
    if "\n" in text or type(module).__module__.split(".")[:2] != ["torch", "nn"]:
        raise ValueError(f"cannot write {type(module).__name__} as source")
    return "nn." + text


def torch_source(model: nn.Module, meta: dict[str, Any], weights_name: str) -> str:
    """Readable standalone Python source that rebuilds the model (imports only torch)."""
    import torch.fx

    code = torch.fx.symbolic_trace(model).graph.python_code(root_module="self")
    leaves = [(name, m) for name, m in model.named_modules()
              if name and not list(m.children())]
    build = "\n".join(f"        _put(self, {name!r}, {_ctor(m)})" for name, m in leaves)
    forward = "\n".join("    " + line if line.strip() else ""
                        for line in code.src.strip("\n").splitlines())
    names = "\n".join(_global(name, value) for name, value in code.globals.items()
                      if re.search(rf"\b{re.escape(name)}\b", code.src)
                      and name not in ("torch",))
    shape = ", ".join(map(str, meta["architecture"]["input_shape"]))
    arch_text = pprint.pformat(meta["architecture"], width=96, sort_dicts=False)
    return f'''"""{meta["description"]}

Exported by nasdsl {meta["nasdsl_version"]} from experiment {meta["experiment"]!r},
trial {meta["trial"]} ({meta["objective"]}). Standalone: needs only PyTorch.

    model = Net()
    model.load_state_dict(torch.load("{weights_name}"))
    model.eval()
    logits = model(x)   # x: float32 of shape (batch, {shape})
"""

import importlib

import torch
from torch import nn

SPEC_SHA256 = {meta["spec_sha256"]!r}
# The nasdsl architecture IR of this network.
ARCHITECTURE = {arch_text}
{names}


def _put(root: nn.Module, path: str, module: nn.Module) -> None:
    """Attach a module at a dotted path, creating empty containers on the way."""
    *parents, leaf = path.split(".")
    for name in parents:
        if not hasattr(root, name):
            root.add_module(name, nn.Module())
        root = getattr(root, name)
    root.add_module(leaf, module)


class Net(nn.Module):
    """The exported network."""

    def __init__(self) -> None:
        super().__init__()
{build}

{forward}


if __name__ == "__main__":
    net = Net()
    net.load_state_dict(torch.load("{weights_name}", weights_only=True))
    net.eval()
    print(net(torch.zeros(1, {shape})))
'''


def _global(name: str, value: Any) -> str:
    """A name the traced code uses, defined without torch.fx."""
    if isinstance(value, str):
        return f"{name} = {value}"
    if isinstance(value, float):
        return f"{name} = float({str(value)!r})"
    if value is type(None):
        return f"{name} = type(None)"
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        return f"{name} = importlib.import_module({value.__module__!r}).{value.__qualname__}"
    if isinstance(value, types.ModuleType):
        return f"{name} = importlib.import_module({value.__name__!r})"
    raise ValueError(f"cannot write the traced global {name!r} as source")


def export_source(model: nn.Module, arch: Architecture, path: Path,
                  meta: dict[str, Any]) -> list[Path]:
    """`path` (.py source) and its weights next to it (.weights.pt state dict)."""
    weights = path.with_suffix(".weights.pt")
    text = torch_source(model, meta, weights.name)
    path.write_text(text, encoding="utf-8")
    torch.save(model.state_dict(), weights)
    return [path, weights]


def export(fmt: str, arch: Architecture, model_file: Path, stem: Path,
           meta: dict[str, Any]) -> list[Path]:
    """Export the trained model in one format; `stem` is the output path without suffix."""
    model = load_trained(arch, model_file)
    if fmt in ("onnx", "torchscript"):
        model = with_input_scaling(model, meta)
    if fmt == "onnx":
        return [export_onnx(model, arch, stem.with_suffix(".onnx"), meta)]
    if fmt == "torchscript":
        return [export_torchscript(model, arch, stem.with_suffix(".torchscript.pt"), meta)]
    if fmt == "source":
        return export_source(model, arch, stem.with_suffix(".py"), meta)
    raise ValueError(f"the torch backend cannot export '{fmt}' (onnx, torchscript, source)")


def _flat_meta(meta: dict[str, Any]) -> dict[str, str]:
    return {f"nasdsl.{k}": v if isinstance(v, str) else json.dumps(v) for k, v in meta.items()}
