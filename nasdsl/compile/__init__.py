"""The compile stage: Spec (AST) → a Hydra config directory, overridable from the CLI.

The config is plain YAML. Search primitives become small mappings such as
`{dist: choice, options: [32, 64]}`; an override that replaces one with a plain value
(`train.batch_size=64`) fixes that decision for the run.
"""

from __future__ import annotations

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


def _layer_item(item: ast.LayerItem) -> dict[str, Any]:
    if isinstance(item, ast.LayerOp):
        return {"op": item.op, "params": _params(item.params), "line": item.span.line}
    if isinstance(item, ast.OptionalLayer):
        return {"optional": _layer_item(item.layer), "line": item.span.line}
    return {
        "repeat": value_to_config(item.count),
        "body": [_layer_item(i) for i in item.body],
        "line": item.span.line,
    }


def spec_to_config(spec: ast.Spec) -> dict[str, Any]:
    """The experiment as a plain, JSON/YAML-ready dictionary."""
    return {
        "experiment": {"name": spec.name, "seed": spec.seed, "description": spec.description},
        "data": {
            "source": spec.data.source,
            "split": {"train": spec.data.split.train, "val": spec.data.split.val,
                      "test": spec.data.split.test},
            "stratify": spec.data.stratify,
        },
        "objective": [{"direction": g.direction, "metric": g.metric} for g in spec.objective.goals],
        "constraints": [
            {"subject": c.subject, "op": c.op, "value": c.value, "text": c.text,
             "dimension": c.dimension.value, "target": c.is_target}
            for c in spec.constraints
        ],
        "space": {"kind": "layers", "layers": [_layer_item(i) for i in spec.space.items]},
        "train": {
            "epochs": value_to_config(spec.train.epochs),
            "batch_size": value_to_config(spec.train.batch_size),
            "optimizer": {"name": spec.train.optimizer.name,
                          **_params(spec.train.optimizer.params)},
        },
        "budget": {"trials": spec.budget.trials, "time_s": spec.budget.time_s},
        "strategy": {"name": spec.strategy.name, **_params(spec.strategy.params)},
        "backend": spec.backend,
    }


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
