//! `vidi models add|list|verify` on a temp models directory.

use crate::util::{json_lines, run_ok, vidi};

#[test]
fn models_add_list_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    let src = tmp.path().join("incoming");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("w.bin"), b"0123456789").unwrap();
    let manifest = serde_json::json!({
        "format": "vidi-model-manifest/1", "name": "tiny-net", "task": "image-embedding",
        "architecture": "test", "licence": "MIT",
        "files": [{"role": "weights", "path": "w.bin", "bytes": 10,
                   "sha256": "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882"}],
        "source": {"registry": "user", "packages": [], "version": "1"}
    });
    std::fs::write(src.join("manifest.json"), manifest.to_string()).unwrap();
    let m = models.to_str().unwrap();
    run_ok(&[
        "models",
        "add",
        "--models-dir",
        m,
        src.join("manifest.json").to_str().unwrap(),
    ]);
    let list = json_lines(&run_ok(&["models", "list", "--models-dir", m, "--json"]));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "tiny-net");
    assert_eq!(list[0]["content_sha256"].as_str().unwrap().len(), 64);
    run_ok(&["models", "verify", "--models-dir", m, "tiny-net"]);
    // A changed file fails verification with exit 1 and says why.
    std::fs::write(models.join("user/tiny-net/w.bin"), b"0123456780").unwrap();
    let out = vidi()
        .args(["models", "verify", "--models-dir", m])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SHA-256"));
    // A model that is not installed: exit 2 with a clear message.
    let out = vidi()
        .args(["models", "verify", "--models-dir", m, "clip-vit-l14"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not installed"));
}
