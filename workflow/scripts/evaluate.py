# Snakemake adapter: score one method's equations (and its run) against the truth.
from peql.pipeline import evaluate_to, logged

with logged(snakemake.log[0]):
    p = snakemake.params
    evaluate_to(snakemake.input.equations, snakemake.input.data, snakemake.output[0], p.run_dir, p.plugins_dir)
