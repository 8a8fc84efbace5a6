//! Synthetic benign dataset generator for the demo, tests and benchmarks: drawn scenes, signs, EXIF GPS, videos with espeak-ng audio.
