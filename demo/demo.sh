#!/usr/bin/env bash
# The git-dws demo (`make demo`): a small data-science project versioned with `git dws`, from an empty
# directory to restoring an earlier snapshot. It needs git and `git-dws` on PATH (`make demo` puts the
# project's .venv first on PATH). The workspace is created in a fresh temporary directory, printed at the
# end; set DEMO_DIR to use another (empty or missing) directory instead.
set -euo pipefail

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show() {  # print a command as one would type it (quoting arguments that need it)
    local out='' a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
    done
    printf '$ %s\n' "${out% }"
}
run() { show "$@"; "$@"; }

command -v git-dws >/dev/null || { echo "git-dws is not on PATH: run \`make demo\` (or pip install .)" >&2; exit 1; }

if [ -n "${DEMO_DIR:-}" ]; then
    [ ! -e "$DEMO_DIR" ] || [ -z "$(ls -A "$DEMO_DIR")" ] || { echo "DEMO_DIR $DEMO_DIR is not empty" >&2; exit 1; }
    mkdir -p "$DEMO_DIR"
    ws=$(cd "$DEMO_DIR" && pwd)
else
    ws=$(mktemp -d "${TMPDIR:-/tmp}/git-dws-demo.XXXXXX")
fi
keep=$(mktemp -d "${TMPDIR:-/tmp}/git-dws-demo-copy.XXXXXX")  # a copy of v1's data, to compare with later
trap 'rm -rf "$keep"' EXIT
cd "$ws"

step "1. A new workspace in $ws"
run git -c init.defaultBranch=main init -q
# Commits need an identity: use the user's if git has one, else a local one for this demo repository only.
if [ -z "$(git config user.email || true)" ] || [ -z "$(git config user.name || true)" ]; then
    run git config user.name "git-dws demo"
    run git config user.email "demo@example.invalid"
fi
run git dws --batch init --create-resources code,results --hostname demo demo
run cat .dws.toml

step "2. Source data: a CSV git does not hold, added as a local-files resource"
mkdir -p data
cat > data/measurements.csv <<'EOF'
sample,temperature,yield
a,20.5,0.61
b,22.0,0.66
c,23.5,0.70
d,25.0,0.73
EOF
printf 'git-dws keeps binary files too\000\001\002\377' > "data/raw readings.bin"
run cat data/measurements.csv
run git dws --batch add local-files data --role source-data
run cat .gitignore

step "3. Code that computes results/results.json with a \"metrics\" dict"
cat > code/analyze.py <<'EOF'
"""Fit yield = a + b * temperature by least squares; write the fit and its quality to results/."""
import csv
import json
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
x = [float(r["temperature"]) for r in rows]
y = [float(r["yield"]) for r in rows]
n = len(rows)
mx, my = sum(x) / n, sum(y) / n
b = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y)) / sum((xi - mx) ** 2 for xi in x)
a = my - b * mx
ss_res = sum((yi - (a + b * xi)) ** 2 for xi, yi in zip(x, y))
ss_tot = sum((yi - my) ** 2 for yi in y)
metrics = {"r2": round(1 - ss_res / ss_tot, 4), "samples": n, "slope": round(b, 4)}
with open("results/results.json", "w") as f:
    json.dump({"step": "analyze", "parameters": {"input": sys.argv[1]}, "metrics": metrics}, f, indent=2)
print("metrics:", metrics)
EOF
run python3 code/analyze.py data/measurements.csv
run git dws status

step "4. Snapshot v1: results move to results/snapshots/demo-v1, code is committed, data is stored"
run git dws --batch snapshot v1 -m "first four samples"
run ls -R results
cp -p data/measurements.csv "data/raw readings.bin" "$keep/"

step "5. New data arrives: a value changes, samples are added, a file is deleted; re-run, snapshot v2"
rm "data/raw readings.bin"   # no longer needed
cat > data/measurements.csv <<'EOF'
sample,temperature,yield
a,20.5,0.61
b,22.0,0.64
c,23.5,0.70
d,25.0,0.73
e,26.5,0.77
f,28.0,0.78
EOF
run python3 code/analyze.py data/measurements.csv
run git dws status
run git dws --batch snapshot v2 -m "six samples, b re-measured"

step "6. What happened: history with metrics, and the file-level diff of the two snapshots"
run git dws report history
run git dws diff v1 v2
run git dws diff --name-status v1 v2
run git dws status

step "7. Restore never destroys unsnapshotted data: an unsaved edit makes it refuse"
echo "g,29.5,0.80" >> data/measurements.csv
show git dws --batch restore v1
if git dws --batch restore v1; then
    echo "demo: restore should have refused" >&2; exit 1
fi
echo "(refused, as it should: nothing was changed)"
run git dws status

step "8. Restore v1 anyway (--force discards the unsaved edit); results are never restored"
run git dws --batch restore --force v1
run cat data/measurements.csv
run ls -l data
cmp data/measurements.csv "$keep/measurements.csv"
cmp "data/raw readings.bin" "$keep/raw readings.bin"
echo "(checked with cmp: both files are byte-for-byte the v1 versions again)"
run git dws status

step "9. It is all plain git: commits, the dws notes, annotated tags, the manifest branch"
run git log --oneline
run git notes --ref=dws list
run git tag -n
run git cat-file -p v1
run git log --oneline refs/dws/manifests

step "Done"
echo "The demo workspace is $ws"
echo "Look around: cd $ws && git dws report history"
