#!/usr/bin/env python3
"""Convert GeoCLIP's heads (PyPI geoclip 1.3.0, MIT) to one safetensors file,
without torch, and write a numpy reference of their forward passes.

Usage: convert_geoclip.py WEIGHTS_DIR GALLERY.csv OUT.safetensors REFERENCE_OUT.json

WEIGHTS_DIR holds the three zip-format torch files of the wheel
(`image_encoder_mlp_weights.pth`, `location_encoder_weights.pth`,
`logit_scale_weights.pth`). A zip-format torch file is a zip archive with
`<prefix>/data.pkl` (the pickled state dict; tensors refer to storages by
persistent id) and `<prefix>/data/<key>` (the raw little-endian storages);
it is read by `_weights.load_zip`.

Tensor names in the output:
  image_mlp.{0,2}.{weight,bias}                       Linear 768->768, ReLU, Linear 768->512
  location.LocEnc{i}.capsule.0.b                      random Fourier matrix (256, 2), i = 0, 1, 2
  location.LocEnc{i}.capsule.{1,3,5}.{weight,bias}    Linear 512->1024, then 1024->1024 twice (ReLU after each)
  location.LocEnc{i}.head.0.{weight,bias}             Linear 1024->512
  logit_scale                                         scalar (the model uses exp(logit_scale))

The reference (float64 numpy, the same formulas as geoclip's torch modules)
gives the location features of fixed points, the image head output of a fixed
synthetic 768-d CLIP embedding (`synthetic_clip`, mirrored by vidi-clues'
tests) and the top-5 of that embedding over the first REF_GALLERY gallery
points, so the Rust implementation can be checked number for number.
"""
import collections
import json
import os
import sys

import numpy as np

from _weights import f32_entries, load_zip, write_safetensors

SIGMAS = [2.0**0, 2.0**4, 2.0**8]
REF_GALLERY = 2048


# ---- numpy reference ---------------------------------------------------

A1, A2, A3, A4, SF = 1.340264, -0.081106, 0.000893, 0.003796, 66.50336


def equal_earth(latlon):
    lat = np.deg2rad(latlon[:, 0])
    lon = np.deg2rad(latlon[:, 1])
    theta = np.arcsin(np.sqrt(3.0) / 2 * np.sin(lat))
    den = 3 * (9 * A4 * theta**8 + 7 * A3 * theta**6 + 3 * A2 * theta**2 + A1)
    x = 2 * np.sqrt(3.0) * lon * np.cos(theta) / den
    y = A4 * theta**9 + A3 * theta**7 + A2 * theta**3 + A1 * theta
    return np.stack([x, y], axis=1) * SF / 180


def relu(x):
    return np.maximum(x, 0)


def linear(t, p, x):
    return x @ t[p + ".weight"].T + t[p + ".bias"]


def location_features(t, latlon):
    v = equal_earth(latlon)
    out = np.zeros((len(latlon), 512))
    for i in range(len(SIGMAS)):
        p = f"location.LocEnc{i}"
        vp = 2 * np.pi * v @ t[p + ".capsule.0.b"].T
        h = np.concatenate([np.cos(vp), np.sin(vp)], axis=1)
        for k in (1, 3, 5):
            h = relu(linear(t, f"{p}.capsule.{k}", h))
        out += linear(t, f"{p}.head.0", h)
    return out


def image_head(t, x):
    return linear(t, "image_mlp.2", relu(linear(t, "image_mlp.0", x)))


def synthetic_clip():
    """768 values: 0.5 * sin(0.37 * i + 0.3) + 0.1 * cos(0.011 * i * i), i = 0..767."""
    i = np.arange(768, dtype=np.float64)
    return 0.5 * np.sin(0.37 * i + 0.3) + 0.1 * np.cos(0.011 * i * i)


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    wdir, gallery_csv, out, ref_out = sys.argv[1:5]
    tensors = collections.OrderedDict()
    for k, v in load_zip(os.path.join(wdir, "image_encoder_mlp_weights.pth")).items():
        tensors["image_mlp." + k] = v
    for k, v in load_zip(os.path.join(wdir, "location_encoder_weights.pth")).items():
        tensors["location." + k] = v
    tensors["logit_scale"] = np.asarray(load_zip(os.path.join(wdir, "logit_scale_weights.pth")), dtype=np.float32)
    write_safetensors(out, f32_entries(tensors), {"source": "geoclip 1.3.0 weights", "format": "pt"})

    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    gallery = np.loadtxt(gallery_csv, delimiter=",", skiprows=1, dtype=np.float64)
    points = np.array([[22.0, -159.5], [48.8566, 2.3522], [-33.8688, 151.2093], [64.1466, -21.9426],
                       [-54.8, -68.3], [35.6762, 139.6503]] + gallery[:2].tolist())
    loc = location_features(t, points)
    img = image_head(t, synthetic_clip())
    scale = float(np.exp(t["logit_scale"]))
    sub = gallery[:REF_GALLERY]
    logits = scale * (unit(location_features(t, sub)) @ unit(img))
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    top = np.argsort(-probs)[:5]
    ref = {
        "computed_with": "numpy float64, the formulas of geoclip 1.3.0's torch modules",
        "points": points.tolist(),
        "location_features": loc.tolist(),
        "synthetic_clip": "0.5 * sin(0.37 * i + 0.3) + 0.1 * cos(0.011 * i * i), i = 0..767",
        "image_head": img.tolist(),
        "logit_scale_exp": scale,
        "gallery_subset": REF_GALLERY,
        "top5_indices": [int(i) for i in top],
        "top5_probabilities": [float(probs[i]) for i in top],
    }
    with open(ref_out + ".tmp", "w") as f:
        json.dump(ref, f)
        f.write("\n")
    os.replace(ref_out + ".tmp", ref_out)


if __name__ == "__main__":
    main()
