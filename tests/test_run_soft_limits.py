"""A soft limit is a penalty: breaking candidates are trained, kept and ranked lower."""

import json

from conftest import SPECS, run_cli

from nasdsl.run.constraints import soft_penalty, violated_limits


def test_soft_limits_never_reject_and_penalise_by_excess():
    limits = [{"subject": "params", "op": "<=", "value": 1000, "soft": True, "target": False}]
    assert violated_limits(limits, {"params": 5000}) == []
    small = soft_penalty(limits, [{"passed": False, "actual": 1500}], 0.9, "maximize")
    large = soft_penalty(limits, [{"passed": False, "actual": 5000}], 0.9, "maximize")
    assert large < small < 0.0 < soft_penalty(limits, [{"passed": True, "actual": 900}],
                                               0.9, "maximize") == 0.9
    assert soft_penalty(limits, [{"passed": False, "actual": 2000}], 0.5, "minimize") > 0.5
    hard = [{**limits[0], "soft": False}]
    assert [c.subject for c in violated_limits(hard, {"params": 5000})] == ["params"]


def test_a_run_trains_candidates_that_break_a_soft_limit(tmp_path):
    text = (SPECS / "quickstart.nas").read_text(encoding="utf-8")
    text = text.replace("params     <= 20k", "params     <= 100 soft", 1)
    # Latency is measured on the host, and a loaded CI runner can break the hard 5 ms
    # limit; this test is about the soft params limit, so it drops the latency one.
    text = text.replace("    latency    <= 5 ms\n", "", 1)
    assert "params     <= 100 soft" in text and "latency" not in text
    spec = tmp_path / "soft.nas"
    spec.write_text(text, encoding="utf-8")
    proc = run_cli("run", str(spec), "budget.trials=2", "train.epochs=1", "--quiet",
                   "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr
    trials = [json.loads(p.read_text()) for p in (tmp_path / "runs").rglob("trial_*.json")]
    assert len(trials) == 2
    for t in trials:
        assert t["status"] == "ok" and t["history"], t["reason"]
        params = next(c for c in t["constraints"] if c["subject"] == "params")
        assert params["passed"] is False
        assert t["objectives"][0] < 0 <= t["metrics"]["val"]["accuracy"]
