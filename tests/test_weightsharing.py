"""Weight-sharing strategies (ENAS, DARTS, once-for-all): supernets, the DARTS skip guard,
configuration errors, and a tiny end-to-end run of each strategy through `nasdsl run`.

The runs that compare the found architectures with random ones are in
test_weightsharing_quality.py (slow).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SPECS, run_cli

from nasdsl.compile import spec_to_config
from nasdsl.lang import load_spec
from nasdsl.search.errors import StrategyError
from nasdsl.search.strategies import check_strategy
from nasdsl.space.ops import NB201_OPS
from nasdsl.weightsharing.decisions import reference
from nasdsl.weightsharing.discretize import count_skips, nasnet_genotype, nb201_genotype

DARTS, ENAS, OFA = SPECS / "darts_nb201.nas", SPECS / "enas_cells.nas", SPECS / "ofa_targets.nas"


def _config(path: Path) -> dict:
    result = load_spec(path)
    assert result.ok, result.rendered()
    return spec_to_config(result.spec)


def test_reference_values_are_the_middle_of_each_decision():
    assert reference({"dist": "choice", "options": [16, 32, 64]}) == 32
    assert reference({"dist": "choice", "options": [32, 64]}) == 64
    assert reference({"dist": "int", "low": 1, "high": 3}) == 2
    assert reference({"dist": "uniform", "low": 0.0, "high": 0.4}) == pytest.approx(0.2)
    assert reference({"dist": "loguniform", "low": 1e-4, "high": 1e-2}) == pytest.approx(1e-3)
    assert reference(7) == 7


# ------------------------------------------------------------------ the DARTS guard


def _skip_heavy(edges: int, ops: list[str]) -> np.ndarray:
    """Architecture weights in which skip_connect wins every edge (a collapsed search)."""
    w = np.full((edges, len(ops)), 0.05)
    w[:, ops.index("skip_connect")] = np.linspace(0.5, 0.7, edges)  # weakest on edge 0
    w[:, ops.index("nor_conv_3x3")] = 0.25
    return w / w.sum(axis=1, keepdims=True)


def test_darts_guard_prevents_an_all_skip_nb201_cell():
    ops = list(NB201_OPS)
    weights = _skip_heavy(6, ops)
    unguarded = nb201_genotype(weights, ops, nodes=4, max_skips=0)
    assert count_skips(unguarded) == 6  # without the guard the cell is all skips
    guarded = nb201_genotype(weights, ops, nodes=4, max_skips=2)
    assert count_skips(guarded) == 2
    # the replaced edges are the ones where the skip was weakest, now the best other op
    assert [guarded[f"space.cell.e{i}_{j}"] for j in range(1, 4) for i in range(j)] == \
        ["nor_conv_3x3"] * 4 + ["skip_connect"] * 2


def test_darts_never_keeps_the_zero_op_and_guards_nasnet_cells():
    ops = ["zero", "identity", "sep_conv_3x3"]
    w = np.zeros((3, 4, 3))
    w[..., 0], w[..., 1], w[..., 2] = 0.7, 0.2, 0.1  # zero strongest, then identity
    values = nasnet_genotype(w, ops, "space.normal", max_skips=1)
    kept = [values[f"space.normal.b{b}.op{s}"] for b in range(3) for s in (0, 1)]
    assert "zero" not in kept
    assert kept.count("identity") == 1 and kept.count("sep_conv_3x3") == 5
    for b in range(3):
        assert values[f"space.normal.b{b}.in0"] != values[f"space.normal.b{b}.in1"]
        assert 0 <= values[f"space.normal.b{b}.in0"] < b + 2


# ------------------------------------------------------------------ supernets


@pytest.mark.parametrize("path", [DARTS, ENAS, OFA], ids=["nb201", "cells", "layers"])
def test_supernet_runs_every_subnetwork_with_shared_weights(path: Path):
    import torch
    from nasdsl.backends.torch.supernet import Supernet

    from nasdsl.weightsharing.decisions import draw_subnet

    torch.manual_seed(0)
    torch.set_num_threads(1)  # tiny ops: threads only contend on the shared test machine
    net = Supernet(_config(path))
    rng = np.random.RandomState(0)
    x = torch.rand(16, 1, 8, 8) if net.space.image_input else torch.rand(16, 64)
    pick = lambda name, options: options[rng.randint(len(options))]  # noqa: E731
    subnets = [draw_subnet(net.space, pick)[1] for _ in range(4)]
    assert len({json.dumps(v, sort_keys=True) for v in subnets}) > 1
    for values in subnets:
        assert net(x, values=values).shape == (16, 10)
    # a step on one sub-network moves the weights another one uses
    before = net(x, values=subnets[1]).detach()
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    torch.nn.functional.cross_entropy(net(x, values=subnets[0]),
                                      torch.arange(16) % 10).backward()
    opt.step()
    assert not torch.allclose(before, net(x, values=subnets[1]).detach())
    if net.alpha_shapes:  # the DARTS mixture of every op runs too
        alphas = {k: torch.zeros(s) for k, (s, _) in net.alpha_shapes.items()}
        assert net(x, alphas=alphas).shape == (16, 10)


# ------------------------------------------------------------------ configuration errors


def test_keras_backend_is_refused_with_a_clear_error():
    config = _config(DARTS)
    config["backend"] = "keras"
    with pytest.raises(StrategyError, match="keras backend does not support weight-sharing"):
        check_strategy(config)


def test_darts_needs_a_cell_space():
    config = _config(OFA)
    config["strategy"] = {"name": "darts"}
    with pytest.raises(StrategyError, match="darts relaxes the ops of cell edges"):
        check_strategy(config)


def test_cli_reports_an_unsupported_backend_as_a_usage_error(tmp_path):
    proc = run_cli("run", str(DARTS), "backend=keras", "--quiet", "--runs-dir", str(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert "does not support weight-sharing" in proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ tiny runs end to end

# (spec, overrides, candidates): one candidate for the cell spaces, whose trials are the
# slowest; ofa has one per deployment target.
TINY = {
    "darts": (DARTS, ["strategy.supernet_epochs=1", "strategy.retrain_top=1"], 1),
    "enas": (ENAS, ["strategy.supernet_epochs=1", "strategy.controller_steps=4",
                    "strategy.retrain_top=1"], 1),
    "ofa": (OFA, ["strategy.supernet_epochs=1", "strategy.population=4",
                  "strategy.generations=1"], 2),
}


@pytest.mark.parametrize("name", list(TINY))
def test_tiny_weight_sharing_run_trains_its_candidates(name: str, tmp_path):
    from nasdsl.space.ir import Architecture

    path, extra, trials = TINY[name]
    proc = run_cli("run", str(path), f"budget.trials={trials + 1}", "train.epochs=1",
                   *extra, "--quiet", "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    record = json.loads(next(tmp_path.rglob("weight_sharing.json")).read_text())
    assert record["strategy"] == name and record["supernet_epochs"] == 1
    assert record["search_seconds"] > 0 and record["subnetworks_scored"] >= 1
    assert record["mean_trial_seconds"] > 0 and record["per_trial_estimate_seconds"] > 0
    results = sorted(tmp_path.rglob("trial_*.json"))
    done = [json.loads(p.read_text()) for p in results]
    done = [t for t in done if t["status"] == "ok"]
    # every candidate is trained from scratch as a trial, then the run stops
    assert len(done) == len(record["candidates"]) == trials
    for trial, cand in zip(sorted(done, key=lambda t: t["number"]), record["candidates"],
                           strict=True):
        assert Architecture.from_dict(trial["architecture"]).describe() == cand["description"]
        assert trial["params"] == {k: v for k, v in cand["values"].items()
                                   if k in trial["params"]}
    if name == "ofa":
        assert [c["target"] for c in record["candidates"]] == ["edge", "mcu"]
        assert record["candidates"][1]["params"] <= 3000
