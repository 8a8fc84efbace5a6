//! Image embeddings per media and region, for find-similar.
