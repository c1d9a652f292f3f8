"""Test code run in threads released together: the tests of concurrent
transactions (numbering, the SLA sweep, CTI batches)."""

import threading


def run_threads(count, target):
    """Run ``target(index)`` in ``count`` threads released together and
    re-raise the first exception one of them raised."""
    barrier = threading.Barrier(count, timeout=60)
    errors = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    if errors:
        raise errors[0]
