#!/usr/bin/env bash
# Install PP-OCR (text detection, direction classifier, recognition) and the
# ONNX Runtime shared library that runs it (crate vidi-ppocr):
#   * PyPI rapidocr_onnxruntime 1.4.4 (Apache-2.0): models/ch_PP-OCRv4_det_infer.onnx,
#     ch_PP-OCRv4_rec_infer.onnx (its character dictionary is in the ONNX metadata,
#     key "character"), ch_ppocr_mobile_v2.0_cls_infer.onnx;
#   * PyPI onnxruntime 1.32.0 (MIT): onnxruntime/capi/libonnxruntime.so.1.32.0.
# Both wheels are fetched with `pip download --no-deps` (by name; a configured
# mirror works offline) and only those files are unzipped. Nothing is
# downloaded at run time; vidi finds the library through the manifest written
# here (or ORT_DYLIB_PATH when set), never by guessing a system path.
# Idempotent: when both manifests exist and every file has its SHA-256, it
# only checks.
#
# Layout (VIDI_MODELS_DIR, default /root/.cache/vidi-models):
#   ocr/ppocr-v4/{det,rec,cls}.onnx + manifest.json      (model "ppocr-v4")
#   runtime/onnxruntime/libonnxruntime.so.1.32.0 + manifest.json (model "onnxruntime")
set -euo pipefail

MODELS_DIR="${VIDI_MODELS_DIR:-/root/.cache/vidi-models}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

RAPIDOCR_VERSION=1.4.4
ORT_VERSION=1.32.0

# Expected SHA-256 of the files taken from the wheels.
SHA_DET=d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
SHA_REC=48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b
SHA_CLS=e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c
SHA_ORT=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f

OCR_DIR="$MODELS_DIR/ocr/ppocr-v4"
RT_DIR="$MODELS_DIR/runtime/onnxruntime"
ORT_LIB="libonnxruntime.so.$ORT_VERSION"

has_sha() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

done_already() {
    [ -s "$OCR_DIR/manifest.json" ] && [ -s "$RT_DIR/manifest.json" ] &&
        has_sha "$OCR_DIR/det.onnx" "$SHA_DET" && has_sha "$OCR_DIR/rec.onnx" "$SHA_REC" &&
        has_sha "$OCR_DIR/cls.onnx" "$SHA_CLS" && has_sha "$RT_DIR/$ORT_LIB" "$SHA_ORT"
}

if done_already; then
    echo "PP-OCR models and ONNX Runtime already installed:"
    echo "  $OCR_DIR/manifest.json"
    echo "  $RT_DIR/manifest.json"
    exit 0
fi

mkdir -p "$OCR_DIR" "$RT_DIR"
VENV="$MODELS_DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
TMPD="$(mktemp -d)"
SPEC="$(mktemp)"
trap 'rm -rf "$TMPD" "$SPEC"' EXIT
# The onnxruntime wheel is platform-specific: the venv's pip picks the one for
# this machine.
"$VENV/bin/pip" download --quiet --no-deps -d "$TMPD" \
    "rapidocr_onnxruntime==$RAPIDOCR_VERSION" "onnxruntime==$ORT_VERSION"

# Unzip the four files (no pip install: only the files are needed), check
# their SHA-256, and read the recognition dictionary from the ONNX metadata
# (a minimal protobuf walk: ModelProto field 14 = metadata_props).
"$VENV/bin/python" - "$TMPD" "$OCR_DIR" "$RT_DIR" "$ORT_LIB" "$SPEC" "$RAPIDOCR_VERSION" "$ORT_VERSION" <<'PY'
import glob, hashlib, json, os, sys, zipfile
tmpd, ocr_dir, rt_dir, ort_lib, spec_path, rv, ov = sys.argv[1:8]

def take(whl_glob, member, dest):
    whl = glob.glob(os.path.join(tmpd, whl_glob))[0]
    with zipfile.ZipFile(whl) as z, open(dest + ".tmp", "wb") as out:
        out.write(z.read(member))
    os.replace(dest + ".tmp", dest)

take("rapidocr_onnxruntime-*.whl", "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx", f"{ocr_dir}/det.onnx")
take("rapidocr_onnxruntime-*.whl", "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx", f"{ocr_dir}/rec.onnx")
take("rapidocr_onnxruntime-*.whl", "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx", f"{ocr_dir}/cls.onnx")
take("onnxruntime-*.whl", f"onnxruntime/capi/{ort_lib}", f"{rt_dir}/{ort_lib}")

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, t = key >> 3, key & 7
        if t == 0:
            v, i = varint(b, i)
        elif t == 1:
            v, i = b[i:i + 8], i + 8
        elif t == 5:
            v, i = b[i:i + 4], i + 4
        elif t == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise SystemExit(f"unexpected protobuf wire type {t}")
        yield f, v

meta = {}
for f, v in fields(open(f"{ocr_dir}/rec.onnx", "rb").read()):
    if f == 14:
        kv = dict(fields(v))
        meta[kv.get(1, b"").decode()] = kv.get(2, b"").decode()
chars = meta["character"].split("\n")
if len(chars) < 1000:
    raise SystemExit("recognition dictionary not found in rec.onnx metadata")

ocr = {
    "format": "vidi-model-manifest/1",
    "name": "ppocr-v4",
    "task": "ocr",
    "architecture": "pp-ocrv4 (DB detection, mobile v2.0 direction classifier, SVTR-LCNet CTC recognition)",
    "files": [
        {"role": "detection", "path": "det.onnx", "format": "onnx", "upstream": "ch_PP-OCRv4_det_infer.onnx"},
        {"role": "recognition", "path": "rec.onnx", "format": "onnx", "upstream": "ch_PP-OCRv4_rec_infer.onnx",
         "dictionary": "ONNX metadata key \"character\"; class 0 = CTC blank, last class = space"},
        {"role": "direction", "path": "cls.onnx", "format": "onnx", "upstream": "ch_ppocr_mobile_v2.0_cls_infer.onnx"},
    ],
    "input": {
        "detection": {"layout": "NCHW", "channels": "RGB", "scale": 1.0 / 255.0, "mean": [0.5, 0.5, 0.5],
                      "std": [0.5, 0.5, 0.5], "size": "multiple of 32", "output": "probability map N,1,H,W"},
        "recognition": {"layout": "NCHW", "channels": "RGB", "height": 48, "width": "variable (320 nominal)",
                        "scale": 1.0 / 255.0, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                        "output": "softmax N,T,6625"},
        "direction": {"layout": "NCHW", "channels": "RGB", "height": 48, "width": 192, "labels": ["0", "180"]},
    },
    "labels": chars,
    "licence": "Apache-2.0 (PaddleOCR models, RapidOCR package)",
    "source": {"registry": "pypi", "packages": ["rapidocr_onnxruntime"], "version": rv,
               "files": "rapidocr_onnxruntime/models/*.onnx",
               "upstream": "PaddlePaddle/PaddleOCR PP-OCRv4 (Chinese and Latin; no Hangul, five kana)"},
}
rt = {
    "format": "vidi-model-manifest/1",
    "name": "onnxruntime",
    "task": "runtime",
    "architecture": "onnxruntime shared library (CPU)",
    "files": [{"role": "library", "path": ort_lib, "format": "ELF shared object, linux x86_64"}],
    "input": {},
    "labels": [],
    "licence": "MIT",
    "source": {"registry": "pypi", "packages": ["onnxruntime"], "version": ov,
               "file": f"onnxruntime/capi/{ort_lib}"},
}
json.dump({"ocr": ocr, "rt": rt}, open(spec_path, "w"), ensure_ascii=False)
PY

for pair in "det.onnx:$SHA_DET" "rec.onnx:$SHA_REC" "cls.onnx:$SHA_CLS"; do
    has_sha "$OCR_DIR/${pair%%:*}" "${pair#*:}" || { echo "SHA-256 of ${pair%%:*} differs from the expected one" >&2; exit 1; }
done
has_sha "$RT_DIR/$ORT_LIB" "$SHA_ORT" || { echo "SHA-256 of $ORT_LIB differs from the expected one" >&2; exit 1; }

"$VENV/bin/python" - "$SPEC" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
json.dump(s["ocr"], open(sys.argv[1] + ".ocr", "w"), ensure_ascii=False)
json.dump(s["rt"], open(sys.argv[1] + ".rt", "w"), ensure_ascii=False)
PY
# Manifests last: their presence marks a complete install.
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC.ocr" "$OCR_DIR/manifest.json"
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC.rt" "$RT_DIR/manifest.json"
rm -f "$SPEC.ocr" "$SPEC.rt"

echo "PP-OCR models and ONNX Runtime installed:"
echo "  $OCR_DIR/manifest.json"
echo "  $RT_DIR/manifest.json"
