#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs taken from the reference data
# at run time. The corpus folder is git-ignored: reference files must never
# be committed. Usage: fuzz/seed_corpus.sh [reference-dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${DEEPXS_SHARED:-$here/../../shared}
reference=${1:-$shared/reference}
corpus=$here/corpus
if [ ! -d "$reference" ]; then
    echo "seed_corpus.sh: reference data not found at $reference; set DEEPXS_SHARED" >&2
    exit 1
fi
mkdir -p "$corpus/read_input" "$corpus/slha" "$corpus/csv" "$corpus/array" "$corpus/weights" "$corpus/lhapdf"

# SLHA: the spectrum samples and a few of the cross-section inputs.
for file in "$reference"/slha/*.spc; do
    install -m 0644 "$file" "$corpus/slha/"
    install -m 0644 "$file" "$corpus/read_input/"
done
ls "$reference"/prospino/slha/*.slha | head -n 5 | while read -r file; do
    install -m 0644 "$file" "$corpus/slha/"
done

# CSV: the first 20 rows of each test set, so seeds stay small.
for file in "$reference"/deepxs/testsets/*.csv; do
    head -n 21 "$file" > "$corpus/csv/$(basename "$file")"
    install -m 0644 "$corpus/csv/$(basename "$file")" "$corpus/read_input/"
done

# Array: the same rows as whitespace-separated numbers, 19 and 14 columns.
# The first byte selects the layout option (see fuzz_targets/array.rs).
python3 - "$reference" "$corpus/array" <<'PY'
import csv, sys, pathlib
reference, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
full = ["U11","U12","V11","V12","N21","N22","N23","N24","m_chi20","m_chi1pm",
        "m_1000001","m_2000001","m_2000002","m_1000002","m_1000003","m_2000003",
        "m_1000004","m_2000004","m_gluino"]
squarks = full[10:]
layouts = {
    "generated_reference.csv": ("full", full, b"\x03"),
    "c1c1_test.csv": ("chargino", full[0:4] + ["m_chi1pm"] + squarks, b"\x00"),
    "n2n2_test.csv": ("neutralino", full[4:9] + squarks, b"\x02"),
}
for name, (label, columns, selector) in layouts.items():
    with open(reference / "deepxs/testsets" / name) as handle:
        rows = list(csv.DictReader(handle))[:20]
    text = "".join(" ".join(row[c] for c in columns) + "\n" for row in rows)
    (out / f"{label}.dat").write_bytes(selector + text.encode())
PY

# Weights: a one-pair manifest built from the reference manifest, followed
# by one reference network (both stages use its feature list).
python3 - "$reference" "$corpus/weights" <<'PY'
import json, struct, sys, pathlib
reference, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
networks = reference / "deepxs/networks"
manifest = json.loads((networks / "manifest.json").read_text())
for pair, network in [("c1c1", "c1c1_K"), ("n2n2", "n2n2_K"), ("n2c1m", "n2c1m_K")]:
    process = manifest["processes"][pair]
    stage = process["k"]
    one = {"description": "seed", "processes": {pair: {
        "final_state_pdg": process["final_state_pdg"], "lo": dict(stage), "k": dict(stage)}}}
    text = json.dumps(one).encode()
    blob = (networks / f"{network}.safetensors").read_bytes()
    (out / f"{pair}.bin").write_bytes(struct.pack("<I", len(text)) + text + blob)
# The full manifest alone exercises the stacking rules and output maps.
text = (networks / "manifest.json").read_bytes()
(out / "full_manifest.bin").write_bytes(struct.pack("<I", len(text)) + text)
PY
# LHAPDF6: the CTEQ6L1 .info text, a NUL byte, then the first 40 lines of
# its grid file (a truncated grid, which the fuzzer grows and repairs).
for set in "$reference"/pdf/*/; do
    name=$(basename "$set")
    { cat "$set/$name.info"; printf '\0'; head -n 40 "$set/${name}_0000.dat"; } > "$corpus/lhapdf/$name"
done

echo "seed corpus written to $corpus"
