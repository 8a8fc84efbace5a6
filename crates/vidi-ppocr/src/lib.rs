//! PP-OCR on ONNX Runtime (placeholder: filled in by the ppocr work).
#![warn(missing_docs)]
