"""A store that Snakemake stamped as a directory output still reads without warnings."""



def test_snakemake_timestamp_inside_a_store_is_ignored(tmp_path, registry):
    from peql.data import read_dataset, write_dataset

    ds = registry.get("systems", "f3_linear").simulate(seed=0)
    path = tmp_path / "d.zarr"
    write_dataset(ds, path)
    (path / ".snakemake_timestamp").write_text("")
    back = read_dataset(path)  # pytest turns any warning into an error
    assert back.sizes["sample"] == ds.sizes["sample"]
