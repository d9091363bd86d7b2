"""A progress bar on stderr: redrawn in place on a terminal, plain lines otherwise.

One bar can cover several fits (every ensemble member, every epoch): its total is
their planned steps. A fit that stops early skips its remaining steps, so the
position stays right, while the ETA is worked out from the steps actually run
(their pace) times the steps still planned.
"""
from __future__ import annotations

import sys
import time


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    def __init__(self, total: int, label: str, stream=None, width: int = 28, clock=time.monotonic):
        self.total = max(1, total)
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.clock = clock
        self.start = clock()
        self.n = 0  # position: steps run or skipped
        self.worked = 0  # steps actually run (what the pace is measured on)
        self._last_plain = -1

    def eta(self) -> float:
        """Seconds until the planned steps are done, at the pace so far (0 before any step)."""
        if self.worked == 0:
            return 0.0
        return (self.clock() - self.start) / self.worked * (self.total - self.n)

    def update(self, n: int = 1, note: str = "") -> None:
        self.n = min(self.total, self.n + n)
        self.worked += n
        self._draw(note)

    def skip(self, n: int) -> None:
        """Steps that were planned but will not run (early stopping)."""
        if n > 0:
            self.n = min(self.total, self.n + n)
            self._draw("")

    def _draw(self, note: str) -> None:
        frac = self.n / self.total
        elapsed = self.clock() - self.start
        eta = format_duration(self.eta())
        if self.tty:
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {frac:4.0%} {format_duration(elapsed)} elapsed, eta {eta} {note}\x1b[K")
            if self.n >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            # Plain lines at every 5 % so logs stay readable.
            step = int(frac * 20)
            if step != self._last_plain or self.n >= self.total:
                self._last_plain = step
                self.stream.write(f"{self.label}: {self.n}/{self.total} ({frac:.0%}) {format_duration(elapsed)} elapsed, eta {eta} {note}\n")
                self.stream.flush()

    def log(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(message + "\n")
        self.stream.flush()


def info(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
