# fit (one job per dataset x network method, every trial batched inside it) and extract.
# The checkpoint lives beside the declared output: a job killed halfway leaves no done.json,
# and its rerun resumes from the checkpoint, which Snakemake does not delete.


rule fit:
    input:
        f"{RESULTS}/data/{{dataset}}.zarr",
    output:
        f"{RESULTS}/models/{{dataset}}/{{method}}/done.json",
    wildcard_constraints:
        method=alternatives(NETWORK_METHODS),
    params:
        run_dir=lambda w: f"{RESULTS}/models/{w.dataset}/{w.method}",
        settings=fit_settings,
        plugins_dir=config.get("plugins_dir"),
        fingerprint=fingerprint_method,
    threads: config.get("threads_per_fit", 2)
    resources:
        gpu=config.get("gpus_per_fit", 0),
    log:
        f"{RESULTS}/logs/fit/{{dataset}}/{{method}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/fit.py"


rule extract:
    input:
        done=f"{RESULTS}/models/{{dataset}}/{{method}}/done.json",
        data=f"{RESULTS}/data/{{dataset}}.zarr",
    output:
        equations=f"{RESULTS}/equations/{{dataset}}/{{method}}/equations.json",
        coefficients=directory(f"{RESULTS}/equations/{{dataset}}/{{method}}/coefficients.zarr"),
    wildcard_constraints:
        method=alternatives(NETWORK_METHODS),
    params:
        run_dir=lambda w: f"{RESULTS}/models/{w.dataset}/{w.method}",
        threshold=config.get("threshold", 0.01),
        readout=readout_steps(),
        plugins_dir=config.get("plugins_dir"),
    log:
        f"{RESULTS}/logs/extract/{{dataset}}/{{method}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/extract.py"
