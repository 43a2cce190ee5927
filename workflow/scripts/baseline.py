# Snakemake adapter: run a non-network baseline on the same features.
from peql.pipeline import baseline_to, logged

with logged(snakemake.log[0]):
    p = snakemake.params
    baseline_to(snakemake.input[0], snakemake.output[0], p.baseline, p.settings, p.plugins_dir)
