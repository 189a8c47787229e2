"""The language commands as a user runs them: space, fmt --diff, check summaries."""

import shutil
from pathlib import Path

from conftest import SPECS, run_cli

from nasdsl.lang import load_spec
from nasdsl.lang.analysis import SpaceReport, SpaceSize, chain_measures, space_report

HERE = Path(__file__).parent


def test_space_prints_exact_measures_of_a_layer_chain():
    proc = run_cli("space", str(SPECS / "quickstart.nas"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "architectures      342" in out and "every architecture" in out
    spec = load_spec(SPECS / "quickstart.nas").spec
    measures = chain_measures(spec)
    low, median, high = measures.quantiles("params")
    assert low <= median <= high
    report = space_report(spec)
    assert report.exact and report.examined == 342
    params = next(m for m in report.measures if m.name == "params")
    assert (params.low, params.high) == (low, high)
    share = next(s for s in report.shares if s.text == "params <= 20k")
    assert share.share == measures.satisfying("params", "<=", 20000) / 342
    assert f"{share.share:7.1%} satisfy params <= 20k" in out


def test_space_samples_a_cell_space_and_gives_log10_when_huge():
    spec = load_spec(SPECS / "cells_digits.nas").spec
    report = space_report(spec, samples=40, seed=1)
    assert not report.exact and report.examined == 40
    assert {m.name for m in report.measures} == {"params", "model_size", "flops"}
    assert all(m.low <= m.median <= m.high for m in report.measures)
    assert report.size.architectures == 589_824
    proc = run_cli("space", str(SPECS / "cells_digits.nas"), "--samples", "30")
    assert proc.returncode == 0, proc.stderr
    assert "a random sample of 30 (seed 0)" in proc.stdout
    wide = load_spec(HERE / "good_specs" / "cells_digits.nas").spec
    report = space_report(wide, samples=5)
    assert report.size_text() == "940,369,969,152 (times continuous: dropout.rate)"
    huge = SpaceReport(SpaceSize(7 * 10**20, (), 1, ()), False, 0, 0, (), ())
    assert huge.size_text() == "10^20.8"


def test_space_of_quantized_limit_counts_one_byte_a_weight():
    spec = load_spec(HERE / "good_specs" / "deploy_features.nas").spec
    report = space_report(spec, samples=20)
    share = next(s for s in report.shares if "quantized int8" in s.text)
    assert share.share == 1.0  # at most ~70 KB in float32 → under 256 KB as int8


def test_space_errors():
    proc = run_cli("space", "no/such.nas")
    assert proc.returncode == 2 and "no such spec file" in proc.stderr
    proc = run_cli("space", str(HERE / "bad_specs" / "unknown_op.nas"))
    assert proc.returncode == 1 and "NAS303" in proc.stderr
    proc = run_cli("space", str(SPECS / "quickstart.nas"), "--samples", "0")
    assert proc.returncode == 2 and "--samples" in proc.stderr


def test_fmt_diff_shows_the_change_and_leaves_the_file(tmp_path):
    path = tmp_path / "messy.nas"
    shutil.copy(SPECS / "quickstart.nas", path)
    text = path.read_text().replace("  seed        = 7", "  seed = 7")
    path.write_text(text)
    proc = run_cli("fmt", "--diff", str(path))
    assert proc.returncode == 1
    assert "-  seed = 7" in proc.stdout and "+  seed        = 7" in proc.stdout
    assert path.read_text() == text
    clean = run_cli("fmt", "--diff", str(SPECS / "quickstart.nas"))
    assert clean.returncode == 0 and clean.stdout == ""


def test_check_counts_warnings_not_notes():
    proc = run_cli("check", str(SPECS / "pareto_latency.nas"))
    assert proc.returncode == 0
    assert "pareto_latency.nas: ok\n" in proc.stderr  # the NAS409 note is not a warning
