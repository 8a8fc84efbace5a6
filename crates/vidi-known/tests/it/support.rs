//! Shared fixtures: synthetic textured images, an ingested workspace.

use std::path::{Path, PathBuf};

use vidi_pipeline::{IngestConfig, NoProgress};
use vidi_store::{Store, Workspace};
use vidi_types::{Cancel, MediaRecord};

/// A 256x256 grey image of random 16x16 blocks (PDQ quality 100), seeded.
pub(crate) fn textured(seed: u64) -> image::GrayImage {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut blocks = [0u8; 256];
    for b in &mut blocks {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *b = (state >> 56) as u8;
    }
    image::GrayImage::from_fn(256, 256, |x, y| {
        image::Luma([blocks[((y / 16) * 16 + x / 16) as usize]])
    })
}

/// A workspace with one case `BE-1` (agency BE) of images `a.png` .. and a
/// mirrored copy of `a`, a flat image (PDQ quality 0); ingested with
/// dihedral hashes.
pub(crate) struct Fixture {
    pub(crate) _tmp: tempfile::TempDir,
    pub(crate) ws: Workspace,
    pub(crate) data: PathBuf,
}

pub(crate) const NAMES: [&str; 4] = ["a", "b", "c", "d"];

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        for (i, name) in NAMES.iter().enumerate() {
            textured(i as u64 + 1)
                .save(data.join(format!("{name}.png")))
                .unwrap();
        }
        image::imageops::flip_horizontal(&textured(1))
            .save(data.join("a-mirrored.png"))
            .unwrap();
        image::GrayImage::from_pixel(64, 64, image::Luma([128]))
            .save(data.join("flat.png"))
            .unwrap();
        let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
        let f = Fixture {
            _tmp: tmp,
            ws,
            data,
        };
        f.ingest(&f.data.clone(), "BE-1", "BE");
        f
    }

    pub(crate) fn ingest(&self, root: &Path, case: &str, agency: &str) {
        let mut config = IngestConfig::new(vec![root.to_path_buf()], case, agency);
        config.dihedral = true;
        config.thumbnails = false;
        config.threads = 1;
        vidi_pipeline::ingest(&self.ws, &config, &NoProgress, &Cancel::new()).unwrap();
    }

    /// The stored media of a file of the data folder.
    pub(crate) fn media(&self, file: &str) -> MediaRecord {
        let store = Store::open(&self.ws).unwrap();
        let rows = store.list_evidence(None).unwrap();
        rows.into_iter()
            .find(|r| r.item.path.ends_with(&format!("/{file}")))
            .and_then(|r| r.media)
            .unwrap_or_else(|| panic!("{file} not ingested"))
    }

    /// Write a file in the temp folder and return its path.
    pub(crate) fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.data.parent().unwrap().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }
}
