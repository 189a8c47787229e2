"""The core stays framework-free: check, compile and the CLI never load torch or TensorFlow."""

import subprocess
import sys

from conftest import SPECS

PROBE = """
import sys
from nasdsl.cli import main
rc = main(sys.argv[1:])
heavy = sorted(m for m in ("torch", "tensorflow", "keras", "optuna", "sklearn") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


def test_check_loads_no_framework(tmp_path):
    for args in (["check", str(SPECS / "quickstart.nas")],
                 ["compile", str(SPECS / "quickstart.nas"), "-o", str(tmp_path / "c")]):
        out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                             text=True, check=True)
        assert "HEAVY=\n" in out.stdout, out.stdout


def test_no_module_level_framework_import_in_core():
    import pathlib
    import re

    core = pathlib.Path(__file__).resolve().parent.parent / "nasdsl"
    pattern = re.compile(r"^(import|from) (torch|tensorflow|keras)\b", re.M)
    offenders = [str(p) for p in core.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


TORCH_PROBE = """
import sys
import torch
assert not torch.are_deterministic_algorithms_enabled()
from nasdsl.backends.torch.backend import _seed_everything
_seed_everything(0)
print("DET=" + str(torch.are_deterministic_algorithms_enabled())
      + "," + str(torch.is_deterministic_algorithms_warn_only_enabled()))
print("INDUCTOR=" + str("torch._inductor" in sys.modules))
"""


def test_torch_deterministic_mode_without_inductor():
    # torch.use_deterministic_algorithms imports torch._inductor (1-3 s per process);
    # the backend sets the same eager flag without it.
    out = subprocess.run([sys.executable, "-c", TORCH_PROBE], capture_output=True, text=True,
                         check=True)
    assert "DET=True,True" in out.stdout and "INDUCTOR=False" in out.stdout, out.stdout
