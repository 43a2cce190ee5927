# Scores of every (dataset, method) pair against the truth.


rule evaluate:
    input:
        unpack(evaluate_inputs),
    output:
        f"{RESULTS}/scores/{{dataset}}/{{method}}.json",
    params:
        run_dir=lambda w: f"{RESULTS}/models/{w.dataset}/{w.method}" if w.method in NETWORK_METHODS else None,
        plugins_dir=config.get("plugins_dir"),
    log:
        f"{RESULTS}/logs/evaluate/{{dataset}}/{{method}}.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/evaluate.py"
