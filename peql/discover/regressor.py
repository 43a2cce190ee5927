"""``ParametricRegressor``: discover a parametric law ``y = f(x; c(t))`` from arrays, in the style
of scikit-learn, without files or a workflow (a notebook is enough).

    >>> from peql import ParametricRegressor
    >>> reg = ParametricRegressor().fit(X, y, t)          # X (n, d), y (n,), t (n,)
    >>> reg.skeleton_                                      # 'c0*x**2 + c1*x'
    >>> reg.closed_forms_                                  # {'c0': 't', 'c1': '3*sign(t)'}
    >>> reg.coefficients()                                 # xarray DataArray (param_value x coefficient)
    >>> reg.predict(X_new, t_new); reg.sympy(0.5); reg.latex(0.5)

Architecture (``architecture="auto"``, :func:`choose_architecture`): SEQL, one weight set per
distinct parameter value, when the parameter takes at most 256 distinct values and every value
has at least 16 samples; HEQL (a hypernetwork of t, usable at any t) otherwise.

Scattered parameter values (HEQL, fewer than 16 samples per value on median) are pooled for
training into equal-count bins of about 32 samples (:func:`peql.discover.user_data.pool_parameter` says why
that is accurate); the network stays a function of continuous t.

Validation data select the trial; without them a share of every parameter value's samples is
held out (a random share of all samples when values hardly repeat).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .user_data import (DEFAULT_STEPS, MIN_SAMPLES_PER_VALUE, check_arrays, check_seql_groups, choose_architecture,
                        holdout_split, is_scattered, pool_scattered, value_counts)

__all__ = ["ParametricRegressor", "choose_architecture"]


class ParametricRegressor:
    """Fit EQL-family networks to ``(X, y, t)`` and read out the parametric law.

    Args:
        architecture: ``"auto"``, ``"seql"`` or ``"heql"`` (any registered symbolic architecture).
        trials: independent networks trained together; the best on validation data is kept.
        steps: training steps (default per architecture: :data:`DEFAULT_STEPS`).
        primitives: unit groups of every hidden layer, e.g. ``["identity:4", "sin:2"]``
            (default: the paper's constant:2, identity:4, square:4, sin:2, product:2).
        hidden_layers: symbolic layers (default 2).
        device: ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
        seed: seed of initialisation, minibatches and the validation split.
        threshold: terms whose magnitude in the network's units (largest value over the training
            inputs' box, divided by the target's range) stays below this are dropped (default
            0.01, the paper's). Terms that never contribute 1 % of the target's RMS are dropped as
            well (DESIGN 6b). Neither depends on the units of the data.
        refit: least-squares refit of the selected structure's coefficients on the training data.
        readout: the read-out chain's steps (default: :data:`peql.symbolic.chain.FULL_CHAIN`);
            ``refit=False`` removes ``refit`` from it.
        val_fraction: share of samples held out for selection when no validation data are given.
        closed_form_rtol: tolerance of the closed-form search (see :mod:`peql.symbolic.closed_form`).
        fit_settings: further :class:`~peql.fit.FitSettings` fields (``lr``, ``options``, ...).
        progress: ``True`` for a progress bar while training, ``"log"`` for a line every 10 %.
        registry: component registry (default: built-ins, entry points and ./plugins).

    Attributes (after :meth:`fit`):
        architecture_, skeleton_, closed_forms_ (name -> formula), law_ (skeleton with the closed
        forms substituted), document_ (the equations.json content), result_ (the trained
        :class:`~peql.fit.FitResult`), input_names_, param_name_, selected_trial_.
    """

    def __init__(self, architecture: str = "auto", trials: int = 8, steps: int | None = None,
                 primitives: Sequence[str] | None = None, hidden_layers: int | None = None,
                 device: str = "auto", seed: int = 0, threshold: float | None = None, refit: bool = True,
                 val_fraction: float = 0.2, closed_form_rtol: float = 0.02,
                 fit_settings: dict | None = None, progress: bool | str = False, registry=None,
                 readout: Sequence[str] | None = None):
        self.architecture = architecture
        self.trials = trials
        self.steps = steps
        self.primitives = primitives
        self.hidden_layers = hidden_layers
        self.device = device
        self.seed = seed
        self.threshold = threshold
        self.refit = refit
        self.val_fraction = val_fraction
        self.closed_form_rtol = closed_form_rtol
        self.fit_settings = fit_settings
        self.progress = progress
        self.registry = registry
        self.readout = readout

    # -- scikit-learn conventions -----------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in inspect.signature(type(self).__init__).parameters
                if name != "self"}

    def set_params(self, **params) -> "ParametricRegressor":
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"unknown parameter {key!r} of ParametricRegressor; known: {sorted(valid)}")
            setattr(self, key, value)
        return self

    # -- fitting ----------------------------------------------------------------------------------
    def resolve_architecture(self, t: np.ndarray) -> str:
        """The architecture :meth:`fit` would use for training parameter values ``t``."""
        return choose_architecture(t) if self.architecture == "auto" else self.architecture

    def read_out_threshold(self, y: np.ndarray | None = None) -> float:
        """The read-out threshold, in the network's units (a term's largest value over the
        training inputs' box divided by the target's range, :mod:`peql.symbolic.magnitude`):
        as given, else 0.01. It does not depend on the units of the data."""
        from ..symbolic.readout import check_threshold

        return check_threshold(0.01 if self.threshold is None else self.threshold)

    def fit_settings_for(self, architecture: str, t: np.ndarray):
        """The :class:`~peql.fit.FitSettings` of a fit on parameter values ``t``."""
        from ..fit import FitSettings

        network: dict[str, Any] = {}
        if self.primitives is not None:
            network["units"] = list(self.primitives)
        if self.hidden_layers is not None:
            network["hidden_layers"] = int(self.hidden_layers)
        data: dict[str, Any] = {"architecture": architecture, "trials": int(self.trials), "seed": int(self.seed),
                                "steps": int(self.steps or DEFAULT_STEPS.get(architecture, 6000)),
                                "device": self.device, "network": network}
        if architecture == "heql":
            data["lr"] = 1e-2  # measured: the original's 1e-3 needs several times the steps
            counts = value_counts(t)[1]
            data.update(samples_per_group=int(min(64, np.median(counts))), groups_per_batch=64)
        for key, value in (self.fit_settings or {}).items():
            data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
        return FitSettings.from_dict(data)

    def fit(self, X, y, t, *, input_names: Sequence[str] | None = None, param_name: str | None = None,
            validation: tuple | None = None, run_dir: str | Path | None = None) -> "ParametricRegressor":
        """Train, select a trial, read out the law and search closed forms of its coefficients.

        Args:
            X: inputs (n, d): array or DataFrame (its column names become the input names).
            y: target (n,).  t: parameter value of every sample (n,) (a Series lends its name).
            input_names: names of the inputs in equations (default: DataFrame columns, else x0, x1, ...).
            param_name: name of the parameter (default: the Series name, else ``t``).
            validation: ``(X_val, y_val, t_val)`` to select the trial on; default: held out from X.
            run_dir: where the checkpoint is written (default: none, kept in memory).
        """
        from ..fit.run import fit as fit_networks
        from ..plugins import get_registry
        from ..symbolic.chain import FULL_CHAIN, check_chain
        from ..tasks.tabular import equations_document

        chain = check_chain(FULL_CHAIN if self.readout is None else self.readout)
        x, yv, tv, names, pname = check_arrays(X, y, t, input_names, param_name)
        if validation is not None:
            xv, yvv, tvv, *_ = check_arrays(*validation, names, pname, what="validation ")
            train, val = (x, yv, tv), (xv, yvv, tvv)
        else:
            train, val = holdout_split(x, yv, tv, self.val_fraction, self.seed)
        arch = self.resolve_architecture(train[2])
        registry = self.registry or get_registry()
        component = registry.get("architectures", arch)
        if not component.symbolic:
            raise ValueError(f"architecture {arch!r} yields no equation; use seql, heql or auto")
        pooling = None
        if component.grid:
            check_seql_groups(train[2], pname, arch, MIN_SAMPLES_PER_VALUE)
            off = ~np.isin(val[2], train[2])
            if off.any():
                raise ValueError(f"{int(off.sum())} validation sample(s) have values of {pname!r} that are not "
                                 f"training values (e.g. {val[2][off][0]:g}): {arch} can only be scored at the "
                                 "values it was trained on")
        elif is_scattered(train[2]):
            pooled, pooling = pool_scattered(train[2])
            train = (train[0], train[1], pooled)
        settings = self.fit_settings_for(arch, train[2])
        result = fit_networks(*train, names, pname, settings, run_dir, registry, progress=self.progress is True,
                              quiet=self.progress == "log")
        threshold = self.read_out_threshold(train[1])
        steps = [s for s in chain if self.refit or s != "refit"]
        doc = equations_document(result, train, val, threshold, steps, closed_form_rtol=self.closed_form_rtol)
        doc["wall_time_s"] = float(result.wall_time)
        doc["parameter_pooling"] = pooling
        self.document_, self.result_, self.train_, self.validation_ = doc, result, train, val
        self.param_range_ = (float(tv.min()), float(tv.max()))  # raw values, before any pooling
        self.architecture_, self.input_names_, self.param_name_ = arch, names, pname
        self.selected_trial_, self.skeleton_, self.law_ = int(doc["selected_trial"]), doc["skeleton"], doc.get("law")
        self.closed_forms_, self._model = dict(doc.get("closed_form") or {}), None
        return self

    # -- using the fit ----------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "document_"):
            raise ValueError("this ParametricRegressor is not fitted yet: call fit(X, y, t) first")

    def predict(self, X, t, source: str = "law") -> np.ndarray:
        """Predictions at inputs ``X`` and parameter values ``t``.

        Args:
            source: ``"law"`` (default): the read-out law with its refitted coefficients, exact at
                the reported parameter values and linearly interpolated between them (HEQL; outside
                their range the network is used). ``"network"``: the selected network itself.
                HEQL predicts at any t; SEQL only at its training values (an error otherwise).
        """
        from ..fit.predict import predict

        self._check_fitted()
        x, _, tv, *_ = check_arrays(X, None, t, self.input_names_, self.param_name_, what="prediction ")
        if source not in ("law", "network"):
            raise ValueError(f"source must be 'law' or 'network', got {source!r}")
        data, grid = self.result_.data, self.result_.architecture.grid
        if grid:
            off = ~np.isin(tv, data.param_values)
            if off.any():
                raise ValueError(
                    f"{self.param_name_}={tv[off][0]:g} ({int(off.sum())} sample(s)) is not one of the "
                    f"{data.n_groups} training values: {self.architecture_} predicts only at the values it "
                    f"was trained on; fit with architecture='heql' to predict at any {self.param_name_}")
        out = np.full(len(tv), np.nan)
        inside = np.zeros(len(tv), bool)
        if source == "law" and self.skeleton_:
            coefs, inside = self._coefficients_at(tv)
            out[inside] = self._law_fn(x[inside], {k: v[inside] for k, v in coefs.items()})
        if not inside.all():
            if self._model is None:
                self._model = self.result_.model.select_trials([self.selected_trial_])
            out[~inside] = predict(self._model, data, x[~inside], tv[~inside], grid=grid)[0]
        return out

    def _coefficients_at(self, t: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Coefficients at ``t`` interpolated between reported values (held at the outermost ones
        up to the ends of the training range), and which t lie in that range."""
        coefs = self.document_["coefficients"]
        values = np.asarray(coefs["param"], dtype=float)
        inside = (t >= self.param_range_[0]) & (t <= self.param_range_[1])
        return {k: np.interp(t, values, np.asarray(v, dtype=float)) for k, v in coefs.items() if k != "param"}, inside

    def _law_fn(self, x: np.ndarray, coefs: dict[str, np.ndarray]) -> np.ndarray:
        import sympy

        names = sorted(coefs, key=lambda k: int(k[1:]))
        fn = sympy.lambdify([sympy.Symbol(n) for n in self.input_names_] + [sympy.Symbol(k) for k in names],
                            sympy.sympify(self.skeleton_), modules="numpy")
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*x.T, *[coefs[k] for k in names]), dtype=float), (len(x),))

    def score(self, X, y, t) -> float:
        """Coefficient of determination R^2 of :meth:`predict` on ``(X, y, t)``."""
        y = np.asarray(y, dtype=float).reshape(-1)
        resid = np.sum((self.predict(X, t) - y) ** 2)
        return float(1.0 - resid / np.sum((y - y.mean()) ** 2))

    def equations(self) -> dict:
        """The equations.json content: skeleton, equations and coefficients per parameter value,
        closed forms, every trial's scores, settings."""
        import copy

        self._check_fitted()
        return copy.deepcopy(self.document_)

    def sympy(self, t: float | None = None):
        """The law as a SymPy expression: at parameter value ``t``, or (``t=None``) as a function
        of the parameter, with closed forms where found and ``c_k(t)`` elsewhere."""
        import sympy

        self._check_fitted()
        if t is None:
            if self.law_ is None:
                raise ValueError("the selected network could not be read out as an equation")
            return sympy.sympify(self.law_, locals={self.param_name_: sympy.Symbol(self.param_name_)})
        return self._expression_at(float(t))

    def _expression_at(self, t: float):
        """The refitted equation at a reported value; elsewhere in the training range (HEQL) the
        skeleton with interpolated coefficients; beyond it (HEQL) the network read out at t."""
        import sympy

        from ..fit.data import Scaling
        from ..fit.predict import target_scale
        from ..symbolic.magnitude import Scale
        from ..symbolic.readout import law_of, read_out

        eqs = self.document_["equations"]
        if not eqs:
            raise ValueError("the selected network could not be read out as an equation")
        values = np.array([e["param"] for e in eqs])
        j = int(np.argmin(np.abs(values - t)))
        if abs(values[j] - t) <= 1e-9 * max(1.0, abs(t)):
            return sympy.sympify(eqs[j]["expression"])
        if self.result_.architecture.grid:
            raise ValueError(f"{self.param_name_}={t:g} is not a training value: {self.architecture_} has equations "
                             f"only at its {len(values)} training values ({values.min():g} .. {values.max():g}); "
                             "fit with architecture='heql' for equations at any value")
        threshold = self.read_out_threshold(self.train_[1])
        coefs, inside = self._coefficients_at(np.array([t]))
        data = self.result_.data
        s = data.scaling
        y_min, y_range = target_scale(data, np.array([t]))
        if inside[0]:
            scale = Scale({n: float(v) for n, v in zip(self.input_names_, s.x_scale)}, y_range)
            return law_of(self.skeleton_, coefs, self.input_names_, scale, threshold)[0]
        one = Scaling(s.x_scale, s.t_scale, y_min, y_range, s.target)
        r = read_out(self.result_.model, self.selected_trial_, one, np.array([t]), np.array([t / s.t_scale]),
                     threshold)
        return r.expressions[0]

    def latex(self, t: float | None = None) -> str:
        """LaTeX of :meth:`sympy`."""
        import sympy

        return sympy.latex(self.sympy(t))

    def coefficients(self):
        """Coefficient curves as an :class:`xarray.DataArray` (param_value x coefficient); attrs hold
        the skeleton, the parameter name and the closed forms (JSON)."""
        import json

        import xarray as xr

        self._check_fitted()
        coefs = self.document_.get("coefficients") or {}
        names = [k for k in coefs if k != "param"]
        values = (np.stack([np.asarray(coefs[k], float) for k in names], axis=1) if names
                  else np.zeros((len(coefs.get("param", [])), 0)))
        return xr.DataArray(values, dims=("param_value", "coefficient"), name="coefficients",
                            coords={"param_value": np.asarray(coefs.get("param", []), float), "coefficient": names},
                            attrs={"skeleton": self.skeleton_ or "", "parameter": self.param_name_,
                                   "closed_form": json.dumps(self.closed_forms_)})

