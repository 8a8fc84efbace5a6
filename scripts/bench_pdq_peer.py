#!/usr/bin/env python3
"""Peer baseline for vidi's PDQ throughput: Pillow decode + PyPI `pdqhash`
(Meta's C++ PDQ core via Cython), single-threaded, over a folder of JPEGs.
This is what a Python user of python-threatexchange runs (`pdq_from_file`).

Install (once):
    python3 -m venv /root/.cache/pdq-peer-venv
    /root/.cache/pdq-peer-venv/bin/pip install pdqhash pillow numpy

Run (same folder as vidi's `bench_folder` example):
    /root/.cache/pdq-peer-venv/bin/python scripts/bench_pdq_peer.py /tmp/pdqbench

Prints images/s for decode+PDQ, and for read + MD5/SHA-1/SHA-256 (hashlib,
OpenSSL) + decode + PDQ.
"""
import hashlib
import os
import sys
import time

import numpy as np
import pdqhash
from PIL import Image

# Single thread: keep NumPy/OpenBLAS from spawning workers.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def pdq_of(path):
    img = Image.open(path)
    if img.mode != "RGB":
        img = img.convert("RGB")
    vec, quality = pdqhash.compute(np.asarray(img))
    return vec, quality


def run(files, with_crypto):
    start = time.perf_counter()
    for f in files:
        if with_crypto:
            with open(f, "rb") as fh:
                data = fh.read()
            for h in (hashlib.md5(), hashlib.sha1(), hashlib.sha256()):
                h.update(data)
                h.hexdigest()
        pdq_of(f)
    return time.perf_counter() - start


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    folder = sys.argv[1]
    files = sorted(
        os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".jpg")
    )
    s = run(files, False)
    print(f"peer Pillow+pdqhash decode+PDQ: {len(files)} images in {s:.2f}s = {len(files) / s:.1f} images/s")
    s = run(files, True)
    print(
        f"peer read+MD5+SHA1+SHA256+decode+PDQ: {len(files)} images in {s:.2f}s = {len(files) / s:.1f} images/s"
    )


if __name__ == "__main__":
    main()
