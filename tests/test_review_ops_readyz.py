"""Review: /readyz is unauthenticated; while a dependency hangs, probes must not pile up
threads (and connection attempts) behind it."""

import threading

from mariohr import ops


def test_a_check_still_hanging_is_not_started_again_by_the_next_probes(settings):
    settings.MARIOHR_READYZ_TIMEOUT_SECONDS = 0.2
    release, starts = threading.Event(), []

    def hangs(timeout):
        starts.append(threading.current_thread().name)
        release.wait(30)

    try:
        for _ in range(4):
            ready, checks = ops.readiness({"database": hangs})
            assert not ready and checks["database"]["error"] == "timeout"
        assert len(starts) == 1
    finally:
        release.set()
    ready, checks = ops.readiness({"database": hangs})
    assert ready and checks["database"]["ok"]


def test_concurrent_probes_share_one_run_of_a_check_and_its_answer(settings, monkeypatch):
    settings.MARIOHR_READYZ_TIMEOUT_SECONDS = 5
    both_asked, starts, asked = threading.Event(), [], []
    run_once = ops._run_once

    def counted(*args):
        future = run_once(*args)
        asked.append(future)
        if len(asked) == 2:
            both_asked.set()
        return future

    def slow_but_fine(timeout):
        starts.append(1)
        both_asked.wait(5)  # answers once the second probe has asked too

    monkeypatch.setattr(ops, "_run_once", counted)
    answers = []
    probes = [
        threading.Thread(target=lambda: answers.append(ops.readiness({"db": slow_but_fine})))
        for _ in range(2)
    ]
    for probe in probes:
        probe.start()
    for probe in probes:
        probe.join(10)
    assert [ready for ready, _ in answers] == [True, True]
    assert len(starts) == 1 and asked[0] is asked[1]
