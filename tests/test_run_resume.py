"""Crash and resume: a run killed with SIGKILL at several points, then resumed, keeps every
completed trial, duplicates none, and ends with exactly the budget's count."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from test_run_faults import TINY


def start(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "nasdsl.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def wait_for(predicate, timeout=240.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def finished(run_dir):
    out = {}
    for p in (run_dir / "trials").glob("trial_*.json"):
        r = json.loads(p.read_text())
        if not r.get("interrupted"):
            out[r["number"]] = r
    return out


def test_sigkill_at_several_points_then_resume(tmp_path):
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    runs = tmp_path / "runs"
    # trial 2 hangs, so the first kill certainly lands while a trial is RUNNING.
    proc = start("run", str(spec), "budget.trials=6", "--quiet", "--runs-dir", str(runs),
                 env={"NASDSL_INJECT_FAULTS": json.dumps({"2": "hang"})})
    wait_for(lambda: (runs / "tiny").is_dir() and any((runs / "tiny").iterdir()))
    (run_dir,) = list((runs / "tiny").iterdir())
    wait_for(lambda: len(finished(run_dir)) >= 2 and (run_dir / "trials/trial_0002").is_dir())
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = finished(run_dir)
    assert sorted(before) == [0, 1]

    # Second session: killed right after another trial lands (between or inside trials).
    proc = start("resume", str(run_dir), "--quiet")
    wait_for(lambda: len(finished(run_dir)) >= 4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    middle = finished(run_dir)
    assert len(middle) >= 4

    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "resume", str(run_dir),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = finished(run_dir)
    assert len(after) == 6  # the final count equals the budget
    for n, r in before.items():  # nothing completed was lost or rewritten
        assert after[n] == r
    for n, r in middle.items():
        assert after[n] == r
    interrupted = [json.loads(p.read_text()) for p in (run_dir / "trials").glob("trial_*.json")]
    interrupted = [r for r in interrupted if r.get("interrupted")]
    assert any(r["number"] == 2 for r in interrupted)
    # the interrupted candidate ran again under a new number, with the same decisions
    # (trial 2, which hung while training; the second kill may also have cut a trial
    # mid-sampling, whose partial decisions the rerun completes)
    hung = next(r for r in interrupted if r["number"] == 2)
    rerun = [r for r in after.values() if r["params"] == hung["params"]]
    assert rerun and rerun[0]["number"] > 2
    with sqlite3.connect(run_dir / "study.db") as db:
        states = dict(db.execute("select state, count(*) from trials group by state").fetchall())
        numbers = [n for (n,) in db.execute("select number from trials")]
    assert "RUNNING" not in states
    assert len(numbers) == len(set(numbers))
    assert states.get("COMPLETE", 0) == sum(r["status"] == "ok" for r in after.values())
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["stop_reason"] == "trials" and meta["resumes"] == 2


def test_a_trial_killed_between_ask_and_its_run_tag_is_repaired(tmp_path):
    # A kill right after Optuna's ask leaves a RUNNING trial without nasdsl's run tag;
    # in the run's own storage it must be failed (not left counting against the budget).
    import optuna

    from nasdsl.run.study import make_storage, repair_interrupted

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trials_dir = tmp_path / "trials"
    trials_dir.mkdir()
    storage = make_storage(f"sqlite:///{tmp_path / 'study.db'}")
    study = optuna.create_study(study_name="s", storage=storage)
    tagged = study.ask()
    tagged.set_user_attr("run", "this-run")
    study.ask()  # killed before the tag
    assert repair_interrupted(study, "this-run", trials_dir, own_storage=False) == [0]
    assert [t.state.name for t in study.get_trials()] == ["FAIL", "RUNNING"]

    assert repair_interrupted(study, "this-run", trials_dir, own_storage=True) == [1]
    untagged = study.get_trials()[1]
    assert untagged.state.name == "FAIL" and untagged.user_attrs["run"] == "this-run"
    assert json.loads((trials_dir / "trial_0001.json").read_text())["interrupted"] is True


def test_a_workers_late_result_and_the_interrupted_record_race_first_write_wins(tmp_path):
    # A launch already on its way to a fresh worker when the run stops can finish after the
    # run repaired its trial: whichever record lands first stands, and the study agrees.
    import optuna

    from nasdsl.run.runner import OK, TrialResult
    from nasdsl.run.study import make_storage, repair_interrupted

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trials_dir = tmp_path / "trials"
    trials_dir.mkdir()
    study = optuna.create_study(study_name="s", direction="maximize",
                                storage=make_storage(f"sqlite:///{tmp_path / 'study.db'}"))
    for _ in range(2):
        trial = study.ask()
        trial.suggest_int("x", 0, 3)
        trial.set_user_attr("run", "this-run")

    def result(number):
        return TrialResult(number, OK, {"layers": []}, "", {}, objectives=[0.9])

    # trial 0's worker wrote before the repair: its result is told, nothing is requeued
    assert result(0).write(trials_dir, first=True) is not None
    assert repair_interrupted(study, "this-run", trials_dir, own_storage=True) == [1]
    assert [t.state.name for t in study.get_trials()[:2]] == ["COMPLETE", "FAIL"]
    # trial 1's worker writes after the repair: its result is kept out, the mark stands
    assert result(1).write(trials_dir, first=True) is None
    mark = json.loads((trials_dir / "trial_0001.json").read_text())
    assert mark["interrupted"] is True and mark["status"] != OK
    assert json.loads((trials_dir / "trial_0000.json").read_text())["status"] == OK
    assert not list(trials_dir.glob("*.tmp"))
    assert len(study.get_trials()) == 3  # trial 1's candidate queued again, once
    # and a launch that reaches its worker only after the repair trains nothing
    from nasdsl.run.task import run_trial_job

    assert run_trial_job({}, tmp_path, "", {"number": 1})["interrupted"] is True


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _sigint_as_in_a_terminal():
    # whatever this test process inherited: a run started with SIGINT ignored ignores it
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("sent", "dispatch"), [
    ("SIGINT to the group", "async"), ("SIGINT to the group", "batches"),
    ("SIGINT to the main process", "async"),
    ("SIGTERM to the main process", "async"), ("SIGTERM to the main process", "batches")])
def test_ctrl_c_during_a_parallel_run_then_resume(tmp_path, sent, dispatch):
    # A trial hangs in one joblib worker while the other goes on (async) or waits for it
    # (batches); then Ctrl-C. The run
    # stops at once, leaves no worker behind, and resumes to the budget. Ctrl-C in a
    # terminal reaches the whole group; `kill -INT PID`, or a scheduler's SIGTERM, only the
    # main process, so there the hanging worker never stops by itself. Before nasdsl
    # killed the workers of an async run, it printed that it was interrupted and then
    # waited at exit for the hanging trial; SIGTERM killed the run without a word.
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    runs = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nasdsl.cli", "run", str(spec), "budget.trials=6",
         "execution.workers=2", "execution.launcher=joblib", f"execution.dispatch={dispatch}",
         "--quiet", "--runs-dir", str(runs)], cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=_sigint_as_in_a_terminal,
        env={**os.environ, "NASDSL_INJECT_FAULTS": json.dumps({"1": "hang"})})
    wait_for(lambda: (runs / "tiny").is_dir() and any((runs / "tiny").iterdir()))
    (run_dir,) = list((runs / "tiny").iterdir())
    # trial 1 hangs; in async the other worker goes on, in batches it waits with trial 0 done
    wait_for(lambda: len(finished(run_dir)) >= (2 if dispatch == "async" else 1))
    signum = signal.SIGTERM if sent.startswith("SIGTERM") else signal.SIGINT
    if sent.endswith("group"):
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert json.loads((run_dir / "run.json").read_text())["stop_reason"] == "interrupted"
    wait_for(lambda: not _group_alive(proc.pid), timeout=30)  # no worker left behind
    before = finished(run_dir)
    assert 1 not in before

    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "resume", str(run_dir),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = finished(run_dir)
    assert len(after) == 6 and all(after[n] == r for n, r in before.items())
    with sqlite3.connect(run_dir / "study.db") as db:
        states = dict(db.execute("select state, count(*) from trials group by state").fetchall())
    assert "RUNNING" not in states


def test_ctrl_c_sets_the_async_flag_unless_sigint_is_ignored():
    import threading

    from nasdsl.run.interrupt import sigint_sets

    before = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        flag = threading.Event()
        assert sigint_sets(flag) is signal.default_int_handler
        os.kill(os.getpid(), signal.SIGINT)
        assert flag.wait(5)

        # a run started with SIGINT ignored (nohup, a script's background job) keeps it so
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        assert sigint_sets(threading.Event()) is None
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN

        signal.signal(signal.SIGINT, signal.default_int_handler)
        off_main: list = []
        thread = threading.Thread(target=lambda: off_main.append(sigint_sets(flag)))
        thread.start()
        thread.join()
        assert off_main == [None]
    finally:
        signal.signal(signal.SIGINT, before)


def _finish_late(path: str) -> str:
    time.sleep(1.5)
    with open(path, "w", encoding="utf-8") as f:
        f.write("a result the run has already recorded as interrupted")
    return path


def test_process_running_sees_a_zombie_as_gone() -> None:
    # A killed worker another thread has not reaped yet is a zombie: it runs no code, so
    # it can write no result; and a process object whose pid someone else reaped reads
    # as alive forever, which is why stop_workers does not ask is_alive().
    from nasdsl.run.interrupt import process_running

    child = subprocess.Popen(["sleep", "30"])
    try:
        assert process_running(child.pid)
        child.kill()
        deadline = time.monotonic() + 10
        while process_running(child.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not process_running(child.pid)  # dead, and not yet reaped
        assert os.path.exists(f"/proc/{child.pid}")
    finally:
        child.kill()
        child.wait()
    assert not process_running(child.pid) and not process_running(None)


def test_stop_workers_returns_only_once_the_workers_are_gone(tmp_path):
    # The run repairs its interrupted trials right after stop_workers: a worker still alive
    # then could write a finished trial's result over the "interrupted" record.
    from joblib.externals.loky import get_reusable_executor

    from nasdsl.run.interrupt import process_running, stop_workers

    late = tmp_path / "late.txt"
    executor = get_reusable_executor(max_workers=2)
    futures = [executor.submit(_finish_late, str(late)) for _ in range(2)]
    wait_for(lambda: any(f.running() for f in futures))
    workers = list(executor._processes.values())
    assert workers
    assert stop_workers("joblib") is True
    assert not any(process_running(w.pid) for w in workers)
    time.sleep(2.0)
    assert not late.exists()
    assert stop_workers("basic") is False
