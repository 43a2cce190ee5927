# Snakemake adapter: PDE field -> features u, u_x, ... and target u_t.
from peql.pipeline import derive_to, logged

with logged(snakemake.log[0]):
    derive_to(snakemake.input[0], snakemake.output[0], snakemake.params.derive, snakemake.params.plugins_dir)
