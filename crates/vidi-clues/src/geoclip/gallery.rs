//! The GPS gallery: positions, their unit location embeddings, and the
//! on-disk cache of those embeddings.

use std::io::{Read, Write};
use std::path::Path;

use vidi_types::Cancel;

use super::{GeoClipError, GeoClipHeads, MAX_GALLERY, SHARED_DIM, io};

const CACHE_MAGIC: &[u8; 8] = b"VGCGAL01";

pub(super) fn normalise_rows(v: &mut [f32], dim: usize) {
    for row in v.chunks_exact_mut(dim) {
        let n = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            for x in row {
                *x /= n;
            }
        }
    }
}

/// Read a `LAT,LON` gallery CSV (header line first).
pub fn read_gallery_csv(path: &Path) -> Result<Vec<(f64, f64)>, GeoClipError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if i == 0 || line.is_empty() {
            continue;
        }
        let bad = || GeoClipError::Gallery {
            path: path.to_path_buf(),
            line: i + 1,
        };
        let (a, b) = line.split_once(',').ok_or_else(bad)?;
        let lat: f64 = a.trim().parse().map_err(|_| bad())?;
        let lon: f64 = b.trim().parse().map_err(|_| bad())?;
        if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            return Err(bad());
        }
        out.push((lat, lon));
        if out.len() > MAX_GALLERY {
            break;
        }
    }
    if out.is_empty() || out.len() > MAX_GALLERY {
        return Err(GeoClipError::GallerySize {
            path: path.to_path_buf(),
            points: out.len(),
        });
    }
    Ok(out)
}

/// GPS positions and their unit location embeddings.
#[derive(Debug, Clone)]
pub struct Gallery {
    points: Vec<(f64, f64)>,
    /// `points.len() x SHARED_DIM`, rows L2-normalised.
    pub(super) embeddings: Vec<f32>,
}

/// Points encoded per batch when building a gallery.
const BUILD_BATCH: usize = 256;

impl Gallery {
    /// Encode `points` with `threads` threads (at least one), checking
    /// `cancel` between batches.
    pub fn build(
        heads: &GeoClipHeads,
        points: Vec<(f64, f64)>,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<Gallery, GeoClipError> {
        let started = std::time::Instant::now();
        let mut embeddings = vec![0.0f32; points.len() * SHARED_DIM];
        let threads = threads.max(1);
        let per = points.len().div_ceil(threads).max(1);
        let results: Vec<Result<(), GeoClipError>> = std::thread::scope(|s| {
            let handles: Vec<_> = points
                .chunks(per)
                .zip(embeddings.chunks_mut(per * SHARED_DIM))
                .map(|(pts, out)| {
                    s.spawn(move || {
                        for (p, o) in pts
                            .chunks(BUILD_BATCH)
                            .zip(out.chunks_mut(BUILD_BATCH * SHARED_DIM))
                        {
                            if cancel.is_cancelled() {
                                return Err(GeoClipError::Cancelled);
                            }
                            o.copy_from_slice(&heads.location_features(p));
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(Err(GeoClipError::Cancelled)))
                .collect()
        });
        for r in results {
            r?;
        }
        normalise_rows(&mut embeddings, SHARED_DIM);
        tracing::debug!(
            points = points.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "GeoCLIP gallery encoded"
        );
        Ok(Gallery { points, embeddings })
    }

    /// The gallery of an installed [`GEOCLIP_MODEL`]: read from
    /// `cache_dir` when a cache for this model's content is there, else
    /// built and written there (a failed write only costs a rebuild next
    /// time).
    pub fn load_or_build(
        heads: &GeoClipHeads,
        model: &vidi_models::Model,
        cache_dir: &Path,
        cancel: &Cancel,
    ) -> Result<Gallery, GeoClipError> {
        let csv = model
            .file("gallery")
            .ok_or_else(|| GeoClipError::MissingFile {
                model: model.name.clone(),
                role: "gallery",
            })?;
        let points = read_gallery_csv(&csv)?;
        let sha = model.content_sha256();
        let cache = cache_dir.join(format!("geoclip-gallery-{}.bin", &sha[..16]));
        match read_cache(&cache, &sha, points.len()) {
            Ok(Some(embeddings)) => return Ok(Gallery { points, embeddings }),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "GeoCLIP gallery cache unreadable, rebuilding"),
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let g = Gallery::build(heads, points, threads, cancel)?;
        if let Err(e) = write_cache(&cache, &sha, &g.embeddings) {
            tracing::warn!(error = %e, "GeoCLIP gallery cache not written");
        }
        Ok(g)
    }

    /// Number of positions.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The positions.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// The unit embedding of position `i`.
    pub fn embedding(&self, i: usize) -> Option<&[f32]> {
        self.embeddings.get(i * SHARED_DIM..(i + 1) * SHARED_DIM)
    }
}

fn read_cache(path: &Path, sha: &str, n: usize) -> Result<Option<Vec<f32>>, GeoClipError> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let mut head = [0u8; 8 + 64 + 16];
    f.read_exact(&mut head).map_err(io(path))?;
    let count = u64::from_le_bytes(head[72..80].try_into().unwrap_or_default());
    let dim = u64::from_le_bytes(head[80..88].try_into().unwrap_or_default());
    if &head[..8] != CACHE_MAGIC
        || &head[8..72] != sha.as_bytes()
        || count != n as u64
        || dim != SHARED_DIM as u64
    {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(n * SHARED_DIM * 4);
    f.take((n * SHARED_DIM * 4) as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() != n * SHARED_DIM * 4 {
        return Ok(None);
    }
    Ok(Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    ))
}

fn write_cache(path: &Path, sha: &str, emb: &[f32]) -> Result<(), GeoClipError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io(&tmp))?);
    let mut head = Vec::with_capacity(88);
    head.extend_from_slice(CACHE_MAGIC);
    head.extend_from_slice(sha.as_bytes());
    head.extend_from_slice(&((emb.len() / SHARED_DIM) as u64).to_le_bytes());
    head.extend_from_slice(&(SHARED_DIM as u64).to_le_bytes());
    f.write_all(&head).map_err(io(&tmp))?;
    for v in emb {
        f.write_all(&v.to_le_bytes()).map_err(io(&tmp))?;
    }
    f.into_inner()
        .map_err(|e| io(&tmp)(e.into_error()))?
        .sync_all()
        .map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallery_csv_errors_are_typed() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("g.csv");
        std::fs::write(&p, "LAT,LON\n10.5,20.25\n-3,4\n").unwrap();
        assert_eq!(
            read_gallery_csv(&p).unwrap(),
            vec![(10.5, 20.25), (-3.0, 4.0)]
        );
        std::fs::write(&p, "LAT,LON\n10.5;20\n").unwrap();
        assert!(matches!(
            read_gallery_csv(&p),
            Err(GeoClipError::Gallery { line: 2, .. })
        ));
        std::fs::write(&p, "LAT,LON\n91,0\n").unwrap();
        assert!(read_gallery_csv(&p).is_err());
        std::fs::write(&p, "LAT,LON\n").unwrap();
        assert!(matches!(
            read_gallery_csv(&p),
            Err(GeoClipError::GallerySize { points: 0, .. })
        ));
    }

    #[test]
    fn cache_round_trip_and_mismatch() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub").join("c.bin");
        let sha = "a".repeat(64);
        let emb: Vec<f32> = (0..2 * SHARED_DIM).map(|i| i as f32 * 0.5).collect();
        write_cache(&p, &sha, &emb).unwrap();
        assert_eq!(read_cache(&p, &sha, 2).unwrap().unwrap(), emb);
        assert!(read_cache(&p, &sha, 3).unwrap().is_none());
        assert!(read_cache(&p, &"b".repeat(64), 2).unwrap().is_none());
        assert!(
            read_cache(&d.path().join("none"), &sha, 2)
                .unwrap()
                .is_none()
        );
    }
}
