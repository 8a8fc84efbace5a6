//! Image decoding with limits (JPEG, PNG, GIF, WebP, TIFF, BMP, HEIF/AVIF), PDQ from files, thumbnails.
