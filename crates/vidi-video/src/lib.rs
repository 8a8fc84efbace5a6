//! Video and audio through ffmpeg/ffprobe subprocesses: probe, vPDQ frames, keyframe thumbnails.
