#!/usr/bin/env python3
"""Write a vidi model manifest (JSON) next to converted model files.

Usage: write_manifest.py SPEC.json OUT_MANIFEST.json

SPEC.json holds every manifest field except the file hashes; its "files" list
names files relative to the manifest's folder. This script adds size and
SHA-256 for each file and writes the manifest atomically.
"""
import hashlib
import json
import os
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    folder = os.path.dirname(os.path.abspath(out))
    files = []
    for entry in spec["files"]:
        path = os.path.join(folder, entry["path"])
        files.append(dict(entry, bytes=os.path.getsize(path), sha256=sha256(path)))
    spec["files"] = files
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(spec, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
