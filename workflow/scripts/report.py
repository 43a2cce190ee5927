# Snakemake adapter: figures and tables of every (dataset, method) pair.
from peql.pipeline import build_report, logged
from peql.plugins import get_registry

with logged(snakemake.log[0]):
    p = snakemake.params
    i, o = snakemake.input, snakemake.output
    build_report(p.pairs, p.datasets, i.data, i.equations, i.scores, o.index, o.figures, o.tables,
                 get_registry(p.plugins_dir))
