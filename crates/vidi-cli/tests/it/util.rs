//! Helpers: run the binary, generate small datasets.

use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn vidi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vidi"));
    c.env("VIDI_NO_PROGRESS", "1").env_remove("VIDI_WORKSPACE");
    c
}

pub(crate) fn run_ok(args: &[&str]) -> Output {
    let out = vidi().args(args).output().expect("run vidi");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "vidi {args:?} failed: {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub(crate) fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

pub(crate) fn ls_json(ws: &Path, case: Option<&str>) -> Vec<serde_json::Value> {
    let mut args = vec!["ls", "--workspace", ws.to_str().unwrap(), "--json"];
    if let Some(c) = case {
        args.push("--case");
        args.push(c);
    }
    json_lines(&run_ok(&args))
}

pub(crate) use vidi_testkit::shared_dir;

/// A benign dataset from the generator, written to `dir`.
pub(crate) fn dataset(dir: &Path, spec: &vidi_synth::DemoSpec) -> vidi_synth::DemoManifest {
    vidi_synth::generate_demo(dir, spec, &vidi_types::Cancel::new()).expect("generate dataset")
}

/// A small benign dataset from the generator (images only, fast).
pub(crate) fn small_dataset(dir: &Path) -> vidi_synth::DemoManifest {
    let spec = vidi_synth::DemoSpec {
        seed: 5,
        images_per_case: 3,
        videos: false,
        audio: false,
        ..vidi_synth::DemoSpec::default()
    };
    dataset(dir, &spec)
}

/// `vidi ingest` of `dir` into workspace `w` as `case` of `agency`, with
/// `extra` arguments; must exit 0 or 1.
pub(crate) fn ingest(w: &str, case: &str, agency: &str, dir: &Path, extra: &[&str]) -> Output {
    let dir = dir.to_str().expect("UTF-8 temp path");
    let mut args = vec![
        "ingest",
        "--workspace",
        w,
        "--case",
        case,
        "--agency",
        agency,
    ];
    args.extend_from_slice(extra);
    args.push(dir);
    run_ok(&args)
}

/// `vidi init` of workspace `w`, then [`ingest`] of every case of the
/// dataset under its agency, with `extra` arguments: each case with the
/// output of its ingest, in dataset order.
pub(crate) fn init_and_ingest_all<'m>(
    w: &str,
    manifest: &'m vidi_synth::DemoManifest,
    extra: &[&str],
) -> Vec<(&'m vidi_synth::CaseDemo, Output)> {
    run_ok(&["init", "--workspace", w]);
    let mut out = Vec::new();
    for agency in &manifest.agencies {
        for case in &agency.cases {
            let o = ingest(w, &case.case, &agency.agency, &case.dir, extra);
            out.push((case, o));
        }
    }
    out
}

/// Every regular file, symlink and special file below `root` (no dirs).
pub(crate) fn count_entries(root: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else {
                n += 1;
            }
        }
    }
    n
}
