# Snakemake adapter: simulate a system (plain values from params only).
from peql.pipeline import logged, simulate_to

with logged(snakemake.log[0]):
    p = snakemake.params
    simulate_to(snakemake.output[0], p.system, p.noise, p.seed, p.settings, p.plugins_dir)
