//! Camera make, model and serial, and the recorded UTC offset.

use serde_json::json;
use vidi_types::{Cancel, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind};

/// Camera identity and time-zone offset from the metadata.
#[derive(Debug, Default, Clone, Copy)]
pub struct CameraExtractor;

/// The UTC offset of an ISO 8601 time or a bare `+HH:MM`, in minutes.
pub(crate) fn offset_minutes(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.ends_with('Z') {
        return None; // UTC as written by software, not a local offset.
    }
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = tail.get(1..3)?.parse().ok()?;
    let m: i32 = tail.get(4..6)?.parse().ok()?;
    if tail.as_bytes().get(3) != Some(&b':') || h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

impl ClueExtractor for CameraExtractor {
    fn id(&self) -> &'static str {
        "camera"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        let m = &media.metadata;
        m.camera.make.is_some()
            || m.camera.model.is_some()
            || m.camera.serial.is_some()
            || m.offset_time.is_some()
            || m.taken_at.as_deref().and_then(offset_minutes).is_some()
    }

    fn extract(&self, input: ClueInput<'_>, _cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let m = &input.media.metadata;
        let clue = |kind, value: String, confidence, detail| Clue {
            kind,
            value,
            confidence,
            extractor: self.id().into(),
            version: self.version(),
            model: None,
            region: None,
            time_range: None,
            detail,
        };
        let mut out = Vec::new();
        let make = m
            .camera
            .make
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let model = m
            .camera
            .model
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if make.is_some() || model.is_some() {
            out.push(clue(
                ClueKind::Camera,
                [make, model]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" / "),
                0.9,
                json!({"make": make, "model": model, "software": m.camera.software}),
            ));
        }
        if let Some(serial) = m
            .camera
            .serial
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            out.push(clue(
                ClueKind::CameraSerial,
                serial.to_owned(),
                0.95,
                json!({"make": make, "model": model}),
            ));
        }
        let offset = m
            .offset_time
            .as_deref()
            .and_then(offset_minutes)
            .map(|o| (o, "OffsetTime"))
            .or_else(|| {
                m.taken_at
                    .as_deref()
                    .and_then(offset_minutes)
                    .map(|o| (o, "capture time"))
            });
        if let Some((minutes, from)) = offset {
            let sign = if minutes < 0 { '-' } else { '+' };
            let a = minutes.abs();
            out.push(clue(
                ClueKind::UtcOffset,
                format!("{sign}{:02}:{:02}", a / 60, a % 60),
                0.7,
                json!({"minutes": minutes, "from": from, "taken_at": m.taken_at}),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset_minutes("+02:00"), Some(120));
        assert_eq!(offset_minutes("2024-05-01T10:00:00-03:30"), Some(-210));
        assert_eq!(offset_minutes("2024-05-01T10:00:00"), None);
        assert_eq!(offset_minutes("2024-05-01T10:00:00Z"), None);
        assert_eq!(offset_minutes("+99:00"), None);
        assert_eq!(offset_minutes("+0200"), None);
        assert_eq!(offset_minutes(""), None);
        assert_eq!(offset_minutes("é+02:00"), Some(120));
    }
}
