"""Stage drivers, above the tasks: simulate, derive, fit, extract, baseline, evaluate, report.
:mod:`.runs` drives a run on a dataset (resolving its task once), :mod:`.stages` the plain-value
functions the workflow's scripts call, :mod:`.report` the report, :mod:`.workflow` a config as
Snakemake sees it and :mod:`.logs` a job's log."""

from .logs import logged
from .report import build_report
from .runs import evaluate_files, extract_run, fit_dataset, load_run, score
from .stages import baseline_to, derive_to, evaluate_to, extract_to, fit_to, simulate_to

__all__ = ["baseline_to", "build_report", "derive_to", "evaluate_files", "evaluate_to", "extract_run", "extract_to",
           "fit_dataset", "fit_to", "load_run", "logged", "score", "simulate_to"]
