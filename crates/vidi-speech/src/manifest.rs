//! Model manifests: the JSON file next to converted weights that names the
//! files (with SHA-256), the task, the input spec, the labels, the licence
//! and the source package. Written by `scripts/models/install-speech.sh`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SpeechError;

/// One file listed by a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// What the file is for (`weights`).
    pub role: String,
    /// Path relative to the manifest's folder.
    pub path: String,
    /// Size in bytes.
    #[serde(default)]
    pub bytes: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// Source of the model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// Registry (`pypi`).
    pub registry: String,
    /// Package names.
    pub packages: Vec<String>,
    /// Package version.
    pub version: String,
}

/// A model manifest (format `vidi-model-manifest/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelManifest {
    /// Format tag, `vidi-model-manifest/1`.
    pub format: String,
    /// Model name, e.g. `whisper-base`.
    pub name: String,
    /// Task, e.g. `spoken-language-identification`.
    pub task: String,
    /// Network architecture, e.g. `whisper` or `silero-vad-v5`.
    pub architecture: String,
    /// The files, with hashes.
    pub files: Vec<ManifestFile>,
    /// Input specification (free-form JSON object).
    pub input: serde_json::Value,
    /// Output labels (language codes for Whisper).
    pub labels: Vec<String>,
    /// Token id of each label (Whisper only).
    #[serde(default)]
    pub label_token_ids: Vec<usize>,
    /// Special token ids (Whisper only).
    #[serde(default)]
    pub tokens: serde_json::Value,
    /// Architecture sizes (Whisper only).
    #[serde(default)]
    pub dims: serde_json::Value,
    /// Licence of the weights.
    pub licence: String,
    /// Where the files came from.
    pub source: ManifestSource,
    /// The folder holding the manifest (not serialised).
    #[serde(skip)]
    pub dir: PathBuf,
}

impl ModelManifest {
    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Self, SpeechError> {
        let text = std::fs::read(path).map_err(|source| SpeechError::from_io(path, source))?;
        let mut m: Self =
            serde_json::from_slice(&text).map_err(|source| SpeechError::ModelJson {
                path: path.to_path_buf(),
                source,
            })?;
        m.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(m)
    }

    /// The path of the file with `role`.
    pub fn file(
        &self,
        role: &str,
        manifest: &Path,
    ) -> Result<(PathBuf, &ManifestFile), SpeechError> {
        let f =
            self.files
                .iter()
                .find(|f| f.role == role)
                .ok_or_else(|| SpeechError::ModelFormat {
                    path: manifest.to_path_buf(),
                    reason: "manifest lists no weights file",
                })?;
        let path = self.dir.join(&f.path);
        if !path.exists() {
            return Err(SpeechError::ModelMissing { path });
        }
        Ok((path, f))
    }

    /// Recomputes the SHA-256 of every listed file and compares.
    pub fn verify(&self) -> Result<(), SpeechError> {
        for f in &self.files {
            let path = self.dir.join(&f.path);
            let mut file =
                std::fs::File::open(&path).map_err(|source| SpeechError::from_io(&path, source))?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = file
                    .read(&mut buf)
                    .map_err(|source| SpeechError::from_io(&path, source))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            if hex::encode(hasher.finalize()) != f.sha256.to_ascii_lowercase() {
                return Err(SpeechError::Checksum { path });
            }
        }
        Ok(())
    }
}
