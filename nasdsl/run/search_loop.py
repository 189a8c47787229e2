"""The search loop the sweeper runs: ask the strategy, launch a batch, tell the results.

Sampling happens here, in the sweeper's process, so every strategy keeps its state in
one place (and rebuilds it from the study's storage after a resume). Candidates that
break a static limit, do not fit, or were already evaluated are settled here without a
job; the rest go to the launcher in batches of `execution.workers`, or, with
`dispatch = async`, one at a time from as many threads as there are workers, so that a
free worker starts the next trial at once (`SearchLoop._search_async`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nasdsl.run.budget import Budget
from nasdsl.run.runner import FAILED, INVALID, OK, RunOutcome, TrialResult, static_check
from nasdsl.run.settings import execution, storage_url
from nasdsl.run.study import (
    arch_key,
    counts,
    evaluated,
    make_storage,
    open_study,
    repair_interrupted,
    spent_seconds,
    tell,
)

# launch(jobs) → one result dict per job (None where the job itself crashed).
Launch = Callable[[list[dict[str, Any]]], list[dict[str, Any] | None]]

_TRAINING_BACKENDS = ("torch", "keras")


def is_lookup_backend(config: dict[str, Any]) -> bool:
    """Whether the backend is a tabular benchmark (evaluated in process, without a job)."""
    name = config["backend"]
    if name in _TRAINING_BACKENDS:
        return False
    from importlib.metadata import entry_points

    eps = {ep.name: ep for ep in entry_points(group="nasdsl.backends")}
    try:
        return name in eps and hasattr(eps[name].load(), "lookup")
    except ImportError:
        return False


def check_backend_installed(name: str) -> None:
    """Raise BackendError if no backend of that name is registered."""
    from nasdsl.run.backend import BackendError, available_backends

    if name not in available_backends():
        raise BackendError(f"no backend named '{name}' is installed "
                           f"(installed: {', '.join(available_backends()) or 'none'})")


class SearchLoop:
    """One session of a run's search (a fresh run, or a resumed one)."""

    def __init__(self, config: dict[str, Any], run_dir: Path, progress: Any, launch: Launch,
                 elapsed_before: float = 0.0):
        from nasdsl.run.progress import Progress
        from nasdsl.space.search_space import SearchSpace

        self.config = config
        self.run_dir = run_dir
        self.trials_dir = run_dir / "trials"
        self.progress = progress or Progress(quiet=True)
        self.launch = launch
        self.space = SearchSpace(config)
        self.seed = int(config["experiment"]["seed"])
        self.execution = execution(config)
        self.url = storage_url(config, run_dir)
        # The default storage, inside the run directory: only this run asks trials there.
        self._own_storage = not execution(config).storage
        self.tag = str(run_dir.resolve())
        self.budget = Budget.from_config(config, elapsed_before)
        self.explanation: str | None = None
        self.results: list[TrialResult] = []

    def _open(self) -> Any:
        from nasdsl.run.task import register_study
        from nasdsl.search.strategies import make_pruner, make_sampler

        storage = make_storage(self.url)
        study = open_study(self.config, self.url, storage=storage,
                           pruner=make_pruner(self.config))
        # A resumed run (or a second worker on a shared study) draws a fresh stream;
        # the history the samplers learn from is the study's.
        offset = len(study.get_trials(deepcopy=False))
        study.sampler = make_sampler(self.config["strategy"], self.seed + offset, self.config)
        self.explanation = getattr(study.sampler, "explanation", None)
        register_study(self.url, study)
        return study

    def run(self) -> RunOutcome:
        """Search until a budget is reached; return this session's results."""
        self.trials_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "models").mkdir(parents=True, exist_ok=True)
        study = self._open()
        requeued = repair_interrupted(study, self.tag, self.trials_dir, self._own_storage)
        from nasdsl.practice.warm_start import apply as warm_start

        warmed = warm_start(study, self.config, self.run_dir, self.tag)  # earlier runs' trials
        if warmed is not None and not getattr(self.progress, "quiet", True):
            self.progress.console.print(f"[dim]{warmed.summary()}[/]")
        cache = {k: r for k, r in evaluated(study, self.trials_dir).items()}
        lookup = is_lookup_backend(self.config)
        if self.execution.hydra_launcher == "basic" and not self.execution.isolated:
            from nasdsl.run.task import evaluator_for

            # Trials run in this process: a missing framework is a usage error, now.
            evaluator_for(self.config, self.run_dir).backend  # noqa: B018
        else:
            check_backend_installed(self.config["backend"])
        self.progress.start(self.budget, self.explanation, requeued)
        if self.execution.asynchronous and not lookup:
            stop = self._search_async(study, cache)
        else:
            stop = self._search_batches(study, cache, lookup)
        return RunOutcome(self.results, stop, self.budget.elapsed(), self.explanation)

    def _search_batches(self, study: Any, cache: dict[str, TrialResult], lookup: bool) -> str:
        """Ask a batch, run it, tell its results; again until a budget is reached."""
        from nasdsl.search.grid import GridExhausted

        stop = "trials"
        try:
            while True:
                finished, running, charged = self._refresh(study)
                reason = self.budget.reached(finished, running, charged)
                if reason is not None:
                    stop = reason
                    break
                size = self.execution.workers
                if self.budget.trials is not None:
                    size = min(size, self.budget.trials - finished - running)
                try:
                    jobs = self._ask(study, size, cache)
                except GridExhausted:
                    stop = "exhausted"
                    break
                if jobs:
                    self._run_jobs(study, jobs, lookup, cache)
        except KeyboardInterrupt:
            stop = "interrupted"
            repair_interrupted(study, self.tag, self.trials_dir, self._own_storage)
        finally:
            self.progress.stop()
        return stop

    def _search_async(self, study: Any, cache: dict[str, TrialResult]) -> str:
        """Keep every worker busy: a trial starts as soon as one finishes.

        The study is asked and told in this thread only; each worker thread just waits for
        its one-job launch. Once a budget is reached, no trial starts and the running ones
        finish (each has the time budget's deadline, as in a batch). Ctrl-C only sets a
        flag that the loop reads between steps, so the interrupt never lands in the middle
        of a study write or of the futures' bookkeeping.
        """
        import signal
        import threading
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        from nasdsl.run.interrupt import sigint_sets, stop_workers
        from nasdsl.search.grid import GridExhausted

        workers = self.execution.workers
        running_jobs: dict[Future[list[dict[str, Any] | None]], dict[str, Any]] = {}
        stop: str | None = None
        interrupted = threading.Event()
        previous = sigint_sets(interrupted)
        try:
            while True:
                if interrupted.is_set():
                    raise KeyboardInterrupt
                free = workers - len(running_jobs)
                if stop is None:
                    finished, running, charged = self._refresh(study)
                    stop = self.budget.reached(finished, running, charged)
                    if self.budget.trials is not None:
                        free = min(free, self.budget.trials - finished - running)
                if stop is None and free > 0:
                    try:
                        jobs = self._ask(study, free, cache)
                    except GridExhausted:
                        stop, jobs = "exhausted", []
                    for job in jobs:
                        self.progress.trial_started(job["number"], job["description"])
                        running_jobs[self._launch_in_thread(job)] = job
                    if stop is None and len(jobs) < free:
                        continue  # some proposals were settled without training: fill up
                if not running_jobs:
                    break
                done, _ = wait(running_jobs, timeout=0.2, return_when=FIRST_COMPLETED)
                if interrupted.is_set():
                    raise KeyboardInterrupt
                for future in done:
                    job = running_jobs.pop(future)
                    self._finish(study, [job], future.result(), cache)
        except KeyboardInterrupt:
            stop = "interrupted"
            if running_jobs:
                stop_workers(self.execution.hydra_launcher)
            repair_interrupted(study, self.tag, self.trials_dir, self._own_storage)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            self.progress.stop()
        return stop or "trials"

    def _launch_in_thread(self, job: dict[str, Any]) -> Any:
        """A future of the job's one-job launch, run by a daemon thread.

        Daemon: after Ctrl-C the process must not wait at exit for a launch whose trial is
        still running in a worker (a thread pool's threads are joined at exit).
        """
        import threading
        from concurrent.futures import Future

        future: Future[list[dict[str, Any] | None]] = Future()

        def launch() -> None:
            try:
                future.set_result(self.launch([job]))
            except BaseException as err:  # noqa: BLE001 - handed to the loop's thread
                future.set_exception(err)

        threading.Thread(target=launch, name=f"nasdsl-trial-{job['number']}",
                         daemon=True).start()
        return future

    def _ask(self, study: Any, size: int, cache: dict[str, TrialResult]) -> list[dict[str, Any]]:
        """Sample up to `size` candidates; settle those that need no training."""
        from optuna.trial import TrialState

        from nasdsl.search.grid import GridExhausted
        from nasdsl.space.search_space import OptunaSuggest
        from nasdsl.space.shapes import ShapeError

        jobs: list[dict[str, Any]] = []
        deadline = self.budget.deadline()
        for _ in range(max(0, size)):
            trial = study.ask()
            trial.set_user_attr("run", self.tag)
            seed = self.seed * 1000 + trial.number
            result = TrialResult(trial.number, FAILED, None, "", {}, seed=seed)
            try:
                arch = self.space.sample(OptunaSuggest(trial))
                result.params = dict(trial.params)
                result.architecture = arch.to_dict()
                result.description = arch.describe()
                if not static_check(self.config, arch, result):
                    self._settle(study, trial, result)
                    continue
            except GridExhausted:
                trial.set_user_attr("void", True)
                trial.set_user_attr("interrupted", True)
                study.tell(trial, state=TrialState.FAIL)
                if jobs:
                    break
                raise
            except ShapeError as err:
                result.status, result.reason = INVALID, str(err)
                self._settle(study, trial, result)
                continue
            key = arch_key(result.architecture)
            if key in cache:
                earlier = cache[key]
                reused = TrialResult.from_dict({**earlier.__dict__, "number": trial.number,
                                                "seed": seed, "params": result.params})
                reused.reused_from, reused.seconds = earlier.number, 0.0
                reused.measures = {k: v for k, v in earlier.measures.items()
                                   if k != "simulated_train_seconds"}
                reused.reason = (f"same architecture and training as trial {earlier.number}: "
                                 "its result is reused, not trained again")
                self._settle(study, trial, reused)
                continue
            jobs.append({"trial": trial, "number": trial.number, "id": trial._trial_id,
                         "seed": seed, "arch": result.architecture,
                         "params": result.params, "description": result.description,
                         "deadline": deadline})
        return jobs

    def _run_jobs(self, study: Any, jobs: list[dict[str, Any]], lookup: bool,
                  cache: dict[str, TrialResult]) -> None:
        for job in jobs:
            self.progress.trial_started(job["number"], job["description"])
        if lookup:
            from nasdsl.run.task import run_trial_job

            outs: list[dict[str, Any] | None] = [
                run_trial_job(self.config, self.run_dir, self.url,
                              {k: v for k, v in job.items() if k != "trial"}) for job in jobs]
        else:
            outs = self.launch(jobs)
        self._finish(study, jobs, outs, cache)

    def _finish(self, study: Any, jobs: list[dict[str, Any]], outs: list[dict[str, Any] | None],
                cache: dict[str, TrialResult]) -> None:
        """Tell the study what the jobs returned (a crashed job is a failed trial)."""
        for job, out in zip(jobs, outs, strict=True):
            if out is None or "__error__" in out:
                why = (out or {}).get("__error__", "see its directory")
                result = TrialResult(job["number"], FAILED, job["arch"], job["description"],
                                     job["params"], seed=job["seed"],
                                     reason=f"the trial's job crashed ({why})")
                result.write(self.trials_dir)
            else:
                result = TrialResult.from_dict(out)
            tell(study, job["trial"], result)
            if result.status == OK and result.architecture is not None:
                cache.setdefault(arch_key(result.architecture), result)
            self._done(study, result)

    def _settle(self, study: Any, trial: Any, result: TrialResult) -> None:
        """A trial decided without a job: write its file and tell the study."""
        result.write(self.trials_dir)
        tell(study, trial, result)
        self._done(study, result)

    def _done(self, study: Any, result: TrialResult) -> None:
        self.results.append(result)
        self.progress.trial_done(result)
        if (self.run_dir / "run.json").is_file():
            from nasdsl.run.rundir import update_meta

            # After kill -9 a resume still knows how much wall time was spent.
            update_meta(self.run_dir, seconds=round(self.budget.elapsed(), 2))

    def _refresh(self, study: Any) -> tuple[int, int, float]:
        """Read the study once: counts, trial seconds, best value; update the progress view.

        Counts are the whole study's, so workers sharing a storage share one budget.
        """
        trials = study.get_trials(deepcopy=False)
        finished, running = counts(trials)
        charged = spent_seconds(trials)
        best = None
        states: dict[str, int] = {}
        sign = 1.0 if study.directions[0].name == "MAXIMIZE" else -1.0
        for t in trials:
            if t.user_attrs.get("run") == self.tag:
                key = t.user_attrs.get("status", t.state.name.lower())
                states[key] = states.get(key, 0) + 1
            if len(study.directions) == 1 and t.state.name == "COMPLETE" and t.values and \
                    (best is None or sign * t.values[0] > sign * best[0]):
                best = (t.values[0], t.number)
        self.progress.update(finished=finished, running=running, states=states, best=best,
                             remaining=self.budget.remaining(finished, charged),
                             elapsed=self.budget.elapsed(),
                             eta=self._eta(finished, charged))
        return finished, running, charged

    def _eta(self, finished: int, charged: float) -> float | None:
        """Seconds until the trial budget is spent at this session's pace."""
        done = [r for r in self.results if r.seconds > 0]
        if self.budget.trials is None or not done:
            left = None if self.budget.time_s is None else \
                max(0.0, self.budget.time_s - self.budget.elapsed())
            return left
        per = sum(r.seconds for r in done) / len(done) / max(1, self.execution.workers)
        eta = max(0, self.budget.trials - finished) * per
        if self.budget.time_s is not None:
            eta = min(eta, max(0.0, self.budget.time_s - self.budget.elapsed()))
        return eta


def wall_seconds(meta: dict[str, Any]) -> float:
    """Wall seconds earlier sessions of a run recorded in run.json."""
    return float(meta.get("seconds", 0.0) or 0.0)

