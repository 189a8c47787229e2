"""Weight-sharing search: ENAS, DARTS and a simplified once-for-all supernet.

Each strategy is an Optuna sampler (see `nasdsl.weightsharing.sampler`). Its first trial
runs the weight-sharing search — one supernet holding every candidate, trained once on
the train split by the backend (PyTorch only) — and then proposes the final
architectures as fixed decision values, which the runner trains from scratch as
ordinary trials (same constraint checks, report and export). The search cost is kept
in the study's user attrs and in `weight_sharing.json` in the run directory.

Nothing here imports a deep-learning framework at module level.
"""

from nasdsl.weightsharing.settings import WEIGHT_SHARING, Settings, check_config, make_settings

__all__ = ["WEIGHT_SHARING", "Settings", "check_config", "make_settings"]
