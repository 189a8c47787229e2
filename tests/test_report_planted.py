"""The report on crafted runs with planted effects: it must find what was planted, say when
effects are noise, and render as JSON and HTML (checked in headless Chromium)."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import rendered_dom, run_cli

from nasdsl.report.content import build_report
from nasdsl.report.summary import read_run

CONFIG = {
    "experiment": {"name": "planted", "seed": 1},
    "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15}},
    "objective": [{"direction": "maximize", "metric": "val.accuracy"}],
    "constraints": [
        {"subject": "params", "op": "<=", "value": 20000, "text": "20k", "dimension": "count",
         "target": False},
        {"subject": "val.accuracy", "op": ">=", "value": 0.95, "text": "0.95",
         "dimension": "number", "target": True}],
    "budget": {"trials": 80, "time_s": None, "rate_per_h": 2.0},
    "backend": "torch",
}
ACTS = ["relu", "gelu", "tanh"]


def _arch(units: list[int]) -> dict:
    layers, width = [], 64
    for u in units:
        layers.append({"op": "dense", "params": {"units": u, "activation": "relu", "bias": True}})
        width = u
    layers.append({"op": "dense", "params": {"units": 10, "activation": "linear", "bias": True}})
    del width
    return {"input_shape": [64], "task": "classification", "outputs": 10, "layers": layers,
            "training": {"epochs": 2, "batch_size": 32, "optimizer": "adam",
                         "optimizer_params": {"lr": 0.01}}}


def make_run(root: Path, score, n: int = 80, seed: int = 0) -> Path:
    """A run directory whose trials' score is `score(params, rng)`; conditional decisions
    (a second copy exists only when repeat = 2) as a real layer-chain space has them."""
    rng = np.random.default_rng(seed)
    run = root / "run"
    (run / "trials").mkdir(parents=True)
    (run / "config.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    (run / "spec.nas").write_text('experiment "planted" {}\n', encoding="utf-8")
    (run / "run.json").write_text(json.dumps({"stop_reason": "trials", "seconds": 123.0}))
    for i in range(n):
        repeat = int(rng.integers(1, 3))
        params = {"layers.0.repeat": repeat}
        units = []
        for r in range(repeat):
            params[f"layers.0.r{r}.0.dense.units"] = int(rng.choice([32, 64, 128]))
            params[f"layers.0.r{r}.0.dense.activation"] = str(rng.choice(ACTS))
            params[f"layers.0.r{r}.1.batch_norm.present"] = bool(rng.integers(0, 2))
            units.append(params[f"layers.0.r{r}.0.dense.units"])
        params["train.optimizer.lr"] = float(10 ** rng.uniform(-3, -2))
        value = float(score(params, rng))
        status = "infeasible" if i % 20 == 19 else "ok"
        trial = {"number": i, "status": status, "architecture": _arch(units),
                 "description": f"mlp {units}", "params": params,
                 "measures": {"params": 1000 * sum(units) // 32, "model_bytes": 4000,
                              "flops": 2000, "latency_s": 1e-4},
                 "metrics": {"val": {"accuracy": value}, "test": {"accuracy": value}},
                 "objectives": [value] if status == "ok" else None,
                 "constraints": [{"subject": "params", "op": "<=", "text": "20k",
                                  "passed": True, "target": False, "actual": 1000.0},
                                 {"subject": "val.accuracy", "op": ">=", "text": "0.95",
                                  "passed": value >= 0.95, "target": True, "actual": value}],
                 "history": [], "reason": "", "seconds": 10.0, "seed": i}
        (run / "trials" / f"trial_{i:04d}.json").write_text(json.dumps(trial))
    return run


def planted_activation(params, rng):
    return 0.80 + (0.10 if params["layers.0.r0.0.dense.activation"] == "gelu" else 0.0) \
        + rng.normal(0, 0.01)


def test_report_names_the_planted_decision_first_and_the_right_option(tmp_path):
    run = make_run(tmp_path, planted_activation)
    report = build_report(read_run(run))
    ch = report["choices"]
    assert ch["importance"][0]["decision"] == "layers.0.r0.0.dense.activation"
    assert ch["importance"][0]["share"] > 0.5 and ch["r2"] > 0.5
    first = ch["effects"][0]
    assert first["decision"] == "layers.0.r0.0.dense.activation"
    assert first["best"] == "gelu" and first["verdict"] == "clear"
    assert abs(first["diff"] - 0.10) < 0.02
    assert "gelu beat" in first["sentence"] and "points" in first["sentence"]
    # decisions without an effect are reported as noise, not as findings
    lr = next(e for e in ch["effects"] if e["decision"] == "train.optimizer.lr")
    assert lr["verdict"] == "within noise"
    # the conditional decision (only when repeat = 2) is analysed without error
    assert any(i["decision"] == "layers.0.r1.0.dense.units" and i["active"] < 76
               for i in ch["importance"])
    s = report["summary"]
    assert (s["ok"], s["infeasible"], s["stop_reason"]) == (76, 4, "trials")
    assert s["money"] == pytest.approx(80 * 10 / 3600 * 2.0)
    assert report["targets"][0]["met_by_best"] is False


def test_report_finds_a_planted_interaction(tmp_path):
    def xor(params, rng):
        a = params["layers.0.r0.1.batch_norm.present"]
        b = params["train.optimizer.lr"] > 10 ** -2.5
        return 0.85 + (0.08 if a != b else 0.0) + rng.normal(0, 0.005)

    report = build_report(read_run(make_run(tmp_path, xor, n=100)))
    inter = report["choices"]["interaction"]
    assert {inter["a"], inter["b"]} == {"layers.0.r0.1.batch_norm.present",
                                        "train.optimizer.lr"}
    assert inter["p"] < 0.01 and "unlikely to be noise" in inter["sentence"]


def test_pure_noise_is_called_noise(tmp_path):
    report = build_report(read_run(make_run(tmp_path, lambda p, rng: rng.normal(0.9, 0.01))))
    ch = report["choices"]
    assert ch["r2"] < 0.3 and ch["note"]
    assert all(e["verdict"] != "clear" for e in ch["effects"][:3])


def test_report_cli_writes_json_and_html_that_chromium_renders(tmp_path):
    run = make_run(tmp_path, planted_activation)
    html_file, json_file = tmp_path / "report.html", tmp_path / "report.json"
    proc = run_cli("report", str(run), "--top", "5", "--html", str(html_file),
                   "--json", str(json_file))
    assert proc.returncode == 0, proc.stderr
    assert "Which choices mattered" in proc.stdout and "gelu beat" in proc.stdout
    data = json.loads(json_file.read_text())
    assert data["choices"]["importance"][0]["decision"] == "layers.0.r0.0.dense.activation"
    assert len(data["top"]) == 5 and data["history"][-1]["best"] is not None
    text = html_file.read_text()
    assert "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    dom = rendered_dom(html_file, tmp_path)
    assert "nasdsl report: planted" in dom
    assert dom.count("<svg") >= 4 and "Importance of each decision" in dom


def test_report_of_a_missing_run_is_a_usage_error(tmp_path):
    proc = run_cli("report", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "not a nasdsl run directory" in proc.stderr
