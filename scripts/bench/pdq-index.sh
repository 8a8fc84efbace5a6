#!/usr/bin/env bash
# PDQ index comparison: vidi's index (fast and compact layouts) and popcount scan
# against FAISS IndexBinaryFlat and IndexBinaryMultiHash (16 x 16 bits, nflip=1,
# exact at radius 31), on the same generated data, one thread each, run one after
# another (never two large runs at once: 10M hashes take a few GB).
#
#   scripts/bench/pdq-index.sh [SIZE ...]        default: 1000000 10000000
#   env: QUERIES (1000), SEED (1), RADIUS (31), FLAT_QUERIES (100),
#        FAISS_VENV (/root/.cache/faiss-venv), OUT (a temp dir; keeps the JSON)
# Needs network access to PyPI the first time (creates the venv with faiss-cpu and numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."

QUERIES=${QUERIES:-1000}
SEED=${SEED:-1}
RADIUS=${RADIUS:-31}
FLAT_QUERIES=${FLAT_QUERIES:-100}
FAISS_VENV=${FAISS_VENV:-/root/.cache/faiss-venv}
OUT=${OUT:-$(mktemp -d)}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)

if ! "$FAISS_VENV/bin/python" -c "import faiss, numpy" 2>/dev/null; then
    python3 -m venv "$FAISS_VENV"
    "$FAISS_VENV/bin/pip" install -q faiss-cpu numpy
fi

cargo build --release -q -p vidi-cli -p vidi-index --example dump_dataset
TARGET=${CARGO_TARGET_DIR:-target}
VIDI="$TARGET/release/vidi"
DUMP="$TARGET/release/examples/dump_dataset"

for n in "${SIZES[@]}"; do
    echo "== $n hashes: vidi" >&2
    "$VIDI" bench pdq-index --size "$n" --queries "$QUERIES" --radius "$RADIUS" --seed "$SEED" --json \
        > "$OUT/vidi-$n.json" || echo "vidi bench reported an inexact result" >&2
    echo "== $n hashes: FAISS" >&2
    "$DUMP" --size "$n" --queries "$QUERIES" --radius "$RADIUS" --seed "$SEED" --out "$OUT/data-$n.bin"
    "$FAISS_VENV/bin/python" scripts/bench/faiss_pdq_index.py "$OUT/data-$n.bin" \
        --flat-queries "$FLAT_QUERIES" --mh-queries "$QUERIES" > "$OUT/faiss-$n.json"
    rm -f "$OUT/data-$n.bin"
done

"$FAISS_VENV/bin/python" - "$OUT" "${SIZES[@]}" <<'PY'
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
print(f"results in {out}")
print("| N | method | q/s (wall) | q/s (on-CPU) | recall | build s | load s | B/hash | vs FAISS multi-hash | vs FAISS flat |")
print("|---|---|---|---|---|---|---|---|---|---|")
for n in sizes:
    v = json.load(open(f"{out}/vidi-{n}.json"))
    f = json.load(open(f"{out}/faiss-{n}.json"))
    mh, fl = f["mh_qps"], f["flat_qps"]
    def row(name, qps, cpu, recall, build, load, bph):
        cpu = f"{cpu:,.0f}" if cpu else "-"
        print(f"| {int(n):,} | {name} | {qps:,.0f} | {cpu} | {recall} | {build} | {load} | {bph} | "
              f"{qps / mh:,.1f}x | {qps / fl:,.0f}x |")
    row("vidi index, fast layout", v["qps"], v["cpu_qps"], f'{v["recall"]:.4f} (exact: {v["exact"]})',
        f'{v["build_s"]:.1f}', f'{v["load_s"]:.1f}', f'{v["bytes_per_hash"]:.1f}')
    c = v["compact"]
    row("vidi index, compact layout", c["qps"], c["cpu_qps"], f'exact: {c["exact"]}',
        f'{c["build_s"]:.1f}', "-", f'{c["bytes_per_hash"]:.1f}')
    row(f'vidi popcount scan ({v["brute_gbps"]:.1f} GB/s)', v["brute_qps"], None, "1 (truth)", "-", "-", "32")
    row(f'FAISS IndexBinaryMultiHash 16x16 nflip=1', mh, None,
        f'{f["mh_recall_vs_flat"]:.4f} (results {f["mh_results"]:,} vs vidi truth {v["true_neighbours"]:,})',
        f'{f["mh_build_s"]:.1f}', "-", "-")
    row(f'FAISS IndexBinaryFlat ({f["flat_gbps"]:.1f} GB/s)', fl, None, "1", "-", "-", "32")
PY
