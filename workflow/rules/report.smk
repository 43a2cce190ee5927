# Figures and tables of every pair, with the paper's figures beside ours.


rule report:
    input:
        scores=[f"{RESULTS}/scores/{d}/{m}.json" for d, m in all_pairs()],
        equations=[f"{RESULTS}/equations/{d}/{m}/equations.json" for d, m in all_pairs()],
        data=[f"{RESULTS}/data/{d}.zarr" for d, _ in all_pairs()],
    output:
        index=report(f"{RESULTS}/report/index.html", caption="../report/index.rst", category="Summary"),
        figures=report(
            directory(f"{RESULTS}/report/figures"),
            patterns=["{name}.png"],
            caption="../report/figures.rst",
            category="Figures",
        ),
        tables=f"{RESULTS}/report/tables.json",
    params:
        pairs=[list(p) for p in all_pairs()],
        datasets=config["datasets"],
        plugins_dir=config.get("plugins_dir"),
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../envs/peql.yaml"
    script:
        "../scripts/report.py"
