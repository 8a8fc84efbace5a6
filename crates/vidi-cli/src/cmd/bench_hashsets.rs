//! `vidi bench hashset-import`: generate a hash list of N entries (streamed
//! to disk, deterministic), import it into a fresh workspace, report
//! entries/s and the peak memory of the process.

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use vidi_hashsets::{Category, HashEntry, Md5, PdqHash, Scheme, Sha1, VicsDocument, VicsVersion};
use vidi_known::{ImportOptions, NoImportProgress};
use vidi_store::Workspace;

use crate::args::BenchHashsetImportArgs;
use crate::output;

/// xorshift64*: a fast deterministic generator for synthetic hashes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn fill(&mut self, out: &mut [u8]) {
        for c in out.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }
}

fn hex(b: &[u8], out: &mut String) {
    const H: &[u8; 16] = b"0123456789abcdef";
    for x in b {
        out.push(H[(x >> 4) as usize] as char);
        out.push(H[(x & 15) as usize] as char);
    }
}

fn generate(path: &std::path::Path, format: &str, n: u64) -> anyhow::Result<()> {
    let f =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::with_capacity(256);
    let mut md5 = [0u8; 16];
    let mut sha1 = [0u8; 20];
    match format {
        "plain" => {
            for _ in 0..n {
                rng.fill(&mut md5);
                line.clear();
                hex(&md5, &mut line);
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
        }
        "nsrl2" => {
            w.write_all(b"\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n")?;
            for i in 0..n {
                rng.fill(&mut md5);
                rng.fill(&mut sha1);
                line.clear();
                line.push('"');
                hex(&sha1, &mut line);
                line.push_str("\",\"");
                hex(&md5, &mut line);
                line.push_str(&format!(
                    "\",\"00000000\",\"file{i}.dll\",{},{},\"WIN\",\"\"\n",
                    rng.next() % 1_000_000,
                    i % 5000
                ));
                w.write_all(line.to_ascii_uppercase().as_bytes())?;
            }
        }
        "vics" => {
            let mut vw =
                vidi_hashsets::VicsWriter::new(w, VicsVersion::V2_0, VicsDocument::HashSet)?;
            let mut pdq = [0u8; 32];
            for i in 0..n {
                rng.fill(&mut md5);
                rng.fill(&mut sha1);
                rng.fill(&mut pdq);
                vw.write(&HashEntry {
                    md5: Some(Md5(md5)),
                    sha1: Some(Sha1(sha1)),
                    pdq: Some(PdqHash(pdq)),
                    pdq_quality: Some(100),
                    categories: vec![Category::new(Scheme::Vics20, (i % 6).to_string())],
                    size: Some(rng.next() % 10_000_000),
                    ..HashEntry::default()
                })?;
            }
            vw.finish()?.flush()?;
            return Ok(());
        }
        other => bail!("unknown format {other:?} (plain, nsrl2, vics)"),
    }
    w.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct Report {
    format: String,
    entries: u64,
    file_bytes: u64,
    generate_s: f64,
    import_s: f64,
    entries_per_s: f64,
    rejected: u64,
    peak_rss_mib: f64,
}

pub(crate) fn run(
    a: &BenchHashsetImportArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let dir = a.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let list = dir.join(format!("bench-{}-{}.list", a.format, a.entries));
    let started = Instant::now();
    if !list.exists() {
        generate(&list, &a.format, a.entries)?;
    }
    let generate_s = started.elapsed().as_secs_f64();
    let ws_dir = dir.join("bench-ws");
    if ws_dir.exists() {
        std::fs::remove_dir_all(&ws_dir)?;
    }
    let ws = Workspace::init(&ws_dir)?;
    let started = Instant::now();
    let s = vidi_known::import_hashset(
        &ws,
        &list,
        &ImportOptions::default(),
        &NoImportProgress,
        cancel,
    )?;
    let import_s = started.elapsed().as_secs_f64();
    let r = Report {
        format: a.format.clone(),
        entries: s.imported,
        file_bytes: std::fs::metadata(&list)?.len(),
        generate_s,
        import_s,
        entries_per_s: s.imported as f64 / import_s.max(1e-9),
        rejected: s.rejected,
        peak_rss_mib: super::bench::peak_rss() as f64 / (1 << 20) as f64,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&r)?)?;
    } else if !quiet {
        output::data(
            &mut out,
            &format!(
                "{} {} entries ({:.0} MB): imported in {:.1} s = {:.0} entries/s, peak RSS {:.0} MiB",
                r.format,
                r.entries,
                r.file_bytes as f64 / 1e6,
                r.import_s,
                r.entries_per_s,
                r.peak_rss_mib
            ),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
