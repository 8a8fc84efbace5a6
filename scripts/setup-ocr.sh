#!/usr/bin/env bash
# Debian packages vidi-ocr needs to build (libtesseract to link against) and
# to run and test (traineddata for every language vidi reads, plus OSD).
# Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
  libtesseract-dev            # libtesseract.so + capi.h (linked by crates/vidi-ocr; no bindgen/libclang needed)
  tesseract-ocr-osd           # orientation and script detection
  tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-nld tesseract-ocr-deu
  tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-pol
  tesseract-ocr-rus tesseract-ocr-ara tesseract-ocr-tha
  tesseract-ocr-chi-sim tesseract-ocr-jpn tesseract-ocr-kor   # CJK passes next to PP-OCR (Hangul, kana)
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk   # synthetic signs in the tests and benches
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
