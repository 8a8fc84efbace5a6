#!/usr/bin/env python3
"""Extract Silero VAD 16 kHz weights from its ONNX file into safetensors.

Usage: convert_silero_onnx.py MODEL.onnx OUT.safetensors

The ONNX protobuf is read with a small hand-written decoder (numpy and the
standard library only; no `onnx` package). Tensors are renamed to the
PyTorch-style names vidi-speech expects (the same names as the package's
own silero_vad_16k.safetensors, which holds older weights):
stft_conv.weight, conv1..4.{weight,bias}, lstm_cell.{weight,bias}_{ih,hh},
final_conv.{weight,bias}.
"""
import os
import struct
import sys

import numpy as np

from _weights import f32_entries, write_safetensors

RENAME = {
    "stft.forward_basis_buffer": "stft_conv.weight",
    "encoder.0.reparam_conv.weight": "conv1.weight",
    "encoder.0.reparam_conv.bias": "conv1.bias",
    "encoder.1.reparam_conv.weight": "conv2.weight",
    "encoder.1.reparam_conv.bias": "conv2.bias",
    "encoder.2.reparam_conv.weight": "conv3.weight",
    "encoder.2.reparam_conv.bias": "conv3.bias",
    "encoder.3.reparam_conv.weight": "conv4.weight",
    "encoder.3.reparam_conv.bias": "conv4.bias",
    "decoder.rnn.weight_ih": "lstm_cell.weight_ih",
    "decoder.rnn.weight_hh": "lstm_cell.weight_hh",
    "decoder.rnn.bias_ih": "lstm_cell.bias_ih",
    "decoder.rnn.bias_hh": "lstm_cell.bias_hh",
    "decoder.decoder.2.weight": "final_conv.weight",
    "decoder.decoder.2.bias": "final_conv.bias",
}


def varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yield (field number, wire type, value) of one protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = varint(buf, pos)
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield num, wire, val


def tensor(buf):
    """Decode a TensorProto (FLOAT only): (name, array)."""
    dims, name, raw, floats, dtype = [], "", None, [], None
    for num, wire, val in fields(buf):
        if num == 1:
            if wire == 2:  # packed
                p = 0
                while p < len(val):
                    d, p = varint(val, p)
                    dims.append(d)
            else:
                dims.append(val)
        elif num == 2:
            dtype = val
        elif num == 4:
            floats.extend(struct.unpack(f"<{len(val) // 4}f", val) if wire == 2 else struct.unpack("<f", val))
        elif num == 8:
            name = val.decode()
        elif num == 9:
            raw = val
    if dtype != 1:
        return name, None
    arr = np.frombuffer(raw, "<f4") if raw is not None else np.array(floats, "<f4")
    return name, arr.reshape(dims)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = open(sys.argv[1], "rb").read()
    graph = next(val for num, _, val in fields(model) if num == 7)
    found = {}

    def keep(name, arr):
        short = name.split("__")[-1]
        if arr is not None and short in RENAME:
            found[RENAME[short]] = arr

    for num, _, val in fields(graph):
        if num == 5:  # initializer
            keep(*tensor(val))
        elif num == 1:  # node: Constant outputs carry tensors too
            outputs, attr_tensors = [], []
            for n2, _, v2 in fields(val):
                if n2 == 2:
                    outputs.append(v2.decode())
                elif n2 == 5:
                    for n3, _, v3 in fields(v2):
                        if n3 == 5:
                            attr_tensors.append(tensor(v3)[1])
            for out, arr in zip(outputs, attr_tensors):
                keep(out, arr)
    missing = sorted(set(RENAME.values()) - set(found))
    if missing:
        sys.exit(f"tensors not found in {sys.argv[1]}: {missing}")
    write_safetensors(
        sys.argv[2],
        f32_entries({name: found[name] for name in sorted(found)}),
        {"source": os.path.basename(sys.argv[1])},
    )


if __name__ == "__main__":
    main()
