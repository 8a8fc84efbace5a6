//! Linking over a real workspace: incremental equals from scratch, clusters
//! do not depend on arrival order or thread count, re-processed media are
//! re-linked.

use std::collections::BTreeMap;

use vidi_link::{LINKER_VERSION, link_new_media, link_workspace};
use vidi_store::{LinkKind, NewLink, Store, Workspace};
use vidi_testkit::media::{bare_record, digests};
use vidi_types::{
    Cancel, EvidenceItem, FileType, MediaKind, MediaRecord, PdqHash, PdqWithQuality, Sha256,
    VpdqFrame,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn hash(&mut self) -> PdqHash {
        let mut h = [0u8; 32];
        for c in h.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(h)
    }
    fn flip(&mut self, h: PdqHash, n: usize) -> PdqHash {
        let mut h = h;
        let mut done = std::collections::BTreeSet::new();
        while done.len() < n {
            let b = (self.next() % 256) as usize;
            if done.insert(b) {
                h.0[b / 8] ^= 1 << (b % 8);
            }
        }
        h
    }
}

fn record(id: u64, kind: MediaKind, version: u32) -> MediaRecord {
    let mut sha = [0u8; 32];
    // Spread ids over the SHA-256 space so that order of arrival differs
    // from SHA-256 order.
    sha[..8].copy_from_slice(&id.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
    MediaRecord {
        size: 1000,
        width: Some(100),
        height: Some(100),
        pipeline_version: version,
        ..bare_record(digests(id as u8, sha), kind, "image/jpeg")
    }
}

fn image(id: u64, p: PdqHash, dihedral: Option<Vec<PdqHash>>) -> MediaRecord {
    let mut m = record(id, MediaKind::Image, 1);
    m.pdq = Some(PdqWithQuality {
        hash: p,
        quality: 100,
    });
    m.pdq_dihedral = dihedral;
    m
}

fn video(id: u64, frames: &[PdqHash]) -> MediaRecord {
    let mut m = record(id, MediaKind::Video, 1);
    m.mime = "video/mp4".into();
    m.vpdq = frames
        .iter()
        .enumerate()
        .map(|(i, h)| VpdqFrame {
            frame_number: i as u32 * 25,
            timestamp_s: i as f64,
            hash: *h,
            quality: 90,
        })
        .collect();
    m
}

/// A dataset: (media, case) in arrival order.
fn dataset() -> Vec<(MediaRecord, &'static str)> {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut out = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for k in 0..30 {
        let p = rng.hash();
        out.push((image(next(), p, None), "BE-2024-017"));
        if k % 3 == 0 {
            let q = rng.flip(p, 10);
            out.push((image(next(), q, None), "CA-2023-221"));
        }
        if k % 7 == 0 {
            // A mirrored copy: its variant 4 is near the original.
            let own = rng.hash();
            let mut d = vec![own];
            for v in 1..8 {
                d.push(if v == 4 { rng.flip(p, 4) } else { rng.hash() });
            }
            out.push((image(next(), own, Some(d)), "NL-2022-003"));
        }
    }
    for k in 0..4 {
        let mut frames = Vec::new();
        let mut h = rng.hash();
        for _ in 0..40 {
            frames.push(h);
            h = rng.flip(h, 3);
        }
        out.push((video(next(), &frames), "CA-2023-221"));
        let still = rng.flip(frames[25 + k], 5);
        out.push((image(next(), still, None), "BE-2024-017"));
        let clip: Vec<PdqHash> = frames[5..15].iter().map(|f| rng.flip(*f, 2)).collect();
        out.push((video(next(), &clip), "NL-2022-003"));
    }
    out
}

fn put(store: &mut Store, m: &MediaRecord, case: &str, n: usize) {
    let item = EvidenceItem {
        path: format!("/evidence/{n}.bin"),
        size: 1000,
        mtime: Some(1),
        ctime: None,
        atime: None,
        file_type: FileType::Regular,
        case: case.into(),
        agency: case.split('-').next().unwrap_or("XX").into(),
        media: Some(m.digests.sha256),
        error: None,
    };
    store.put_item(Some(m), &item).unwrap();
}

type Snapshot = (
    Vec<(Sha256, Sha256, LinkKind, Option<u32>, Option<f64>, String)>,
    BTreeMap<Sha256, Sha256>,
);

fn snapshot(ws: &Workspace) -> Snapshot {
    let store = Store::open(ws).unwrap();
    let links = store
        .links(None)
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.a.sha256,
                l.b.sha256,
                l.kind,
                l.distance,
                l.score,
                l.detail.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    (links, store.link_clusters().unwrap())
}

#[test]
fn incremental_in_any_order_equals_from_scratch() {
    let data = dataset();
    let cancel = Cancel::new();
    // From scratch: everything stored, then one linking run.
    let d1 = tempfile::tempdir().unwrap();
    let ws1 = Workspace::init(d1.path()).unwrap();
    let mut s1 = Store::open(&ws1).unwrap();
    for (n, (m, c)) in data.iter().enumerate() {
        put(&mut s1, m, c, n);
    }
    let full = link_new_media(&ws1, &cancel).unwrap();
    assert_eq!(full.processed, data.len() as u64);
    let scratch = snapshot(&ws1);

    // Incremental, in reverse order, in batches of 7, one thread.
    let d2 = tempfile::tempdir().unwrap();
    let ws2 = Workspace::init(d2.path()).unwrap();
    let mut s2 = Store::open(&ws2).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let rev: Vec<_> = data.iter().enumerate().rev().collect();
    for batch in rev.chunks(7) {
        for (n, (m, c)) in batch {
            put(&mut s2, m, c, *n);
        }
        let s = pool.install(|| link_new_media(&ws2, &cancel)).unwrap();
        assert_eq!(s.processed, batch.len() as u64);
    }
    let inc = snapshot(&ws2);
    assert_eq!(inc.0, scratch.0);
    assert_eq!(inc.1, scratch.1);

    // Nothing new: nothing done.
    let again = link_new_media(&ws2, &cancel).unwrap();
    assert_eq!(again.processed, 0);
    assert_eq!(snapshot(&ws2).0, scratch.0);

    // What was found: every planted kind.
    let count = |k: LinkKind| scratch.0.iter().filter(|l| l.2 == k).count();
    assert_eq!(count(LinkKind::Pdq), 10);
    // 5 mirrored copies, 2 of which (k = 0, 21) also reach the near copy.
    assert_eq!(count(LinkKind::PdqDihedral), 7);
    assert_eq!(count(LinkKind::StillInVideo), 4);
    assert_eq!(count(LinkKind::VpdqClip), 4);
    assert_eq!(count(LinkKind::Vpdq), 0);
    // Clusters: the smallest SHA-256 of each component.
    for (member, cluster) in &scratch.1 {
        assert!(cluster <= member);
        assert_eq!(scratch.1.get(cluster), Some(cluster));
    }

    // A rebuild gives the same again.
    link_workspace(&ws2, &vidi_link::LinkConfig::default(), true, &cancel).unwrap();
    assert_eq!(snapshot(&ws2).0, scratch.0);
    assert_eq!(snapshot(&ws2).1, scratch.1);
}

#[test]
fn listing_names_cases_and_agencies() {
    let data = dataset();
    let d = tempfile::tempdir().unwrap();
    let ws = Workspace::init(d.path()).unwrap();
    let mut s = Store::open(&ws).unwrap();
    for (n, (m, c)) in data.iter().enumerate() {
        put(&mut s, m, c, n);
    }
    link_new_media(&ws, &Cancel::new()).unwrap();
    let links = s.links(Some("NL-2022-003")).unwrap();
    assert!(!links.is_empty());
    for l in &links {
        assert!(
            l.a.cases
                .iter()
                .chain(&l.b.cases)
                .any(|c| c == "NL-2022-003")
        );
        assert!(l.is_cross_case() && l.is_cross_agency());
        assert_eq!(l.extractor_version, LINKER_VERSION);
        assert!(l.cluster.is_some());
    }
    let still = s
        .links(None)
        .unwrap()
        .into_iter()
        .find(|l| l.kind == LinkKind::StillInVideo)
        .unwrap();
    let detail = still.detail.unwrap();
    assert!(detail["timestamp_s"].as_f64().unwrap() >= 25.0);
}

#[test]
fn reprocessed_media_is_relinked_and_clusters_rebuilt() {
    let mut rng = Rng(99);
    let p = rng.hash();
    let d = tempfile::tempdir().unwrap();
    let ws = Workspace::init(d.path()).unwrap();
    let mut s = Store::open(&ws).unwrap();
    let a = image(1, p, None);
    let b = image(2, rng.flip(p, 6), None);
    let c = image(3, rng.flip(p, 12), None);
    put(&mut s, &a, "BE-1", 1);
    put(&mut s, &b, "CA-1", 2);
    put(&mut s, &c, "NL-1", 3);
    link_new_media(&ws, &Cancel::new()).unwrap();
    assert_eq!(s.links(None).unwrap().len(), 3);
    // b re-processed by a newer pipeline: its PDQ is now far from the others.
    let mut b2 = image(2, rng.hash(), None);
    b2.pipeline_version = 2;
    put(&mut s, &b2, "CA-1", 2);
    let r = link_new_media(&ws, &Cancel::new()).unwrap();
    assert_eq!(r.processed, 1);
    let links = s.links(None).unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    let clusters = s.link_clusters().unwrap();
    assert_eq!(clusters.len(), 2);
    assert!(!clusters.contains_key(&b2.digests.sha256));
}

#[test]
fn links_must_be_canonical() {
    let d = tempfile::tempdir().unwrap();
    let ws = Workspace::init(d.path()).unwrap();
    let mut s = Store::open(&ws).unwrap();
    let l = NewLink {
        a: Sha256([9; 32]),
        b: Sha256([1; 32]),
        kind: LinkKind::Pdq,
        distance: Some(3),
        score: None,
        extractor: "x".into(),
        extractor_version: 1,
        detail: None,
    };
    assert!(s.record_links(&[l], &[], 1).is_err());
}

#[test]
fn cancelled_run_records_nothing() {
    let data = dataset();
    let d = tempfile::tempdir().unwrap();
    let ws = Workspace::init(d.path()).unwrap();
    let mut s = Store::open(&ws).unwrap();
    for (n, (m, c)) in data.iter().enumerate() {
        put(&mut s, m, c, n);
    }
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(link_new_media(&ws, &cancel).is_err());
    assert_eq!(s.media_to_link(LINKER_VERSION).unwrap().len(), data.len());
}
