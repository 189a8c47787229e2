"""Every example spec in specs/ checks cleanly and compiles (the quickstart also runs in
test_cli.py; specs with their own run tests are listed in RUN_ELSEWHERE)."""

from pathlib import Path

import pytest
from conftest import SPECS, run_cli

from nasdsl.compile import spec_to_config
from nasdsl.lang import load_spec

ALL = sorted(SPECS.glob("*.nas"))


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_spec_checks_and_compiles(path: Path):
    result = load_spec(path)
    assert result.ok, result.rendered()
    assert not [d for d in result.diagnostics if d.is_error]
    config = spec_to_config(result.spec)
    assert config["experiment"]["name"]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_spec_runs_one_tiny_trial(path: Path, tmp_path):
    proc = run_cli("run", str(path), "budget.trials=1", "train.epochs=1", "--quiet",
                   "--runs-dir", str(tmp_path))
    assert proc.returncode in (0, 1), proc.stderr  # 1: the one trial may be infeasible
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.rglob("trial_0000.json"))
