#!/usr/bin/env python3
"""FAISS baselines for the PDQ index benchmark, on the data set vidi generates.

Reads a data set written by
  cargo run --release -p vidi-index --example dump_dataset -- --size N --queries Q --seed S --out FILE
(the same hashes and queries `vidi bench pdq-index` uses for that size, queries and seed),
then times, on one thread:
  - IndexBinaryFlat range search (exhaustive popcount scan; also the ground truth),
  - IndexBinaryMultiHash with 16 tables of 16 bits and nflip=1 (exact at radius 31:
    a hash within 31 bits has one 16-bit substring within floor(31/16) = 1 bit).
FAISS range_search returns distances < radius, so radius + 1 is passed for "<= radius".
Prints one JSON object. Needs faiss-cpu and numpy (see scripts/bench/pdq-index.sh).
"""
import argparse
import json
import struct
import sys
import time

import numpy as np
import faiss


def read_dataset(path):
    with open(path, "rb") as f:
        head = f.read(40)
        if len(head) < 40 or head[:8] != b"VIDIPDQD":
            sys.exit(f"{path}: not a vidi PDQ data set")
        version, radius, size, queries, seed = struct.unpack("<IIQQQ", head[8:])
        if version != 1:
            sys.exit(f"{path}: unsupported data set version {version}")
        data = np.fromfile(f, dtype=np.uint8, count=(size + queries) * 32)
    if data.size != (size + queries) * 32:
        sys.exit(f"{path}: truncated")
    data = data.reshape(size + queries, 32)
    return radius, seed, data[:size], np.ascontiguousarray(data[size:])


def range_search(index, xq, radius):
    """Per-query sorted (id, distance) lists, and the elapsed seconds."""
    t = time.perf_counter()
    lims, dist, ids = index.range_search(xq, radius + 1)
    secs = time.perf_counter() - t
    out = []
    for i in range(len(xq)):
        a, b = lims[i], lims[i + 1]
        out.append(sorted(zip(ids[a:b].tolist(), dist[a:b].tolist())))
    return out, secs


def one_at_a_time(index, xq, radius):
    """Queries issued one by one (as vidi does), and the elapsed seconds."""
    out = []
    t = time.perf_counter()
    for i in range(len(xq)):
        lims, dist, ids = index.range_search(xq[i : i + 1], radius + 1)
        out.append(sorted(zip(ids.tolist(), dist.tolist())))
    return out, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--flat-queries", type=int, default=100, help="queries timed on IndexBinaryFlat")
    ap.add_argument("--mh-queries", type=int, default=1000, help="queries timed on IndexBinaryMultiHash")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    faiss.omp_set_num_threads(args.threads)

    radius, seed, xb, xq = read_dataset(args.dataset)
    size, nq = len(xb), len(xq)
    r = {"size": size, "queries": nq, "radius": radius, "seed": seed, "threads": args.threads,
         "faiss_version": faiss.__version__}

    flat = faiss.IndexBinaryFlat(256)
    t = time.perf_counter()
    flat.add(xb)
    r["flat_add_s"] = time.perf_counter() - t
    fq = min(args.flat_queries, nq)
    truth, secs = one_at_a_time(flat, xq[:fq], radius)
    r["flat_queries"] = fq
    r["flat_qps"] = fq / secs if secs > 0 else 0.0
    r["flat_gbps"] = fq * size * 32 / secs / 1e9 if secs > 0 else 0.0
    _, secs = range_search(flat, xq[:fq], radius)
    r["flat_batched_qps"] = fq / secs if secs > 0 else 0.0
    del flat

    mh = faiss.IndexBinaryMultiHash(256, 16, 16)
    mh.nflip = 1
    t = time.perf_counter()
    mh.add(xb)
    r["mh_build_s"] = time.perf_counter() - t
    mq = min(args.mh_queries, nq)
    got, secs = one_at_a_time(mh, xq[:mq], radius)
    r["mh_queries"] = mq
    r["mh_qps"] = mq / secs if secs > 0 else 0.0
    r["mh_results"] = sum(len(g) for g in got)
    found = total = 0
    for g, w in zip(got[:fq], truth):
        w = set(w)
        total += len(w)
        found += len(w.intersection(g))
    r["mh_recall_vs_flat"] = found / total if total else 1.0
    r["mh_exact_vs_flat"] = all(g == w for g, w in zip(got[:fq], truth))
    print(json.dumps(r))


if __name__ == "__main__":
    main()
