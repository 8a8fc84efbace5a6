//! The speech models' manifests, read with [`vidi_models::Manifest`] (the
//! one manifest type): what this crate needs on top is the folder, the
//! weights file that must exist, the Whisper-only keys (`dims`, `tokens`,
//! `label_token_ids`, kept by `vidi_models` in `extra`) and a checksum
//! pass that reports the first bad file as a [`SpeechError`].

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use vidi_models::{Manifest, Model};

use crate::error::SpeechError;

/// Reads the manifest at `path` (its folder holds the files).
pub(crate) fn read(path: &Path) -> Result<Model, SpeechError> {
    let manifest = Manifest::read(path)?;
    Ok(Model {
        manifest,
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    })
}

/// The path of the model's file with `role`, which must exist.
pub(crate) fn file(model: &Model, role: &str, manifest: &Path) -> Result<PathBuf, SpeechError> {
    let path = model.file(role).ok_or_else(|| SpeechError::ModelFormat {
        path: manifest.to_path_buf(),
        reason: "manifest lists no weights file",
    })?;
    if !path.exists() {
        return Err(SpeechError::ModelMissing { path });
    }
    Ok(path)
}

/// A model-specific key of the manifest (`null` when absent), as `T`.
pub(crate) fn extra<T: DeserializeOwned>(
    model: &Model,
    key: &str,
    manifest: &Path,
) -> Result<T, SpeechError> {
    let value = model
        .manifest
        .extra
        .get(key)
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    serde_json::from_value(value).map_err(|source| SpeechError::ModelJson {
        path: manifest.to_path_buf(),
        source,
    })
}

/// Recomputes the SHA-256 of every listed file and compares.
pub(crate) fn verify(model: &Model) -> Result<(), SpeechError> {
    for f in &model.manifest.files {
        let path = model.dir.join(&f.path);
        let (sha, _) = vidi_models::file_sha256(&path)?;
        if !sha.eq_ignore_ascii_case(&f.sha256) {
            return Err(SpeechError::Checksum { path });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, weights: &[u8], sha: &str) -> PathBuf {
        std::fs::write(dir.join("w.bin"), weights).unwrap();
        let m = serde_json::json!({
            "format": vidi_models::FORMAT, "name": "whisper-test", "task": "t",
            "architecture": "whisper",
            "files": [{"role": "weights", "path": "w.bin", "bytes": weights.len(), "sha256": sha}],
            "labels": ["en"], "label_token_ids": [7], "tokens": {"start_of_transcript": 3},
            "licence": "MIT", "source": {"registry": "user"}
        });
        let p = dir.join("manifest.json");
        std::fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
        p
    }

    #[test]
    fn reads_extra_keys_and_verifies() {
        let tmp = tempfile::tempdir().unwrap();
        let (sha, _) = {
            std::fs::write(tmp.path().join("w.bin"), b"abc").unwrap();
            vidi_models::file_sha256(&tmp.path().join("w.bin")).unwrap()
        };
        let p = write(tmp.path(), b"abc", &sha.to_ascii_uppercase());
        let m = read(&p).unwrap();
        assert_eq!(m.dir, tmp.path());
        assert_eq!(extra::<Vec<usize>>(&m, "label_token_ids", &p).unwrap(), [7]);
        assert_eq!(extra::<Option<Vec<usize>>>(&m, "absent", &p).unwrap(), None);
        assert!(matches!(
            extra::<Vec<usize>>(&m, "tokens", &p),
            Err(SpeechError::ModelJson { .. })
        ));
        assert_eq!(file(&m, "weights", &p).unwrap(), tmp.path().join("w.bin"));
        assert!(matches!(
            file(&m, "vocabulary", &p),
            Err(SpeechError::ModelFormat { .. })
        ));
        verify(&m).unwrap();

        std::fs::write(tmp.path().join("w.bin"), b"abd").unwrap();
        assert!(matches!(verify(&m), Err(SpeechError::Checksum { .. })));
        std::fs::remove_file(tmp.path().join("w.bin")).unwrap();
        assert!(verify(&m).unwrap_err().is_model_missing());
        assert!(matches!(
            file(&m, "weights", &p),
            Err(SpeechError::ModelMissing { .. })
        ));
    }

    #[test]
    fn bad_manifests_are_typed_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), b"x", "00");
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        v["format"] = "other/2".into();
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        assert!(matches!(read(&p), Err(SpeechError::Manifest(_))));
        std::fs::write(&p, b"{").unwrap();
        assert!(matches!(read(&p), Err(SpeechError::ModelJson { .. })));
        assert!(
            read(&tmp.path().join("none.json"))
                .unwrap_err()
                .is_model_missing()
        );
    }
}
