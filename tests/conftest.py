"""Importing the package registers its modules into mmseg's registries;
every test gets the stop signals' handlers of before it."""
import signal

import pytest

import setr_fundus  # noqa: F401

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)


@pytest.fixture(autouse=True)
def restore_stop_signals():
    """Restore the stop signals' handlers after each test: a signal that one
    test leaves ignored would be inherited ignored by the tools later tests
    start, and a shell started with a signal ignored cannot trap it
    (tools/dist_train.sh's SIGUSR1)."""
    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    yield
    for signum, handler in before.items():
        signal.signal(signum, handler)
