"""Graceful stops on SIGTERM (cluster preemption) and SIGINT (Ctrl-C).

A signal only sets a flag; the training loop checks it after every batch, saves
``checkpoints/last.ckpt`` at that consistent point and raises :class:`RunInterrupted`,
which ``gan-run`` turns into ``status: interrupted`` and exit status 128 + signal number
(143 for SIGTERM, 130 for SIGINT, 140 for submitit's SIGUSR2 preemption notice inside a
``launcher=slurm`` job). Raising inside the signal handler instead (Python's
default for SIGINT) could interrupt half an optimizer step or a checkpoint write.

Before training starts (data loading, model building) nothing is worth saving, so the
handler raises at once. A second Ctrl-C also raises at once (``KeyboardInterrupt``),
for a user who does not want to wait for the current batch.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

HANDLED = (signal.SIGTERM, signal.SIGINT)


def handled_signals() -> tuple[int, ...]:
    """SIGTERM, SIGINT and, inside a submitit job (``launcher=slurm``), submitit's
    preemption signal (``SUBMITIT_PREEMPT_SIGNAL``, default USR2): submitit's own handler
    would requeue and ``sys.exit`` in the middle of a step without a checkpoint."""
    extra = ()
    if os.environ.get("SUBMITIT_EXECUTOR"):
        name = os.environ.get("SUBMITIT_PREEMPT_SIGNAL", "USR2")
        sig = getattr(signal, f"SIG{name}" if not name.startswith("SIG") else name, None)
        extra = (sig,) if sig is not None else ()
    return HANDLED + extra


class RunInterrupted(Exception):
    """Training stopped on a signal; ``step`` is the generator step saved in last.ckpt."""

    def __init__(self, signum: int, step: int | None = None, saved: bool = False):
        self.signum = int(signum)
        self.step = step
        self.saved = saved
        name = signal.Signals(self.signum).name
        where = f" at step {step}" if step is not None else " before training started"
        kept = "; checkpoints/last.ckpt holds that step" if saved else ""
        super().__init__(f"interrupted by {name}{where}{kept}")

    @property
    def exit_code(self) -> int:
        """The shell's convention for death by signal: 128 + signal number."""
        return 128 + self.signum


class StopSignals:
    """Installs flag-setting handlers for SIGTERM and SIGINT (main thread only).

    ``deferred`` is False until the training loop can stop cleanly (the handler then
    raises :class:`RunInterrupted` immediately); :meth:`defer` switches to setting
    ``requested`` for the loop to act on.
    """

    def __init__(self) -> None:
        self.requested: int | None = None
        self.deferred = False
        self._previous: dict[int, object] = {}

    def install(self) -> StopSignals:
        """Replace the SIGTERM/SIGINT handlers (no-op outside the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in handled_signals():
            self._previous[sig] = signal.getsignal(sig)
            signal.signal(sig, self._handle)
        return self

    def uninstall(self) -> None:
        """Restore the previous handlers."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def defer(self, on: bool = True) -> None:
        """From now on only record signals (the training loop checks :attr:`requested`)."""
        self.deferred = on

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.deferred:
            raise RunInterrupted(signum)
        if self.requested == signal.SIGINT and signum == signal.SIGINT:
            raise KeyboardInterrupt  # second Ctrl-C: stop now
        if self.requested is None:
            self.requested = signum


#: the process-wide instance ``gan-run`` installs (``None`` when training from Python)
ACTIVE: StopSignals | None = None


def install() -> StopSignals:
    """Install the process-wide :class:`StopSignals` (idempotent) and return it."""
    global ACTIVE
    if ACTIVE is None:
        ACTIVE = StopSignals().install()
        # gan-run reports the signal in its one closing line; Lightning's own
        # "Received SIGTERM" info line would be a second one
        logging.getLogger("lightning.pytorch.trainer.connectors.signal_connector").setLevel(logging.WARNING)
    return ACTIVE


def uninstall() -> None:
    """Restore the handlers replaced by :func:`install`."""
    global ACTIVE
    if ACTIVE is not None:
        ACTIVE.uninstall()
        ACTIVE = None
