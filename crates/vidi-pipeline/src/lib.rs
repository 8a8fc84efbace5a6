//! Ingest orchestration: walk, sniff, hash, decode, metadata, video, store. Takes progress and cancellation; never prints.
