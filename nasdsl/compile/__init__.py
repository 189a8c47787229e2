"""The compile stage: Spec (AST) → a Hydra config directory, overridable from the CLI.

The config is plain YAML. Search primitives become small mappings such as
`{dist: choice, options: [32, 64]}`; an override that replaces one with a plain value
(`train.batch_size=64`) fixes that decision for the run.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from nasdsl.lang import ast

CONFIG_NAME = "config"


def value_to_config(value: ast.ParamValue) -> Any:
    """A literal or a search primitive as plain YAML data."""
    if isinstance(value, ast.Literal):
        return value.value
    if isinstance(value, ast.Choice):
        return {"dist": "choice", "options": [o.value for o in value.options]}
    if isinstance(value, ast.IntRange):
        return {"dist": "int", "low": value.low, "high": value.high, "step": value.step}
    if isinstance(value, ast.Uniform):
        return {"dist": "uniform", "low": value.low, "high": value.high}
    if isinstance(value, ast.LogUniform):
        return {"dist": "loguniform", "low": value.low, "high": value.high}
    raise TypeError(f"not a parameter value: {value!r}")  # pragma: no cover


def _params(params: tuple[ast.Param, ...]) -> dict[str, Any]:
    return {p.name: value_to_config(p.value) for p in params}


def plain(node: Any) -> Any:
    """Any AST node as plain data: spans dropped, values unwrapped, enums by value."""
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, Enum):
        return node.value
    if isinstance(node, ast.Literal | ast.Choice | ast.IntRange | ast.Uniform | ast.LogUniform):
        return value_to_config(node)
    if isinstance(node, ast.Quantity):
        return node.value
    if isinstance(node, ast.Param):
        return {node.name: value_to_config(node.value)}
    if isinstance(node, ast.Call | ast.Optimizer):
        return {"name": node.name, **_params(node.params)}
    if isinstance(node, tuple | list):
        return [plain(x) for x in node]
    if is_dataclass(node):
        out: dict[str, Any] = {}
        for f in fields(node):
            if f.name in ("span", "context"):
                continue
            value = getattr(node, f.name)
            if f.name == "params" and isinstance(value, tuple):
                out.update(_params(value))
            else:
                out[f.name] = plain(value)
        return out
    raise TypeError(f"cannot compile {node!r}")  # pragma: no cover


def _layer_item(item: ast.LayerItem) -> dict[str, Any]:
    if isinstance(item, ast.LayerOp):
        out: dict[str, Any] = {"op": item.op, "params": _params(item.params),
                               "line": item.span.line}
        if getattr(item, "custom", False):
            out["custom"] = True
        return out
    if isinstance(item, ast.OptionalLayer):
        return {"optional": _layer_item(item.layer), "line": item.span.line}
    if isinstance(item, ast.LayerChoice):
        return {"choose": [[_layer_item(i) for i in option] for option in item.options],
                "line": item.span.line}
    return {
        "repeat": value_to_config(item.count),
        "body": [_layer_item(i) for i in item.body],
        "line": item.span.line,
    }


def _layout(items: tuple[ast.LayoutItem, ...]) -> list[dict[str, Any]]:
    return [{"cell": i.cell, "count": value_to_config(i.count)} for i in items]


def _cell(cell: ast.CellDef | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"blocks": value_to_config(cell.blocks), "ops": list(cell.ops),
            "combine": cell.combine}


def space_to_config(space: ast.Space) -> dict[str, Any]:
    """The compiled `space:` mapping (shapes documented in nasdsl.space.cell_space)."""
    if isinstance(space, ast.LayerSpace):
        return {"kind": "layers", "layers": [_layer_item(i) for i in space.items]}
    if isinstance(space, ast.CellSpace):
        out: dict[str, Any] = {"kind": "cells", "normal": _cell(space.normal),
                               "reduction": _cell(space.reduction)}
    else:
        out = {"kind": "nb201", "nodes": space.nodes, "ops": list(space.ops)}
    if space.stem:
        out["stem"] = [_layer_item(i) for i in space.stem]
    if space.layout:
        out["layout"] = _layout(space.layout)
    if space.head:
        out["head"] = [_layer_item(i) for i in space.head]
    return out


def constraint_to_config(c: ast.Constraint) -> dict[str, Any]:
    """One constraint as the runner reads it (shape documented in docs/compiled-config.md)."""
    return {"subject": c.subject, "op": c.op, "value": c.value, "text": c.text,
            "dimension": c.dimension.value, "target": c.is_target, "soft": bool(c.soft),
            "batch": c.batch, "device": c.device, "quantized": c.quantized}


def spec_dir(spec: ast.Spec) -> Path:
    """The folder relative paths of the spec are resolved against (cwd for unnamed text)."""
    file = spec.span.file
    if not file or file.startswith("<"):
        return Path.cwd()
    return Path(file).resolve().parent


_URL_PREFIXES = ("sqlite:", "postgresql", "mysql", "oracle:", "mssql", "journal:")


def _resolve(path: str, base: Path) -> str:
    if path.startswith(_URL_PREFIXES) or "://" in path:
        return path
    return str((base / Path(path).expanduser()).resolve())


def _preprocess(data: ast.DataSpec) -> dict[str, Any]:
    p = data.preprocess
    if p is None:
        numeric = {"standard": "standardize", "minmax": "minmax"}.get(data.normalize, "none")
        return {"numeric": numeric, "categorical": "onehot", "impute": "mean",
                "fill_value": None, "categorical_columns": "auto"}
    columns = p.categorical_columns
    return {"numeric": p.numeric, "categorical": p.categorical, "impute": p.impute,
            "fill_value": p.fill_value,
            "categorical_columns": columns if isinstance(columns, str) else list(columns)}


_DEFAULT_EXECUTION = {"workers": 1, "launcher": "basic", "storage": None, "device": "auto",
                      "retries": 0, "trial_timeout_s": None, "trial_memory_bytes": None,
                      "dispatch": "batches"}


def _early_stop(call: ast.Call) -> dict[str, Any]:
    """{name, min_epochs, eta, …}: the given parameters over the registry's defaults."""
    from nasdsl.lang.registry import EARLY_STOPPING

    spec = EARLY_STOPPING.get(call.name)
    defaults = {p.name: p.default for p in spec.params if p.default is not None} if spec else {}
    return {"name": call.name, **defaults, **_params(call.params)}


def spec_to_config(spec: ast.Spec) -> dict[str, Any]:
    """The experiment as a plain, JSON/YAML-ready dictionary (see docs/compiled-config.md)."""
    base = spec_dir(spec)
    data = plain(spec.data)
    data["preprocess"] = _preprocess(spec.data)
    if data.get("kind") not in (None, "builtin"):  # the file, wherever `nasdsl run` starts
        data["path"] = _resolve(str(data["source"]), base)
        if data.get("labels"):
            data["labels_path"] = _resolve(str(data["labels"]), base)
    data["split"] = {"train": spec.data.split.train, "val": spec.data.split.val,
                     "test": spec.data.split.test}
    train = plain(spec.train)
    train["optimizer"] = {"name": spec.train.optimizer.name,
                          **_params(spec.train.optimizer.params)}
    strategy = {"name": spec.strategy.name, **_params(spec.strategy.params)}
    if spec.strategy.early_stop is not None:
        strategy["early_stop"] = _early_stop(spec.strategy.early_stop)
    budget = plain(spec.budget)
    config: dict[str, Any] = {
        "experiment": {"name": spec.name, "seed": spec.seed, "description": spec.description,
                       "task": plain(getattr(spec, "task", None)),
                       "uses": [u.module for u in getattr(spec, "uses", ())]},
        "data": data,
        "objective": [{"direction": g.direction, "metric": g.metric} for g in spec.objective.goals],
        "constraints": [constraint_to_config(c) for c in spec.constraints],
        "targets": [{"name": t.name,
                     "constraints": [constraint_to_config(c) for c in t.constraints]}
                    for t in spec.targets],
        "space": space_to_config(spec.space),
        "train": train,
        "budget": budget,
        "strategy": strategy,
        "backend": spec.backend,
        "backend_options": {k: _resolve(v, base) if k == "path" else v
                            for k, v in spec.backend_options},
        "warm_start": [_resolve(w, base) for w in spec.warm_start],
    }
    for block in ("pilot", "final", "export"):
        config[block] = plain(getattr(spec, block))
    config["execution"] = plain(spec.execution) if spec.execution is not None \
        else dict(_DEFAULT_EXECUTION)
    config["baselines"] = [
        {"name": b.name,
         "layers": None if b.layers is None else [_layer_item(i) for i in b.layers],
         "model": plain(b.model), "train": plain(b.train)}
        for b in spec.baselines
    ]
    return config


def write_config_dir(spec: ast.Spec, out_dir: str | Path, source: str | None = None) -> Path:
    """Write a Hydra config directory: config.yaml (primary config) and a copy of the spec."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = {"defaults": ["_self_"], **spec_to_config(spec)}
    header = (f"# Compiled by nasdsl from {spec.span.file}; load with Hydra:\n"
              f"#   initialize_config_dir(config_dir=..., version_base=None)\n"
              f"#   compose(config_name='{CONFIG_NAME}', overrides=['train.epochs=3'])\n")
    (out / f"{CONFIG_NAME}.yaml").write_text(
        header + yaml.safe_dump(cfg, sort_keys=False, default_flow_style=None), encoding="utf-8")
    if source is not None:
        (out / "spec.nas").write_text(source, encoding="utf-8")
    return out


def compose(config_dir: str | Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """Load a compiled config directory through Hydra's compose API and apply overrides."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base=None):
        cfg = hydra_compose(config_name=CONFIG_NAME, overrides=list(overrides or []))
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    return data  # type: ignore[return-value]
