# Snakemake adapter: fit one architecture, all trials batched; resumes its checkpoint.
import torch

from peql.pipeline import fit_to, logged

with logged(snakemake.log[0]):
    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    fit_to(snakemake.input[0], snakemake.output[0], p.run_dir, p.settings, p.plugins_dir)
