use vidi_synth::{BenchSpec, generate_bench_corpus};
use vidi_types::Cancel;

#[test]
fn bench_corpus_has_the_requested_sizes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = BenchSpec {
        photos: 3,
        min_mp: 1.0,
        max_mp: 1.5,
        videos: 1,
        video_seconds: 1,
        seed: 3,
    };
    let paths = generate_bench_corpus(dir.path(), &spec, &Cancel::new()).expect("bench");
    let photos: Vec<_> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    assert_eq!(photos.len(), 3);
    for p in photos {
        let img = image::open(p).expect("decodes");
        let mp = f64::from(img.width()) * f64::from(img.height()) / 1e6;
        assert!((0.98..=1.52).contains(&mp), "{}: {mp} MP", p.display());
    }
    let videos = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mp4"))
        .count();
    assert_eq!(videos, usize::from(crate::has_tool("ffmpeg")));
    for p in &paths {
        assert!(p.is_file());
    }
}
