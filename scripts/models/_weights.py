"""Shared by the convert_*.py scripts: reading PyTorch checkpoints without
torch, and writing safetensors. Only numpy and the standard library.

A checkpoint is unpickled with an allow-list (OrderedDict, the tensor and
parameter rebuild functions, the storage types in DTYPES); anything else is
refused, so a hostile file cannot run code. Two container formats:

* zip (`torch.save` since 1.6): `<prefix>/data.pkl` is the pickled object,
  whose tensors name their storages by persistent id; `<prefix>/data/<key>`
  holds each storage's raw little-endian bytes ([`load_zip`]).
* legacy: pickled magic number, protocol version and system info; the pickled
  object; the pickled list of storage keys; then, per key, an int64 element
  count and the raw data ([`load_legacy`]).
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ByteStorage": np.uint8,
}

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _StorageType:
    def __init__(self, name):
        self.name = name


def _rebuild_parameter(data, requires_grad=False, hooks=None):
    return data


def _view(base, offset, size, stride):
    """The tensor `size`/`stride` at element `offset` of a flat storage, copied."""
    if not size:
        return base[offset:offset + 1].reshape(()).copy()
    return np.lib.stride_tricks.as_strided(
        base[offset:], shape=tuple(size), strides=[s * base.itemsize for s in stride]
    ).copy()


class _Unpickler(pickle.Unpickler):
    """Unpickles a state dict (or a bare tensor): `storage(dtype, key, numel)`
    gives the object a persistent storage id stands for, `tensor(storage,
    offset, size, stride)` the tensor built on it."""

    def __init__(self, f, storage, tensor):
        super().__init__(f)
        self._storage = storage
        self._tensor = tensor

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return self._rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    def _rebuild_tensor_v2(self, storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
        return self._tensor(storage, offset, size, stride)

    def persistent_load(self, pid):
        if pid[0] != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {pid[0]!r}")
        return self._storage(DTYPES[pid[1].name], pid[2], pid[4])


class _Plain(pickle.Unpickler):
    """Plain values only (the legacy format's header and key list)."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def load_zip(path):
    """The object of a zip-format torch file, its tensors as numpy arrays."""
    with zipfile.ZipFile(path) as z:
        pkl = [n for n in z.namelist() if n.endswith("/data.pkl")]
        if len(pkl) != 1:
            sys.exit(f"{path}: not a zip-format torch file")
        prefix = pkl[0][: -len("data.pkl")]

        def storage(dtype, key, _numel):
            return np.frombuffer(z.read(f"{prefix}data/{key}"), dtype=dtype)

        return _Unpickler(io.BytesIO(z.read(pkl[0])), storage, _view).load()


class _LazyStorage:
    def __init__(self, dtype):
        self.dtype, self.data = dtype, None


def load_legacy(path):
    """The state dict of a legacy (non-zip) torch file, as an OrderedDict of
    numpy arrays. Storages follow the object, so tensors are built after."""
    storages = {}

    def storage(dtype, key, _numel):
        return storages.setdefault(key, _LazyStorage(dtype))

    def tensor(st, offset, size, stride):
        return lambda: _view(st.data, offset, size, stride)

    with open(path, "rb") as f:
        if _Plain(f).load() != LEGACY_MAGIC:
            sys.exit(f"{path}: not a legacy torch file")
        _Plain(f).load()  # protocol version
        _Plain(f).load()  # system info
        obj = _Unpickler(f, storage, tensor).load()
        for key in _Plain(f).load():
            st = storages[key]
            (numel,) = struct.unpack("<q", f.read(8))
            st.data = np.frombuffer(f.read(numel * np.dtype(st.dtype).itemsize), dtype=st.dtype)
    return collections.OrderedDict((name, build()) for name, build in obj.items())


def f32_entries(tensors):
    """(name, "F32", shape, bytes) of each array of a mapping, in its order."""
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr, dtype="<f4")
        yield name, "F32", list(arr.shape), arr.tobytes()


def write_safetensors(path, entries, metadata):
    """Write (name, dtype tag, shape, raw bytes) entries, in the order given,
    as a safetensors file (header padded to 8 bytes), atomically."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)
