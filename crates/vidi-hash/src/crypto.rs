//! MD5, SHA-1 and SHA-256 in one streaming read.
// API placeholder: implemented by the vidi-hash work package.
