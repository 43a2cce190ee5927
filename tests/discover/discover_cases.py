"""Generated data sets for the discover tests (none of them a paper benchmark), and the judge
that scores a discovered law against their truth with the structure rule of DESIGN 6b."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from peql.evaluate import coefficient_errors, coefficient_estimates, judge_structure, true_expressions


@dataclass
class Case:
    """A parametric law with its truth, and samples drawn from it."""

    name: str
    equation: str                      # SymPy string with coefficient functions of t
    coefs: dict[str, Callable]         # coefficient name -> function of t
    law: Callable                      # law(X, t) -> y
    inputs: list[str]
    X: np.ndarray
    t: np.ndarray

    @property
    def y(self) -> np.ndarray:
        return self.law(self.X, self.t)


def two_inputs_with_a_jump(n_per: int = 96, seed: int = 0) -> Case:
    """y = a(t) x1 x2 + b(t) x2 with a jump of a at t = 1/2: a = 2 below, 1 above; b = 1 + t/2."""
    rng = np.random.default_rng(seed)
    t = np.repeat(np.linspace(-1.0, 2.0, 16), n_per)
    X = rng.uniform(-2, 2, size=(len(t), 2))
    a = lambda s: 1.5 - 0.5 * np.sign(s - 0.5)
    b = lambda s: 1 + s / 2
    return Case("jump", "a(t)*x1*x2 + b(t)*x2", {"a": a, "b": b},
                lambda X, s: a(s) * X[:, 0] * X[:, 1] + b(s) * X[:, 1], ["x1", "x2"], X, t)


def coefficient_inside_a_sine(n_per: int = 96, seed: int = 1) -> Case:
    """y = 2 sin(w(t) x) + x^2 / 2 with a quadratic frequency w(t) = 1 + 3 t^2 / 10."""
    rng = np.random.default_rng(seed)
    t = np.repeat(np.linspace(-1.5, 1.5, 12), n_per)
    X = rng.uniform(-2, 2, size=(len(t), 1))
    w = lambda s: 1 + 0.3 * s**2
    return Case("sine", "2*sin(w(t)*x) + x**2/2", {"w": w},
                lambda X, s: 2 * np.sin(w(s) * X[:, 0]) + X[:, 0] ** 2 / 2, ["x"], X, t)


def scattered_parameter(n: int = 2400, seed: int = 2) -> Case:
    """y = a(t) x^2 + b(t) x with t drawn at random, never repeated: a = 3/2 + sin(t)/2, b = -t."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(-2, 2, n)
    X = rng.uniform(-2, 2, size=(n, 1))
    a = lambda s: 1.5 + 0.5 * np.sin(s)
    b = lambda s: -s
    return Case("scattered", "a(t)*x**2 + b(t)*x", {"a": a, "b": b},
                lambda X, s: a(s) * X[:, 0] ** 2 + b(s) * X[:, 0], ["x"], X, t)


def judge(doc: dict, case: Case, train) -> tuple:
    """Structure verdict and coefficient errors of an equations document at its reported
    parameter values, on the training inputs there, against the case's truth."""
    values = np.asarray(doc["coefficients"]["param"], dtype=float)
    x, _, t = train
    xs = [x[t == v] for v in values]
    ys = [case.law(X, np.full(len(X), v)) for X, v in zip(xs, values)]   # the truth at that value
    coef = {k: f(values) * np.ones(len(values)) for k, f in case.coefs.items()}
    truth = true_expressions(case.equation, "t", values, coef)
    learned = [e["expression"] for e in doc["equations"]]
    verdict = judge_structure(learned, truth, xs, ys, case.inputs)
    est = coefficient_estimates(verdict.learned_terms, case.equation, "t", values, coef, verdict.per_param_correct)
    return verdict, coefficient_errors(est, coef)
