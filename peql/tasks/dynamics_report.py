"""Report pieces of the recurrent-cell experiments: propagated trajectories against the truth
(steps beyond the trained horizon shaded) and the update equations beside the truth and Euler's
step."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..report.style import COLORS


def rollout_figure(ds, scores: dict[str, dict], out: Path) -> Path | None:
    """One row per state, a few test trajectories: the truth, each method's network rollout and
    (symbolic cells) its update equations iterated; extrapolation in time shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    have = {m: s["figure_data"] for m, s in scores.items() if (s.get("figure_data") or {}).get("network")}
    if not have:
        return None
    first = next(iter(have.values()))
    time, truth = np.asarray(first["time"]), np.asarray(first["truth"])
    horizon = next(iter(scores.values())).get("trained_horizon") or 0
    states = [str(s) for s in ds["state"].values]
    n_traj = truth.shape[0]
    fig, axes = plt.subplots(len(states), n_traj, figsize=(3.6 * n_traj, 2.6 * len(states)), squeeze=False)
    for i, state in enumerate(states):
        for j in range(n_traj):
            ax = axes[i, j]
            if horizon < len(time) - 1:
                ax.axvspan(time[horizon], time[-1], color="0.92", lw=0,
                           label="beyond trained horizon" if (i, j) == (0, 0) else None)
            ax.plot(time, truth[j, :, i], "k-", lw=2.2, alpha=0.35, label="truth" if (i, j) == (0, 0) else None)
            for (method, fd), c in zip(have.items(), COLORS):
                net = np.asarray(fd["network"])[j, :, i]
                ax.plot(time[1:1 + len(net)], net, "-", color=c, lw=1,
                        label=f"{method} network" if (i, j) == (0, 0) else None)
                if fd.get("equation"):
                    eq = np.asarray(fd["equation"])[j, :, i]
                    ax.plot(time[1:1 + len(eq)], eq, ":", color=c, lw=1.4,
                            label=f"{method} equations" if (i, j) == (0, 0) else None)
            ax.set_ylim(*_ylim(truth[j, :, i]))
            ax.set_xlabel("time")
            ax.set_ylabel(state)
    fig.legend(loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(f"{ds.attrs.get('system')}: test trajectories propagated from their initial state", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _ylim(true: np.ndarray) -> tuple[float, float]:
    """The truth's range with a margin, so a diverging rollout does not flatten it."""
    lo, hi = float(np.min(true)), float(np.max(true))
    pad = 0.25 * max(hi - lo, 1e-9)
    return lo - pad, hi + pad


def update_rows(ds, docs: dict[str, dict]) -> list[dict]:
    """One row per state: the true one-step map, Euler's step, and each method's update
    equation in the states and the parameter (with its latent form)."""
    import json

    truth = json.loads(ds.attrs.get("true_update", "{}"))
    euler = json.loads(ds.attrs.get("euler_update", "{}"))
    rows = []
    for state in [str(s) for s in ds["state"].values]:
        row = {"state": f"{state}'", "truth": truth.get(state), "Euler": euler.get(state)}
        for method, doc in docs.items():
            if doc.get("update"):
                row[method] = doc["update"][state]
                row[f"{method} (latent z)"] = doc["latent"]["update"][state]
        rows.append(row)
    return rows
