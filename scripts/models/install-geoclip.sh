#!/usr/bin/env bash
# Install GeoCLIP's geolocation heads (MIT) from PyPI geoclip 1.3.0:
#   * the image head MLP (768 -> 768 -> 512), the location encoder (random
#     Fourier features at scales 1, 16 and 256 of the Equal Earth projection,
#     each followed by an MLP to 512) and the logit scale, converted from the
#     wheel's zip-format torch files to one safetensors file (no torch needed);
#   * the 100K GPS gallery (gps_gallery/coordinates_100K.csv, LAT,LON);
#   * reference.json: a numpy forward pass on fixed inputs (vidi-clues' tests
#     compare the Rust implementation against it).
# The CLIP ViT-L/14 image backbone GeoCLIP needs is NOT in the wheel (1.7 GB,
# hub only): the user adds it as model `clip-vit-large-patch14` with
# `vidi models add` (see docs/accuracy.md, scene section). Until then the
# `geoclip` extractor says that its backbone is missing and does not run.
# Packages are fetched by name with pip (a configured mirror works offline).
# Nothing is downloaded at run time. Idempotent: a second run only checks.
#
# Layout (VIDI_MODELS_DIR, default /root/.cache/vidi-models):
#   vision/geoclip/model.safetensors + gallery.csv + reference.json + manifest.json
set -euo pipefail

MODELS_DIR="${VIDI_MODELS_DIR:-/root/.cache/vidi-models}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

GEOCLIP_VERSION=1.3.0
NUMPY_SPEC="numpy>=1.24"

# Bump when the produced files change, to force a re-conversion.
INSTALL_VERSION=1
GC_DIR="$MODELS_DIR/vision/geoclip"
STAMP="$GC_DIR/.install-version"

if [ -s "$GC_DIR/manifest.json" ] && [ -s "$GC_DIR/model.safetensors" ] &&
    [ "$(cat "$STAMP" 2>/dev/null)" = "$INSTALL_VERSION" ]; then
    echo "geoclip heads already installed:"
    echo "  $GC_DIR/manifest.json"
    exit 0
fi

mkdir -p "$GC_DIR"
VENV="$MODELS_DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -c "import numpy" 2>/dev/null || "$VENV/bin/pip" install --quiet "$NUMPY_SPEC"

TMPD="$(mktemp -d)"
SPEC="$(mktemp)"
trap 'rm -rf "$TMPD" "$SPEC"' EXIT
# Only the wheel's data files are used: its Python code needs torch and
# transformers, which vidi does not.
"$VENV/bin/pip" download --quiet --no-deps -d "$TMPD" "geoclip==$GEOCLIP_VERSION"
"$VENV/bin/python" - "$TMPD" <<'PY'
import glob, sys, zipfile
d = sys.argv[1]
whl = glob.glob(d + "/geoclip-*.whl")[0]
with zipfile.ZipFile(whl) as z:
    for name in ["image_encoder_mlp_weights.pth", "location_encoder_weights.pth", "logit_scale_weights.pth"]:
        open(f"{d}/{name}", "wb").write(z.read("geoclip/model/weights/" + name))
    open(f"{d}/coordinates_100K.csv", "wb").write(z.read("geoclip/model/gps_gallery/coordinates_100K.csv"))
    open(f"{d}/LICENSE", "wb").write(z.read(f"geoclip-{whl.split('-')[-4]}.dist-info/licenses/LICENSE"))
PY
cp "$TMPD/coordinates_100K.csv" "$GC_DIR/gallery.csv.tmp" && mv "$GC_DIR/gallery.csv.tmp" "$GC_DIR/gallery.csv"
cp "$TMPD/LICENSE" "$GC_DIR/LICENSE"
"$VENV/bin/python" "$HERE/convert_geoclip.py" "$TMPD" "$GC_DIR/gallery.csv" \
    "$GC_DIR/model.safetensors" "$GC_DIR/reference.json"

"$VENV/bin/python" - "$SPEC" "$GEOCLIP_VERSION" <<'PY'
import json, sys
out, version = sys.argv[1:3]
spec = {
    "format": "vidi-model-manifest/1",
    "name": "geoclip-heads",
    "task": "image-geolocation",
    "architecture": "geoclip",
    "files": [
        {"role": "weights", "path": "model.safetensors",
         "format": "safetensors f32: image_mlp.*, location.LocEnc{0,1,2}.*, logit_scale"},
        {"role": "gallery", "path": "gallery.csv", "format": "CSV LAT,LON, 100,000 rows"},
        {"role": "reference", "path": "reference.json", "format": "numpy reference forward pass on fixed inputs"},
        {"role": "licence", "path": "LICENSE", "format": "text"},
    ],
    "input": {"embedding": "image_embeds of the backbone (CLIPModel.get_image_features: projected, not normalised)",
              "dim": 768},
    "backbone": "clip-vit-large-patch14",
    "dims": {"image": 768, "shared": 512, "rff": 256, "hidden": 1024},
    "sigmas": [1.0, 16.0, 256.0],
    "licence": "MIT (GeoCLIP, Vicente Vivanco Cepeda et al.)",
    "source": {"registry": "pypi", "packages": ["geoclip"], "version": version,
               "files": "geoclip/model/weights/*.pth, geoclip/model/gps_gallery/coordinates_100K.csv",
               "converter": "scripts/models/convert_geoclip.py"},
}
json.dump(spec, open(out, "w"))
PY
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC" "$GC_DIR/manifest.json.new"
mv "$GC_DIR/manifest.json.new" "$GC_DIR/manifest.json"
echo "$INSTALL_VERSION" > "$STAMP"

echo "geoclip heads installed:"
echo "  $GC_DIR/manifest.json"
