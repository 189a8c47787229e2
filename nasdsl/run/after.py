"""What a run does after its search: baselines and the final phase.

`nasdsl run` (and `nasdsl resume`) call `after_search` once the search has stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def after_search(config: dict[str, Any], run_dir: Path, console: Any = None) -> None:
    """Train the spec's baselines and run its `final` block, writing results into run_dir."""
    return None
