//! Magic-byte sniffing and metadata parsers (EXIF, XMP, QuickTime/MP4, PNG, WebP, HEIF): pure, fuzzed.
