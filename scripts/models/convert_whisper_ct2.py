#!/usr/bin/env python3
"""Convert a CTranslate2 Whisper model.bin (split in parts) to safetensors.

Usage: convert_whisper_ct2.py OUT.safetensors PART [PART ...]

The parts are concatenated in the order given. Tensor names are kept as in
CTranslate2 (for example `encoder/layer_0/self_attention/linear_0/weight`, the
fused Q/K/V projection); scalar options become safetensors metadata. Only
numpy and the standard library are used.
"""
import struct
import sys

import numpy as np

from _weights import write_safetensors

# CTranslate2 DataType ids.
DTYPES = {0: ("F32", np.float32), 1: ("I8", np.int8), 2: ("I16", np.int16),
          3: ("I32", np.int32), 4: ("F16", np.float16)}


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, fmt):
        vals = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return vals

    def string(self):
        (n,) = self.take("<H")
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw.rstrip(b"\0").decode("utf-8")

    def raw(self, n):
        raw = self.data[self.pos:self.pos + n]
        if len(raw) != n:
            raise ValueError("truncated model.bin")
        self.pos += n
        return raw


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    data = b"".join(open(p, "rb").read() for p in sys.argv[2:])
    r = Reader(data)
    (version,) = r.take("<I")
    if version < 4:
        sys.exit(f"unsupported CTranslate2 binary version {version}")
    spec = r.string()
    (revision,) = r.take("<I")
    if spec != "WhisperSpec":
        sys.exit(f"not a Whisper model: {spec}")
    (count,) = r.take("<I")
    tensors = {}
    meta = {"ct2_spec": spec, "ct2_revision": str(revision), "ct2_binary_version": str(version)}
    for _ in range(count):
        name = r.string()
        (rank,) = r.take("<B")
        dims = r.take(f"<{rank}I")
        (dtype_id,) = r.take("<B")
        (nbytes,) = r.take("<I")
        raw = r.raw(nbytes)
        st_name, np_type = DTYPES[dtype_id]
        arr = np.frombuffer(raw, dtype=np_type).reshape(dims)
        if rank == 0:
            meta[name] = str(arr.item())
            continue
        tensors[name] = (st_name, list(dims), raw)
    (aliases,) = r.take("<I")
    for _ in range(aliases):
        alias, target = r.string(), r.string()
        meta["alias:" + alias] = target
    if r.pos != len(data):
        sys.exit("trailing bytes after the model: parts incomplete or misordered")

    write_safetensors(out, ((name, *tensors[name]) for name in sorted(tensors)), meta)

if __name__ == "__main__":
    main()
