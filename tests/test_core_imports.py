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
