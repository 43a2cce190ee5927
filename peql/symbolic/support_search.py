"""The search of the ``support`` step (:mod:`peql.symbolic.support`): supports (boolean masks
over candidate terms) scored by BIC across every parameter value at once, and a stepwise search
(drop a term, add one, swap one) from several starts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: A support whose refit has a term with inner numbers (a sine, an exponential, or its Gauss-Newton
#: column) larger than this many times the target (in L2 over a parameter value's rows) is refused:
#: its terms cancel each other, typically a sine in its linear range against its argument and a
#: cubic, which fits the training rows and nothing else. Monomials are not watched: a polynomial on
#: a short range, such as ``u*(u - a)*(1 - u)`` on [0, 1], has terms far larger than its sum.
MAX_CANCELLATION = 10.0


class SupportScorer:
    """BIC of supports (boolean masks over the candidate terms), cached. A support is refitted by
    least squares at every parameter value at once, through the normal equations of unit-norm
    columns (one batched solve; the RSS floor is far above their round-off). ``owner[j]`` is the
    term column ``j`` belongs to: the term's own values or its derivative in one of its inner
    numbers; a term in the support brings all its columns. A term's parameters are its leading
    coefficient and its inner numbers, at every parameter value."""

    def __init__(self, cols, ys, owner: np.ndarray, n_params: np.ndarray, floor: float):
        norms = np.sqrt(sum(np.sum(A**2, axis=0) for A in cols))
        self.norms = np.where(norms > 0, norms, 1.0)
        self.gram = np.stack([(A / self.norms).T @ (A / self.norms) for A in cols])
        # the same Gram matrices with the parameter value last: gathering a batch of supports'
        # sub-matrices then copies contiguous runs of P numbers instead of single ones
        self.gram_by_column = np.ascontiguousarray(self.gram.transpose(1, 2, 0))
        self.rhs = np.stack([(A / self.norms).T @ y for A, y in zip(cols, ys)])
        self.yy_p = np.array([float(np.sum(y**2)) for y in ys])
        self.yy = float(self.yy_p.sum())
        self.owner, self.n_params, self.floor = owner, n_params, floor
        self.nonlinear = n_params > 1   # terms with inner numbers, the ones the cancellation guard watches
        self.n = int(sum(len(y) for y in ys))
        self.cache: dict[bytes, tuple] = {}

    def _solve(self, support: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(column indices, (P, columns) coefficients of unit-norm columns) of ``support``."""
        idx = np.flatnonzero(support[self.owner])
        if not len(idx):
            return idx, None
        g = self.gram[:, idx[:, None], idx] + 1e-12 * np.eye(len(idx))
        return idx, np.linalg.solve(g, self.rhs[:, idx, None])[..., 0]

    def __call__(self, support: np.ndarray) -> tuple[float, int, float]:
        """(BIC, parameters, RSS) of ``support``."""
        key = support.tobytes()
        if key not in self.cache:
            if support.any():
                self.prefetch([support])
            else:
                self.cache[key] = (round(float(self.n * np.log(max(self.yy, self.floor) / self.n)), 6), 0, self.yy)
        return self.cache[key]

    def prefetch(self, supports: Sequence[np.ndarray], chunk: int = 256) -> None:
        """Score the non-empty ``supports`` not yet cached, those of one size in one batched solve
        (a search's moves are hundreds of supports of two or three sizes)."""
        by_size: dict[int, dict[bytes, np.ndarray]] = {}
        for support in supports:
            key = support.tobytes()
            if key not in self.cache and support.any():
                idx = np.flatnonzero(support[self.owner])
                by_size.setdefault(len(idx), {})[key] = idx
        diag = np.sqrt(np.diagonal(self.gram, axis1=1, axis2=2))            # (P, columns)
        rms_y = np.sqrt(np.maximum(self.yy_p, 1e-300))[:, None, None]
        n_values = self.gram.shape[0]
        for m, group in by_size.items():
            keys = list(group)
            for start in range(0, len(keys), chunk):
                part = keys[start:start + chunk]
                idx = np.stack([group[k] for k in part])                     # (M, m)
                g = self.gram_by_column[idx[:, :, None], idx[:, None, :]]   # (M, m, m, P)
                g[:, np.arange(m), np.arange(m)] += 1e-12
                rhs = self.rhs[:, idx]                                       # (P, M, m)
                # solve reads each matrix through its strides: no copy to (P, M, m, m) order
                c = np.linalg.solve(np.moveaxis(g, -1, 0), rhs[..., None])[..., 0]
                rss = np.maximum(self.yy - np.einsum("pmk,pmk->m", c, rhs), 0.0)
                # each column's contribution against the target, per parameter value; only terms
                # with inner numbers are watched for cancelling each other
                size = np.abs(c) * diag[:, idx] / rms_y
                watched = self.nonlinear[self.owner[idx]]                    # (M, m)
                cancelled = np.max(np.where(watched[None], size, 0.0), axis=(0, 2)) > MAX_CANCELLATION
                for j, key in enumerate(part):
                    support = np.frombuffer(key, dtype=bool)
                    k = int(self.n_params[support].sum()) * n_values
                    bic = self.n * np.log(max(float(rss[j]), self.floor) / self.n) + k * np.log(self.n)
                    self.cache[key] = (np.inf if cancelled[j] else round(float(bic), 6), k, float(rss[j]))

    rank = __call__   # the order of supports: BIC, then fewer parameters, then lower RSS

    def coefficients(self, support: np.ndarray) -> np.ndarray:
        """(P, columns) coefficients of ``support`` in the data's units, zero off the support: the
        solution that was scored (and checked for cancelling terms), not a fresh one that could
        differ on near-collinear columns."""
        idx, c = self._solve(support)
        out = np.zeros((self.gram.shape[0], self.owner.size))
        if len(idx):
            out[:, idx] = c / self.norms[idx]
        return out


def stepwise(score: SupportScorer, start: np.ndarray) -> np.ndarray:
    """From ``start``, take the best single change (drop a term, add one, or swap one for
    another) while it improves :meth:`SupportScorer.rank`."""
    support, best = start.copy(), score.rank(start)
    while True:
        on, off = np.flatnonzero(support), np.flatnonzero(~support)
        moves = [([i], []) for i in on] + [([], [j]) for j in off] + [([i], [j]) for i in on for j in off]
        trials = []
        for drop, add in moves:
            s = support.copy()
            s[drop], s[add] = False, True
            trials.append(s)
        score.prefetch(trials)
        trial = None
        for s in trials:
            if s.any() and score.rank(s) < best:
                trial, best = s, score.rank(s)
        if trial is None:
            return support
        support = trial


def search(score: SupportScorer, starts: list[np.ndarray], subsets: list[np.ndarray], cols, ys, n: int) -> np.ndarray:
    """The best support found by :func:`stepwise` from each start and from the best support on
    the sequential grouped thresholding path of each subset of the terms (boolean masks): all of
    them, the ones before the shape library, the monomials alone. A greedy search from one start
    can stop among library terms that fit nearly as well as a polynomial it is several moves away
    from; the monomials' own path starts it there."""
    from ..baselines.sgtr import sgtr

    n_terms = subsets[0].size
    for subset in subsets:
        idx = np.flatnonzero(subset)
        if not len(idx):
            continue
        A = np.zeros((len(cols), max(len(y) for y in ys), len(idx)))
        b = np.zeros(A.shape[:2])
        for p, (c, y) in enumerate(zip(cols, ys)):
            A[p, :len(y)], b[p, :len(y)] = c[:, idx], y
        path = []
        for s in sgtr(A, b, n_rows=n).supports:
            if s.any():
                full = np.zeros(n_terms, bool)
                full[idx[s]] = True
                path.append(full)
        if path:
            starts = starts + [min(path, key=score.rank)]
    return min((stepwise(score, s) for s in starts), key=score.rank)
