"""Warm starts: seed a new search with the architectures earlier runs evaluated.

`warm_start = ["runs/earlier-run", "sqlite:///other/study.db"]` names run directories (or
an experiment folder holding timestamped runs) and Optuna storage URLs. Right after the
run's study is created, every finished candidate of those sources is replayed through the
*new* search space: a candidate whose decisions are missing there or out of their new
range is skipped. The others

* are **re-used** — added to the study as finished trials with their recorded result, no
  training — when the data and training protocol are identical (the same
  `protocol_hash`: data block, split seed, backend, fixed training settings, quantization
  schemes) and the replayed architecture is the very one the earlier run trained;
* otherwise become **starting points**: queued (`study.enqueue_trial`) so that the first
  trials of the new search train them, best first.

Re-used trials do not count against `budget.trials` (they cost nothing); starting points
do. A study URL has no result files, so its candidates are starting points only. What
happened is written to `RUN_DIR/warm_start.json`, which the report reads.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WARM_FILE = "warm_start.json"
_URL_PREFIXES = ("sqlite:", "postgresql", "mysql", "oracle:", "mssql", "journal:")


class WarmStartError(ValueError):
    """A warm-start source cannot be read."""


@dataclass
class Candidate:
    """One finished candidate of an earlier run or study."""

    source: str
    number: int
    params: dict[str, Any]
    value: float | None  # the earlier first objective, to order starting points
    result: dict[str, Any] | None = None  # the earlier result file (run directories only)
    protocol: str | None = None
    run_dir: Path | None = None


@dataclass
class WarmStart:
    """What a warm start did, as written to warm_start.json."""

    sources: list[str]
    found: int = 0
    reused: list[dict[str, Any]] = field(default_factory=list)
    queued: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal and the report."""
        return (f"warm start: {len(self.reused)} earlier trial(s) re-used, "
                f"{len(self.queued)} queued as starting points, {len(self.skipped)} skipped "
                f"(of {self.found} from {len(self.sources)} source(s))")


def protocol_hash(config: dict[str, Any]) -> str:
    """Hash of what makes two evaluations of one architecture comparable."""
    from nasdsl.practice.quantize import schemes

    data = {k: v for k, v in (config.get("data") or {}).items() if k != "subset"}
    train = {k: v for k, v in (config.get("train") or {}).items()
             if k not in ("epochs", "batch_size", "optimizer")}  # per trial, in the arch
    key = {"data": data, "seed": (config.get("experiment") or {}).get("seed"),
           "backend": config.get("backend"), "backend_options": config.get("backend_options"),
           "train": train, "quantized": schemes(config)}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _is_url(source: str) -> bool:
    return source.startswith(_URL_PREFIXES) or "://" in source


def run_dirs(path: Path) -> list[Path]:
    """The run directories under a path: itself, or its timestamped children."""
    if (path / "config.yaml").is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.iterdir() if (p / "config.yaml").is_file())
    return []


def _from_run(path: Path) -> list[Candidate]:
    import yaml

    config = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8"))
    protocol = protocol_hash(config)
    out = []
    for f in sorted((path / "trials").glob("trial_*.json")):
        result = json.loads(f.read_text(encoding="utf-8"))
        if result.get("status") != "ok" or not result.get("params") and \
                not result.get("architecture"):
            continue
        objectives = result.get("objectives") or [None]
        out.append(Candidate(str(path), int(result["number"]), dict(result.get("params") or {}),
                             objectives[0], result, protocol, path))
    return out


def _from_url(url: str) -> list[Candidate]:
    import optuna

    from nasdsl.run.study import make_storage

    try:
        storage = make_storage(url)
        names = optuna.get_all_study_names(storage=storage)
    except Exception as err:  # a wrong URL is the user's input: say which
        raise WarmStartError(f"warm_start: cannot open {url} ({type(err).__name__}: "
                             f"{err})") from err
    out = []
    for name in names:
        study = optuna.load_study(study_name=name, storage=storage)
        for t in study.get_trials(deepcopy=False):
            if t.state.name == "COMPLETE" and t.params:
                value = t.values[0] if t.values else None
                out.append(Candidate(f"{url}#{name}", t.number, dict(t.params), value))
    return out


def candidates(sources: list[str]) -> list[Candidate]:
    """Every finished candidate of the sources; a source that does not exist is an error."""
    out: list[Candidate] = []
    for source in sources:
        if _is_url(source):
            out += _from_url(source)
            continue
        found = run_dirs(Path(source))
        if not found:
            raise WarmStartError(f"warm_start: {source} is not a run directory (no config.yaml "
                                 "in it or in its sub-folders)")
        for path in found:
            out += _from_run(path)
    return out


class _Replay:
    """A Suggest that answers from recorded values and checks them against the new space."""

    def __init__(self, values: dict[str, Any]):
        import optuna.distributions as od

        self.values = values
        self.used: dict[str, Any] = {}
        self.distributions: dict[str, Any] = {}
        self.od = od

    def _get(self, name: str) -> Any:
        if name not in self.values:
            raise LookupError(f"decision '{name}' was not in the earlier run")
        return self.values[name]

    def categorical(self, name: str, options: list[Any]) -> Any:
        value = self._get(name)
        if value not in options:
            raise LookupError(f"{name} = {value!r} is not an option any more ({options})")
        self.used[name] = value
        self.distributions[name] = self.od.CategoricalDistribution(options)
        return value

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        value = int(self._get(name))
        if not low <= value <= high or (value - low) % step:
            raise LookupError(f"{name} = {value} is outside {low}..{high} (step {step})")
        self.used[name] = value
        self.distributions[name] = self.od.IntDistribution(low, high, step=step)
        return value

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        value = float(self._get(name))
        if not low <= value <= high:
            raise LookupError(f"{name} = {value:g} is outside [{low:g}, {high:g}]")
        self.used[name] = value
        self.distributions[name] = self.od.FloatDistribution(low, high, log=log)
        return value


def replay(space: Any, params: dict[str, Any]) -> tuple[Any, _Replay]:
    """The architecture the recorded decisions give in `space`; LookupError if invalid."""
    from nasdsl.space.shapes import ShapeError, measure

    suggest = _Replay(params)
    try:
        arch = space.sample(suggest)
        measure(arch)
    except ShapeError as err:
        raise LookupError(f"does not fit the new space's shapes ({err})") from err
    return arch, suggest


def _objectives(config: dict[str, Any], result: dict[str, Any]) -> list[float] | None:
    from nasdsl.run.runner import objective_value

    values = [objective_value(g["metric"], result.get("metrics") or {},
                              result.get("measures") or {}) for g in config["objective"]]
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return [float(v) for v in values if v is not None]


def _reuse(study: Any, config: dict[str, Any], run_dir: Path, tag: str, cand: Candidate,
           arch: Any, replayed: _Replay, objectives: list[float]) -> dict[str, Any]:
    """Add an earlier result to the study and the run directory as a finished trial."""
    import optuna
    from optuna.trial import TrialState

    from nasdsl.run import constraints as cons
    from nasdsl.run.runner import INFEASIBLE, OK, TrialResult
    from nasdsl.run.study import arch_key

    assert cand.result is not None
    result = TrialResult.from_dict(cand.result)
    measures = {k: v for k, v in result.measures.items() if k != "simulated_train_seconds"}
    flat = {f"{s}.{n}": v for s, ms in result.metrics.items() for n, v in ms.items()}
    limits = config["constraints"]
    checks = [cons.check(c, measures, flat) for c in limits]
    broken = [got for c, got in zip(limits, checks, strict=True)
              if got.passed is False and not c.get("target") and not c.get("soft")]
    penalty = getattr(cons, "soft_penalty", None)  # soft limits rank breakers lower
    if penalty is not None:
        objectives = [penalty(limits, [c.__dict__ for c in checks], v, g["direction"])
                      for v, g in zip(objectives, config["objective"], strict=True)]
    status = INFEASIBLE if broken else OK
    attrs = {"run": tag, "status": status, "arch_key": arch_key(arch.to_dict()),
             "description": result.description[:500], "seconds": 0.0, "charged_s": 0.0,
             "warm_start": f"{cand.source} trial {cand.number}",
             **{k: v for k, v in measures.items() if not isinstance(v, dict)}}
    frozen = optuna.trial.create_trial(
        params=replayed.used, distributions=replayed.distributions,
        values=objectives if status == OK else None,
        state=TrialState.COMPLETE if status == OK else TrialState.FAIL, user_attrs=attrs)
    study.add_trial(frozen)
    number = study.get_trials(deepcopy=False)[-1].number
    result.number, result.status, result.params = number, status, dict(replayed.used)
    result.measures, result.objectives = measures, objectives
    result.constraints = [c.__dict__ for c in checks]
    result.reused_from, result.seconds = cand.number, 0.0
    result.reason = (f"re-used from {cand.source} trial {cand.number} (warm start: same data "
                     "and training protocol, not trained again)")
    if broken:
        result.reason += "; " + "; ".join(c.describe() for c in broken)
    (run_dir / "trials").mkdir(parents=True, exist_ok=True)
    result.write(run_dir / "trials")
    if cand.run_dir is not None:
        for f in sorted((cand.run_dir / "models").glob(f"trial_{cand.number:04d}.*")):
            (run_dir / "models").mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, run_dir / "models" / f"trial_{number:04d}{f.suffix}")
    return {"trial": number, "from": f"{cand.source} trial {cand.number}", "status": status,
            "value": objectives[0]}


def apply(study: Any, config: dict[str, Any], run_dir: Path, tag: str,
          max_queued: int | None = None) -> WarmStart | None:
    """Seed `study` from `config['warm_start']`; once per study (a resume does nothing).

    `max_queued` caps the starting points (default: half the trial budget, at least 1).
    """
    from nasdsl.run.study import arch_key
    from nasdsl.space.search_space import SearchSpace

    sources = [str(s) for s in config.get("warm_start") or []]
    if not sources or study.user_attrs.get("warm_started"):
        return None
    report = WarmStart(sources)
    found = candidates(sources)
    report.found = len(found)
    space = SearchSpace(config)
    protocol = protocol_hash(config)
    maximize = config["objective"][0]["direction"] == "maximize"
    found.sort(key=lambda c: (c.value is None,
                              -(c.value or 0.0) if maximize else (c.value or 0.0)))
    trials = (config.get("budget") or {}).get("trials")
    cap = max_queued if max_queued is not None else max(1, int(trials) // 2) if trials else 10
    seen: set[str] = set()
    for cand in found:
        where = f"{cand.source} trial {cand.number}"
        try:
            arch, replayed = replay(space, cand.params)
        except LookupError as err:
            report.skipped.append({"from": where, "why": str(err)})
            continue
        key = arch_key(arch.to_dict())
        if key in seen:
            report.skipped.append({"from": where, "why": "same candidate as a better one"})
            continue
        seen.add(key)
        same = (cand.result is not None and cand.protocol == protocol
                and arch_key(cand.result.get("architecture") or {}) == key)
        objectives = _objectives(config, cand.result) if same and cand.result else None
        if same and objectives is not None:
            report.reused.append(_reuse(study, config, run_dir, tag, cand, arch, replayed,
                                        objectives))
        elif len(report.queued) < cap:
            study.enqueue_trial(replayed.used, skip_if_exists=True)
            report.queued.append({"from": where, "params": replayed.used})
        else:
            report.skipped.append({"from": where, "why": f"more than {cap} starting points"})
    study.set_user_attr("warm_started", True)
    (run_dir / WARM_FILE).write_text(json.dumps(report.__dict__, indent=2, default=str),
                                     encoding="utf-8")
    return report


def read_report(run_dir: Path) -> dict[str, Any] | None:
    """warm_start.json of a run directory, if the run was warm-started."""
    path = Path(run_dir) / WARM_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
