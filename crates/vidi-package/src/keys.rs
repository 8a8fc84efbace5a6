//! The workspace's package signing key.
//!
//! Generated once from the operating system's random source and stored as
//! 64 hexadecimal characters (the 32-byte Ed25519 seed) in
//! `<dir>/package-signing.key`, mode 0600; the public key is written beside
//! it as `<dir>/package-signing.pub` (64 hexadecimal characters and a
//! newline) for receivers.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::{PackageError, hex, unhex};

/// File name of the secret key.
pub const SECRET_FILE: &str = "package-signing.key";
/// File name of the public key.
pub const PUBLIC_FILE: &str = "package-signing.pub";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The public key as text (64 hex characters).
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

/// Parse a public key given as 64 hex characters (surrounding white space
/// ignored).
pub fn parse_public_key(s: &str) -> Result<VerifyingKey, PackageError> {
    let b =
        unhex::<32>(s.trim().to_ascii_lowercase().as_str()).ok_or(PackageError::BadPublicKey)?;
    VerifyingKey::from_bytes(&b).map_err(|_| PackageError::BadPublicKey)
}

/// The key in `dir`, created (with `dir`, mode 0700) when absent.
/// Returns the key and whether it was just created.
pub fn load_or_create(dir: &Path) -> Result<(SigningKey, bool), PackageError> {
    let path = dir.join(SECRET_FILE);
    if path.exists() {
        return Ok((load(&path)?, false));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir))?;
    let mut seed = [0u8; 32];
    let rnd = Path::new("/dev/urandom");
    std::fs::File::open(rnd)
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(io(rnd))?;
    let key = SigningKey::from_bytes(&seed);
    // create_new: two processes racing both end up with the winner's key.
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut f) => {
            f.write_all(format!("{}\n", hex(&seed)).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(io(&path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Ok((load(&path)?, false));
        }
        Err(e) => return Err(io(&path)(e)),
    }
    let public = dir.join(PUBLIC_FILE);
    write_public(&public, &key.verifying_key())?;
    tracing::info!(key = %public_key_hex(&key.verifying_key()), "created package signing key");
    Ok((key, true))
}

fn write_public(path: &PathBuf, key: &VerifyingKey) -> Result<(), PackageError> {
    std::fs::write(path, format!("{}\n", public_key_hex(key))).map_err(io(path))
}

/// Read a secret key file.
pub fn load(path: &Path) -> Result<SigningKey, PackageError> {
    let mut s = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_string(&mut s))
        .map_err(io(path))?;
    let seed = unhex::<32>(s.trim()).ok_or_else(|| PackageError::BadKeyFile {
        path: path.to_path_buf(),
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_once_private_and_public_exported() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let (k1, new1) = load_or_create(&keys).unwrap();
        let (k2, new2) = load_or_create(&keys).unwrap();
        assert!(new1 && !new2);
        assert_eq!(k1.to_bytes(), k2.to_bytes());
        let mode = std::fs::metadata(keys.join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let public = std::fs::read_to_string(keys.join(PUBLIC_FILE)).unwrap();
        assert_eq!(parse_public_key(&public).unwrap(), k1.verifying_key());
    }

    #[test]
    fn bad_keys_are_errors() {
        assert!(parse_public_key("xyz").is_err());
        assert!(parse_public_key(&"g".repeat(64)).is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        std::fs::write(&p, "nope").unwrap();
        assert!(matches!(load(&p), Err(PackageError::BadKeyFile { .. })));
    }
}
