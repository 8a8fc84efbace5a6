#!/usr/bin/env python3
"""Convert torchvision's ImageNet MobileNetV2 weights (a legacy, non-zip torch
pickle, `mobilenet_v2-b0353104.pth`) to safetensors (f32), without torch.

Usage: convert_mobilenet.py IN.pth OUT.safetensors [REFERENCE_OUT.json]

The legacy format is: pickled magic number, protocol version and system info;
the pickled object (tensors refer to storages by persistent id); the pickled
list of storage keys; then for each key, an int64 element count followed by
the raw little-endian data (read by `_weights.load_legacy`). Only numpy and the
stdlib are used.

With REFERENCE_OUT.json, a numpy forward pass of the network on a fixed
synthetic input (defined in `reference_input`, mirrored by vidi-embed's
tests) is written: the 1280-d pooled features (first 16 values and the L2
norm) and the top-5 ImageNet logits, so the Rust forward pass can be checked.
"""
import collections
import json
import sys

import numpy as np

from _weights import f32_entries, load_legacy, write_safetensors

# ---- numpy reference forward pass --------------------------------------

SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def reference_input():
    """224x224 RGB u8, the same formula as vidi-embed's test `reference_rgb`."""
    y, x = np.mgrid[0:224, 0:224]
    r = (x * 255) // 223
    g = (y * 255) // 223
    b = ((x * 7 + y * 13) % 256)
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def conv(x, w, stride, groups):
    cin, h, wd = x.shape
    cout, cpg, kh, kw = w.shape
    pad = kh // 2
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((cout, oh, ow), dtype=np.float64)
    opg = cout // groups
    for g in range(groups):
        xs = xp[g * cpg:(g + 1) * cpg]
        ws = w[g * opg:(g + 1) * opg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, i:i + stride * oh:stride, j:j + stride * ow:stride]
                out[g * opg:(g + 1) * opg] += np.einsum("oc,chw->ohw", ws[:, :, i, j], patch)
    return out


def bn(x, t, p):
    s = t[p + ".weight"] / np.sqrt(t[p + ".running_var"] + 1e-5)
    return (x - t[p + ".running_mean"][:, None, None]) * s[:, None, None] + t[p + ".bias"][:, None, None]


def relu6(x):
    return np.clip(x, 0, 6)


def forward(t, rgb):
    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])
    x = ((rgb.astype(np.float64) / 255.0 - mean) / std).transpose(2, 0, 1)
    t = {k: v.astype(np.float64) for k, v in t.items()}
    x = relu6(bn(conv(x, t["features.0.0.weight"], 2, 1), t, "features.0.1"))
    cin = 32
    idx = 1
    for tt, c, n, s in SETTINGS:
        for i in range(n):
            stride = s if i == 0 else 1
            p = f"features.{idx}.conv"
            h = x
            if tt != 1:
                h = relu6(bn(conv(h, t[p + ".0.0.weight"], 1, 1), t, p + ".0.1"))
                dw, pw, pbn = p + ".1", p + ".2", p + ".3"
            else:
                dw, pw, pbn = p + ".0", p + ".1", p + ".2"
            hid = h.shape[0]
            h = relu6(bn(conv(h, t[dw + ".0.weight"], stride, hid), t, dw + ".1"))
            h = bn(conv(h, t[pw + ".weight"], 1, 1), t, pbn)
            x = x + h if (stride == 1 and cin == c) else h
            cin = c
            idx += 1
    x = relu6(bn(conv(x, t["features.18.0.weight"], 1, 1), t, "features.18.1"))
    pooled = x.mean(axis=(1, 2))
    logits = t["classifier.1.weight"] @ pooled + t["classifier.1.bias"]
    return pooled, logits


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    tensors = load_legacy(sys.argv[1])
    tensors = collections.OrderedDict(
        (k, v) for k, v in tensors.items() if not k.endswith("num_batches_tracked")
    )
    write_safetensors(sys.argv[2], f32_entries(tensors), {"source": "torchvision mobilenet_v2-b0353104.pth", "format": "pt"})
    if len(sys.argv) == 4:
        pooled, logits = forward(tensors, reference_input())
        top = np.argsort(-logits)[:5]
        ref = {
            "input": "reference_input(): r = x*255//223, g = y*255//223, b = (7x+13y) % 256, 224x224",
            "pooled_first16": [float(v) for v in pooled[:16]],
            "pooled_l2": float(np.linalg.norm(pooled)),
            "top5": [int(i) for i in top],
            "top5_logits": [float(logits[i]) for i in top],
        }
        with open(sys.argv[3], "w") as f:
            json.dump(ref, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
