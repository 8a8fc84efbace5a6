//! Series: named groups of media (create, rename, merge, split).
