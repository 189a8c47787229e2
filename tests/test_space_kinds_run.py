"""Every space kind runs end to end through `nasdsl run` with both framework backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SPACES = {
    "layers": """space layers {
    dense(units = choice(8, 16), activation = relu)
  }""",
    "cells": """space cells {
    stem      = conv(channels = 4, kernel = 3)
    normal    = cell(blocks = 1, ops = [conv_3x3, identity])
    reduction = cell(blocks = 1, ops = [max_pool_3x3, identity])
    layout    = [normal, reduction]
    head      = [global_avg_pool, dense]
  }""",
    "nb201": """space nb201 {
    nodes  = 3
    ops    = [skip_connect, nor_conv_3x3]
    stem   = [conv(channels = 4, kernel = 3), batch_norm]
    layout = [cell, reduce]
    head   = [global_avg_pool, dense]
  }""",
}

SPEC = """
experiment "kinds-KIND" {
  seed = 4
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  SPACE
  train { epochs = 1; batch_size = 64; optimizer = adam(lr = 0.01) }
  budget { trials = 1 }
  strategy random
  backend = BACKEND
}
"""


@pytest.mark.parametrize("backend", ["torch", "keras"])
@pytest.mark.parametrize("kind", sorted(SPACES))
def test_space_kind_runs_with_backend(kind: str, backend: str, tmp_path: Path, cli) -> None:
    spec = tmp_path / f"{kind}.nas"
    spec.write_text(SPEC.replace("KIND", kind).replace("SPACE", SPACES[kind])
                    .replace("BACKEND", backend), encoding="utf-8")
    done = cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = (tmp_path / "runs" / f"kinds-{kind}").iterdir()
    (result,) = [json.loads(p.read_text()) for p in (run_dir / "trials").glob("trial_*.json")]
    assert result["status"] == "ok", result["reason"]
    assert len(result["history"]) == 1  # one epoch was trained
    assert 0.0 <= result["metrics"]["val"]["accuracy"] <= 1.0
    ops = {layer["op"] for layer in result["architecture"]["layers"]}
    assert {"layers": "dense", "cells": "cell", "nb201": "nb201_cell"}[kind] in ops
    assert list((run_dir / "models").glob("trial_0000*")), "the trained model was not saved"
    if backend == "keras":  # TensorFlow's start-up chatter is silenced, errors are not
        assert "oneDNN" not in done.stderr and "cuda" not in done.stderr.lower()
