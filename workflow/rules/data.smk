# simulate (tabular systems straight into the features layout; PDE fields raw) and derive.


rule simulate_table:
    output:
        directory(f"{RESULTS}/data/{{dataset}}.zarr"),
    wildcard_constraints:
        dataset=alternatives(TABLE_DATASETS),
    params:
        system=lambda w: dataset_cfg(w)["system"],
        noise=lambda w: dataset_cfg(w).get("noise", 0.0),
        seed=lambda w: dataset_cfg(w).get("seed", 0),
        settings=lambda w: dataset_cfg(w).get("settings", {}),
        plugins_dir=config.get("plugins_dir"),
        fingerprint=fingerprint_dataset,
    log:
        f"{RESULTS}/logs/simulate/{{dataset}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/simulate.py"


rule simulate_field:
    output:
        directory(f"{RESULTS}/fields/{{dataset}}.zarr"),
    wildcard_constraints:
        dataset=alternatives(FIELD_DATASETS),
    params:
        system=lambda w: dataset_cfg(w)["system"],
        noise=lambda w: dataset_cfg(w).get("noise", 0.0),
        seed=lambda w: dataset_cfg(w).get("seed", 0),
        settings=lambda w: dataset_cfg(w).get("settings", {}),
        plugins_dir=config.get("plugins_dir"),
        fingerprint=fingerprint_dataset,
    log:
        f"{RESULTS}/logs/simulate/{{dataset}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/simulate.py"


rule derive:
    input:
        f"{RESULTS}/fields/{{dataset}}.zarr",
    output:
        directory(f"{RESULTS}/data/{{dataset}}.zarr"),
    wildcard_constraints:
        dataset=alternatives(FIELD_DATASETS),
    params:
        derive=lambda w: dataset_cfg(w)["derive"],
        plugins_dir=config.get("plugins_dir"),
        fingerprint=fingerprint_dataset,
    log:
        f"{RESULTS}/logs/derive/{{dataset}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/derive.py"
