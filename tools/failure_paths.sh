#!/usr/bin/env bash
# Issue 19's failure paths, one line per item (exit code and the last line printed), in a fresh
# temporary folder: tools/failure_paths.sh (the venv of the README must be active).

export PEQL_DISABLE_PLUGIN_AUTOLOAD=1
R=$(mktemp -d /tmp/r19.XXXX); cd $R
line() { echo "[$1] rc=$2 :: $(echo "$3" | grep -v '^\s*$' | tail -1 | cut -c1-230)"; }
run() { local tag=$1; shift; out=$("$@" 2>&1); line "$tag" $? "$out"; }
peql simulate f1_sgn -o f1.zarr >/dev/null 2>&1
python - <<'PY'
import xarray as xr, numpy as np, pandas as pd
ds = xr.open_zarr("f1.zarr", consolidated=False)
rng = np.random.default_rng(0)
t = np.repeat(np.linspace(-1, 1, 8), 40); x = rng.uniform(-2, 2, t.size)
pd.DataFrame({"x": x, "t": t, "y": (1 + t) * x**2 - 2 * t * x}).to_csv("table.csv", index=False)
pd.DataFrame({"x": x, "t": t, "y": (1 + t) * x**2 - 2 * t * x}).to_csv("semi.csv", index=False, sep=";")
pd.DataFrame({"x": x, "t": 0.5, "y": 1.5 * x**2}).to_csv("onevalue.csv", index=False)
open("dup.csv", "w").write("x,x,t,y\n" + "\n".join(f"{a},{a},{b},{c}" for a, b, c in zip(x, t, x * t)))
open("nonascii.csv", "w").write("xé,t,y\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(x, t, x * t)))
PY
# 1: simulate over a user folder
mkdir -p mine && echo precious > mine/notes.txt
run 1-simulate peql simulate f1_sgn -o mine; echo "    mine/notes.txt survives: $(cat mine/notes.txt 2>/dev/null || echo NO)"
mkdir -p mine2 && echo precious > mine2/notes.txt
peql simulate advection_diffusion -o field.zarr >/dev/null 2>&1
run 1-derive peql derive field.zarr -o mine2 --method spectral; echo "    mine2/notes.txt survives: $(cat mine2/notes.txt 2>/dev/null || echo NO)"
# 2: discover OUT = folder holding the input / the input itself
mkdir -p d2 && cp table.csv d2/
run 2-folder peql discover d2/table.csv --target y --param t -o d2 --overwrite --steps 20 --trials 1; echo "    d2/table.csv survives: $(test -f d2/table.csv && echo yes || echo NO)"
cp table.csv t2.csv
run 2-itself peql discover t2.csv --target y --param t -o t2.csv --overwrite --steps 20 --trials 1; echo "    t2.csv still a file: $(test -f t2.csv && echo yes || echo NO)"
# 3: -o ., read-only folder, baseline/evaluate/extract replacing files
mkdir -p dot && cp table.csv dot/ && (cd dot && run 3-dot peql discover table.csv --target y --param t -o . --steps 20 --trials 1)
mkdir -p ro && chmod 555 ro
run 3-readonly peql discover table.csv --target y --param t -o ro/out --steps 20 --trials 1
echo precious > mine.json
run 3-baseline peql baseline sgtr f1.zarr -o mine.json; echo "    mine.json: $(head -c 20 mine.json)"
mkdir -p minedir && echo precious > minedir/equations.json
run 3-baseline-dir peql baseline sgtr f1.zarr -o minedir; echo "    minedir/equations.json: $(head -c 20 minedir/equations.json)"
peql fit f1.zarr -o run --arch seql --trials 2 --steps 30 --quiet >/dev/null 2>&1
peql extract run f1.zarr -o eq >/dev/null 2>&1
echo precious > mine_scores.json
run 3-evaluate peql evaluate eq/equations.json f1.zarr -o mine_scores.json; echo "    mine_scores.json: $(head -c 20 mine_scores.json)"
mkdir -p eq2/coefficients.zarr && echo precious > eq2/coefficients.zarr/notes.txt
run 3-extract peql extract run f1.zarr -o eq2; echo "    eq2/coefficients.zarr/notes.txt survives: $(cat eq2/coefficients.zarr/notes.txt 2>/dev/null || echo NO)"
# 4: plugin with a wrong sympy form; hookimpl missing; misspelled hook
mkdir -p p4a p4b p4c
cat > p4a/bad.py <<'PY'
import peql, sympy, torch
@peql.hookimpl
def register_primitives(register):
    register(peql.Primitive(name="cube", arity=1, torch_fn=lambda g: g**3, sympy_fn=lambda g: g**2))
PY
cat > p4b/nomark.py <<'PY'
import peql
def register_primitives(register):
    register(peql.Primitive(name="cube", arity=1, torch_fn=lambda g: g**3, sympy_fn=lambda g: g**3))
PY
cat > p4c/typo.py <<'PY'
import peql
@peql.hookimpl
def register_primitive(register):
    pass
PY
run 4-wrongsympy peql --plugins-dir p4a list primitives
run 4-nomark peql --plugins-dir p4b list primitives
run 4-typo peql --plugins-dir p4c list primitives
# 5: evaluate against another system's data
peql simulate f3_linear -o f3.zarr >/dev/null 2>&1
run 5-crosseval peql evaluate eq/equations.json f3.zarr -o cross.json
# 6: bad settings, one parameter value
run 6-lr peql fit f1.zarr -o run6 --trials 1 --steps 20 --set lr=-1 --quiet
run 6-steps peql fit f1.zarr -o run6b --trials 1 --steps 0 --quiet
run 6-threshold peql extract run f1.zarr -o eq6 --threshold -1
run 6-onevalue peql discover onevalue.csv --target y --param t -o out6 --steps 20 --trials 1
# 7: broken checkpoint, bad --set, evaluate given a folder / a file path
mkdir -p run7 && : > run7/checkpoint.pt
run 7-fit peql fit f1.zarr -o run7 --trials 1 --steps 20 --quiet
run 7-extract peql extract run7 f1.zarr -o eq7
run 7-setabc peql fit f1.zarr -o run7b --set lr=abc --steps 5 --trials 1
run 7-setnoeq peql fit f1.zarr -o run7c --set lr --steps 5 --trials 1
run 7-evalfolder peql evaluate eq f1.zarr -o s7.json
peql baseline sgtr f1.zarr -o b7.json >/dev/null 2>&1
run 7-evalnotdir peql evaluate b7.json/equations.json f1.zarr -o s7b.json
peql baseline sgtr f1.zarr -o b7 >/dev/null 2>&1
run 7-evalnotdir-new peql evaluate b7/equations.json/equations.json f1.zarr -o s7c.json
run 7-evalbaselinefolder peql evaluate b7 f1.zarr -o s7d.json
# 9: killed discover leaves temp folder
timeout -s TERM 8 peql discover table.csv --target y --param t -o out9 --steps 100000 --trials 1 > k9.log 2>&1; line 9-sigterm $? "$(cat k9.log)"
echo "    leftover temporaries: $(ls -a | grep -c '^\.out9\.tmp')"
# 10: NaN in JSON, permissions, duplicate columns, semicolons, non-ascii
echo "[10-nan] bare NaN in scores: $(grep -l 'NaN' *.json s7*.json 2>/dev/null | head -3 | tr '\n' ' ')"
echo "[10-perm] eq/equations.json mode $(stat -c %a eq/equations.json), coefficients.zarr/zarr.json $(stat -c %a eq/coefficients.zarr/zarr.json)"
run 10-dup peql discover dup.csv --target y --param t -o out10a --steps 20 --trials 1
run 10-semi peql discover semi.csv --target y --param t -o out10b --steps 20 --trials 1
run 10-nonascii peql discover nonascii.csv --target y --param t -o out10c --steps 20 --trials 1
chmod 755 ro; echo "dir: $R"
