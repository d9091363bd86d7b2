"""A progress bar on stderr: redrawn in place on a terminal, plain lines otherwise."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=None, width: int = 28):
        self.total = max(1, total)
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.start = time.time()
        self.n = 0
        self._last_plain = -1

    def update(self, n: int = 1, note: str = "") -> None:
        self.n = min(self.total, self.n + n)
        frac = self.n / self.total
        elapsed = time.time() - self.start
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        if self.tty:
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.n}/{self.total} {elapsed:5.0f}s eta {eta:4.0f}s {note}\x1b[K")
            if self.n >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            # Plain lines at every 10 % so logs stay readable.
            step = int(frac * 10)
            if step != self._last_plain or self.n >= self.total:
                self._last_plain = step
                self.stream.write(f"{self.label}: {self.n}/{self.total} ({frac:.0%}) {elapsed:.0f}s {note}\n")
                self.stream.flush()

    def log(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(message + "\n")
        self.stream.flush()


def info(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
