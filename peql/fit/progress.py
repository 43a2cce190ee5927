"""Progress for long fits: a tqdm bar with step, best loss and time left, or (``quiet``) a log
line every 10 % for batch jobs whose logs are files."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, initial: int = 0, enabled: bool = True, quiet: bool = False):
        self.total, self.quiet, self.enabled = total, quiet, enabled and not quiet
        self.next_log = initial + max(1, total // 10)
        self.t0, self.initial = time.monotonic(), initial
        self.bar = None
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True, file=sys.stderr)

    def update(self, step: int, best_loss: float) -> None:
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
            self.bar.set_postfix(best_loss=f"{best_loss:.3g}")
        elif self.quiet and step >= self.next_log:
            rate = (step - self.initial) / max(1e-9, time.monotonic() - self.t0)
            left = (self.total - step) / rate if rate > 0 else float("nan")
            print(f"step {step}/{self.total}  best loss {best_loss:.3g}  {rate:.1f} steps/s  ~{left:.0f} s left",
                  file=sys.stderr, flush=True)
            self.next_log = step + max(1, self.total // 10)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
