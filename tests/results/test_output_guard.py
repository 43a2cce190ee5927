"""The output guard (peql.results.guard) and the result files (peql.results.files): an output
that overlaps an input, is the working folder, is of the wrong kind or was not written by peql is
refused with a message that names it, and nothing of the user's is changed."""

import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from peql.results import (FILE, FOLDER, OutputError, check_output, is_peql_json, read_json,
                          remove_stale_temporaries, temporary_sibling, write_json)


def _tree(path):
    """Every file under ``path`` with its content: to show nothing was changed."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_an_output_that_is_contains_or_lies_inside_an_input_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    table = tmp_path / "data" / "table.csv"
    table.write_text("x,y\n1,2\n")
    before = _tree(tmp_path)
    for out, words in ((table, "is the input"), (tmp_path / "data", "contains the input"),
                       (table / "out", "lies inside the input"), ("data/../data", "contains the input")):
        with pytest.raises(OutputError, match=words) as info:
            check_output(out, FOLDER, inputs=[table], owned=lambda p: True)
        assert str(out) in str(info.value)
    assert _tree(tmp_path) == before


def test_the_working_folder_and_its_parents_are_refused(tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for out in (".", "..", str(tmp_path)):
        with pytest.raises(OutputError, match="current folder"):
            check_output(out, FOLDER, owned=lambda p: True)


def test_a_path_peql_did_not_write_is_refused_and_its_own_outputs_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "notes"}')
    with pytest.raises(OutputError, match="'notes.json' exists and was not written by peql"):
        check_output("notes.json", FILE, owned=is_peql_json)
    assert mine.read_text() == '{"my": "notes"}'
    write_json({"a": 1}, tmp_path / "ours.json", "scores")
    assert check_output("ours.json", FILE, owned=is_peql_json).name == "ours.json"
    legacy = tmp_path / "legacy.json"   # a scores document from before the marker
    legacy.write_text(json.dumps({"method": "seql", "score_split": "test"}))
    assert is_peql_json(legacy)


def test_the_wrong_kind_of_existing_path_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="'folder' is a folder; this command writes a file"):
        check_output("folder", FILE, owned=lambda p: True)
    with pytest.raises(OutputError, match="'file' is a file; this command writes a folder"):
        check_output("file", FOLDER, owned=lambda p: True)


def test_an_unwritable_location_fails_before_any_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match=r"cannot write 'plain/out': .*plain is a file"):
        check_output("plain/out", FOLDER)
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the parent-is-a-file case above covers the probe")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(OutputError, match=r"cannot write 'ro/out'.*not writable"):
            check_output("ro/out", FOLDER)
    finally:
        ro.chmod(stat.S_IRWXU)


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    out = tmp_path / "results"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".results.tmp-{int(dead.stdout)}-abcd1234"
    live = tmp_path / f".results.tmp-{os.getpid()}-abcd1234"
    other = tmp_path / ".other.tmp-1-abcd1234"
    for p in (stale, live, other):
        p.mkdir()
    assert remove_stale_temporaries(out) == [stale]
    assert live.exists() and other.exists() and not stale.exists()
    assert temporary_sibling(out).name.startswith(f".results.tmp-{os.getpid()}-")


def test_json_is_strict_marked_and_follows_the_umask(tmp_path):
    path = tmp_path / "s.json"
    old = os.umask(0o022)
    try:
        write_json({"mse": float("nan"), "inf": np.inf, "n": np.int64(3), "x": np.float32(0.5),
                    "nested": [np.nan, {"ok": True}]}, path, "scores")
    finally:
        os.umask(old)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert doc["mse"] is None and doc["inf"] is None and doc["nested"][0] is None and doc["n"] == 3
    assert doc["peql_document"] == "scores" and "peql_version" in doc
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]   # no temporary left


def test_reading_names_the_file_and_what_was_expected(tmp_path):
    (tmp_path / "b.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"b.json/equations.json \(.*b.json is a file: give it directly\)"):
        read_json(tmp_path / "b.json" / "equations.json", "equations document")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="bad.json is not a readable equations document"):
        read_json(tmp_path / "bad.json", "equations document")


def test_a_scores_file_given_as_equations_is_named(tmp_path):
    from peql.results.documents import check_equations_document

    with pytest.raises(ValueError, match=r"s.json is not an equations document \(a scores document\)"):
        check_equations_document({"peql_document": "scores", "method": "seql"}, "s.json")
    with pytest.raises(ValueError, match="missing parameter, inputs"):
        check_equations_document({"skeleton": "c0"}, "x.json")
