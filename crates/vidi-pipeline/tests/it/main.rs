//! Library-level ingest tests: progress events, cancellation, reuse of
//! known content across cases.

use std::sync::atomic::{AtomicU64, Ordering};

use vidi_pipeline::{IngestConfig, ItemOutcome, NoProgress, ProgressSink, ingest};
use vidi_store::{Store, Workspace};
use vidi_types::Cancel;

#[derive(Default)]
struct Count {
    found: AtomicU64,
    done: AtomicU64,
    walk_done: AtomicU64,
}

impl ProgressSink for Count {
    fn discovered(&self, _bytes: u64) {
        self.found.fetch_add(1, Ordering::SeqCst);
    }
    fn walk_done(&self) {
        self.walk_done.fetch_add(1, Ordering::SeqCst);
    }
    fn item_done(&self, _bytes: u64, _o: &ItemOutcome) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

fn dataset(dir: &std::path::Path) {
    let spec = vidi_synth::DemoSpec {
        seed: 3,
        images_per_case: 2,
        videos: false,
        audio: false,
        ..vidi_synth::DemoSpec::default()
    };
    vidi_synth::generate_demo(dir, &spec, &Cancel::new()).unwrap();
}

#[test]
fn progress_counts_every_entry_and_known_content_is_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    dataset(&data);
    let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
    let count = Count::default();
    let s1 = ingest(
        &ws,
        &IngestConfig::new(vec![data.clone()], "A-1", "AA"),
        &count,
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(count.found.load(Ordering::SeqCst), s1.found);
    assert_eq!(count.done.load(Ordering::SeqCst), s1.found);
    assert_eq!(count.walk_done.load(Ordering::SeqCst), 1);
    assert!(s1.new_media > 0);

    // The same files under another case: new evidence items, no new media.
    let s2 = ingest(
        &ws,
        &IngestConfig::new(vec![data.clone()], "B-1", "BB"),
        &NoProgress,
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(s2.new_media, 0, "{s2:?}");
    assert_eq!(
        s2.known_content + s2.not_regular,
        s1.new_media + s1.known_content + s1.not_regular
    );
    let store = Store::open(&ws).unwrap();
    assert_eq!(
        store.list_evidence(Some("A-1")).unwrap().len() as u64,
        s1.found
    );
    assert_eq!(
        store.list_evidence(Some("B-1")).unwrap().len() as u64,
        s2.found
    );
}

#[test]
fn cancelled_before_start_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    dataset(&data);
    let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    let s = ingest(
        &ws,
        &IngestConfig::new(vec![data], "A-1", "AA"),
        &NoProgress,
        &cancel,
    )
    .unwrap();
    assert!(s.cancelled);
    assert_eq!(s.stored, 0);
    assert!(
        Store::open(&ws)
            .unwrap()
            .list_evidence(None)
            .unwrap()
            .is_empty()
    );
}

mod clues;
mod local_rerank;
mod similar_compressed;
