//! Several connections writing at once.

use std::thread;

use vidi_store::{Store, Workspace};

use crate::common::{image_media, item, workspace};

#[test]
fn threads_with_their_own_store_write_different_items() {
    let (_dir, ws) = workspace();
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 50;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let ws: Workspace = ws.clone();
            thread::spawn(move || {
                let mut store = Store::open(&ws).unwrap();
                for i in 0..PER_THREAD {
                    let n = t * 1000 + i;
                    let m = image_media(n, 1);
                    store
                        .put_item(
                            Some(&m),
                            &item(&format!("C{t}-1"), &format!("/f{i}"), Some(m.sha256())),
                        )
                        .unwrap();
                    // Readers interleave with writers.
                    assert!(store.media_is_complete(&m.sha256(), 1).unwrap());
                }
                // Everyone also writes the same shared media and item.
                let shared = image_media(999_999, 1);
                store
                    .put_item(
                        Some(&shared),
                        &item("SHARED-1", "/same", Some(shared.sha256())),
                    )
                    .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = Store::open(&ws).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.media, THREADS * PER_THREAD + 1);
    assert_eq!(c.evidence, THREADS * PER_THREAD + 1);
    assert_eq!(c.cases, THREADS + 1);
}

#[test]
fn concurrent_init_of_a_fresh_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let root = root.clone();
            thread::spawn(move || Workspace::init(&root).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let ws = Workspace::open(&root).unwrap();
    assert_eq!(Store::open(&ws).unwrap().counts().unwrap().media, 0);
}
