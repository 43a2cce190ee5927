"""The package's structure, measured from its imports (tools/layers.py): no import cycle, no
import pointing up the layers of DESIGN section 2, few top-level modules, small modules and
functions. A new cycle or upward import fails here, naming the two modules."""

from layers import MAX_TOP_LEVEL, report


def test_no_cycles_no_upward_imports_and_small_pieces():
    r = report()
    assert r["cycles"] == [], r["cycles"]
    assert r["upward"] == [], r["upward"]
    assert r["unplaced"] == [], f"parts of the package in no layer of tools/layers.py: {r['unplaced']}"
    assert len(r["top_level"]) <= MAX_TOP_LEVEL, r["top_level"]
    assert r["long_modules"] == [], r["long_modules"]
    assert r["long_functions"] == [], r["long_functions"]


def test_the_scan_sees_lazy_imports_and_cycles(tmp_path, monkeypatch):
    import layers

    pkg = tmp_path / "peql"
    (pkg / "fit").mkdir(parents=True)
    (pkg / "tasks").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "fit" / "__init__.py").write_text("")
    (pkg / "tasks" / "__init__.py").write_text("")
    (pkg / "fit" / "run.py").write_text("def f():\n    from ..tasks import helper\n")
    (pkg / "tasks" / "helper.py").write_text("from ..fit import run\n")
    monkeypatch.setattr(layers, "ROOT", pkg)
    r = layers.report()
    assert r["cycles"] == [["peql.fit.run", "peql.tasks.helper"]]
    assert ("peql.fit.run", "peql.tasks.helper") in r["upward"]
