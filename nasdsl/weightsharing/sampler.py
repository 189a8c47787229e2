"""The weight-sharing strategies as Optuna samplers.

The first trial runs the whole weight-sharing search (the backend's
`weight_sharing_search`; PyTorch only) on the train and validation splits of the spec's
data. Trial k then replays candidate k (the best sampled sub-networks for ENAS, the
discretised cells for DARTS, one sub-network per deployment target for OFA) as fixed
decision values, so the runner trains it from scratch with the usual constraint checks,
report and export. When every candidate has been trained the run stops ("exhausted").
The outcome is stored in the study, so a resumed study does not search again.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from optuna.distributions import BaseDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import ProposalSampler
from nasdsl.weightsharing import cost
from nasdsl.weightsharing.settings import Settings, check_config, make_settings

ATTR = "weight_sharing"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class WeightSharingSampler(ProposalSampler):
    """Search once with a supernet, then propose its candidates one trial at a time."""

    def __init__(self, strategy: str, params: dict[str, Any], config: dict[str, Any],
                 seed: int):
        super().__init__(seed)
        check_config(strategy, params, config)
        self.config = config
        self.settings: Settings = make_settings(strategy, params, config, seed)
        self.record: dict[str, Any] | None = None
        self.seconds: list[float] = []
        self._exhausted: set[int] = set()
        self.explanation = (f"{strategy}: weight-sharing search ({self.settings.epochs} supernet "
                            f"epochs), then {self.settings.retrain_top} best retrained per "
                            f"{'target' if strategy == 'ofa' else 'run'}")

    def _search(self, study: Study) -> dict[str, Any]:
        stored = study.user_attrs.get(ATTR)
        if stored and stored.get("strategy") == self.settings.strategy:
            return dict(stored)
        from nasdsl.data import load_data
        from nasdsl.run.backend import load_backend

        backend = load_backend(self.config["backend"], self.config.get("backend_options"))
        search = getattr(backend, "weight_sharing_search", None)
        if search is None:
            from nasdsl.search.errors import StrategyError

            raise StrategyError(f"the {self.config['backend']} backend does not support "
                                f"weight-sharing strategies")
        from nasdsl.space.search_space import SearchSpace

        data = load_data(self.config, image=SearchSpace(self.config).image_input)
        _log(f"{self.settings.strategy}: training the supernet for {self.settings.epochs} "
             f"epochs on {len(data.x_train)} samples")
        record = search(self.settings, self.config, data, _log)
        study.set_user_attr(ATTR, record)
        cost.write(cost.run_dir_of(study), record)
        return record

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """Candidate number `trial.number` (searching first if needed)."""
        if self.record is None:
            self.record = self._search(study)
        candidates = self.record["candidates"]
        if trial.number >= len(candidates):
            self._exhausted.add(trial.number)
            return {}
        chosen = candidates[trial.number]
        storage = study._storage
        storage.set_trial_user_attr(trial._trial_id, "weight_sharing_candidate", trial.number)
        if chosen.get("target"):
            storage.set_trial_user_attr(trial._trial_id, "target", chosen["target"])
        return dict(chosen["values"])

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """The candidate's value; stop the run once every candidate has been trained."""
        if trial.number in self._exhausted:
            from nasdsl.search.grid import GridExhausted

            raise GridExhausted(f"{self.settings.strategy}: all "
                                f"{len(self.record['candidates']) if self.record else 0} "
                                f"candidates of the weight-sharing search have been trained")
        return super().sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Any) -> None:
        """Keep the trial time for the per-trial cost comparison."""
        super().after_trial(study, trial, state, values)
        if self.record is None or trial.number in self._exhausted or trial.datetime_start is None:
            return
        started = trial.datetime_start.timestamp()
        self.seconds.append(max(0.0, time.time() - started))
        record = cost.with_trial_seconds(self.record, self.seconds)
        study.set_user_attr(ATTR, record)
        cost.write(cost.run_dir_of(study), record)
