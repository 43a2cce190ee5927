# Snakemake adapter: select a trial on the val split and read out equations.json.
from peql.pipeline import extract_to, logged

with logged(snakemake.log[0]):
    p = snakemake.params
    extract_to(p.run_dir, snakemake.input.data, snakemake.output.equations, p.threshold, p.readout, p.plugins_dir)
