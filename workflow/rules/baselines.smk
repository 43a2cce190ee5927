# Non-network baselines read the same features and write the same equations.json.


rule baseline:
    input:
        f"{RESULTS}/data/{{dataset}}.zarr",
    output:
        f"{RESULTS}/equations/{{dataset}}/{{method}}/equations.json",
    wildcard_constraints:
        method=alternatives(BASELINE_METHODS),
    params:
        baseline=lambda w: config["methods"][w.method]["baseline"],
        settings=lambda w: config["methods"][w.method].get("settings", {}),
        plugins_dir=config.get("plugins_dir"),
        fingerprint=fingerprint_method,
    log:
        f"{RESULTS}/logs/baseline/{{dataset}}/{{method}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/baseline.py"
