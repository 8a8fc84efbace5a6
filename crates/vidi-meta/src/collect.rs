//! Accumulates what the parsers find and merges it into [`Metadata`].

use serde_json::{Map, Value};
use vidi_types::{Camera, Gps, GpsFlag, GpsSource, Metadata};

use crate::MetaLimits;
use crate::gps;

/// Most warnings kept per file.
const MAX_WARNINGS: usize = 64;
/// Most GPS fixes kept per file.
const MAX_FIXES: usize = 32;

/// Normalised fields from one source; the first value seen wins.
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields {
    pub(crate) make: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) serial: Option<String>,
    pub(crate) lens: Option<String>,
    pub(crate) lens_serial: Option<String>,
    pub(crate) software: Option<String>,
    pub(crate) taken_at: Option<String>,
    pub(crate) offset_time: Option<String>,
    pub(crate) modified_at: Option<String>,
    pub(crate) orientation: Option<u16>,
}

/// Set `slot` to `v` if it is empty and `v` is not blank.
pub(crate) fn set(slot: &mut Option<String>, v: &str) {
    let v = v.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if slot.is_none() && !v.is_empty() {
        *slot = Some(v.to_string());
    }
}

impl Fields {
    fn merge(self, other: Fields) -> Fields {
        Fields {
            make: self.make.or(other.make),
            model: self.model.or(other.model),
            serial: self.serial.or(other.serial),
            lens: self.lens.or(other.lens),
            lens_serial: self.lens_serial.or(other.lens_serial),
            software: self.software.or(other.software),
            taken_at: self.taken_at.or(other.taken_at),
            offset_time: self.offset_time.or(other.offset_time),
            modified_at: self.modified_at.or(other.modified_at),
            orientation: self.orientation.or(other.orientation),
        }
    }
}

/// Where raw tags go in [`Metadata::raw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Exif,
    Xmp,
    QuickTime,
    Png,
    Matroska,
    Container,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Self::Exif => "exif",
            Self::Xmp => "xmp",
            Self::QuickTime => "quicktime",
            Self::Png => "png",
            Self::Matroska => "matroska",
            Self::Container => "container",
        }
    }
}

/// The running state of one [`crate::extract`] call.
pub(crate) struct Collector<'l> {
    pub(crate) limits: &'l MetaLimits,
    raw: Map<String, Value>,
    pub(crate) exif: Fields,
    pub(crate) xmp: Fields,
    pub(crate) qt: Fields,
    fixes: Vec<Gps>,
    warnings: Vec<String>,
    /// Boxes, chunks and segments visited so far (bounded by the limits).
    visited: usize,
    /// XMP packets parsed so far.
    pub(crate) xmp_packets: usize,
}

impl<'l> Collector<'l> {
    pub(crate) fn new(limits: &'l MetaLimits) -> Self {
        Self {
            limits,
            raw: Map::new(),
            exif: Fields::default(),
            xmp: Fields::default(),
            qt: Fields::default(),
            fixes: Vec::new(),
            warnings: Vec::new(),
            visited: 0,
            xmp_packets: 0,
        }
    }

    /// Record a non-fatal problem.
    pub(crate) fn warn(&mut self, msg: String) {
        tracing::debug!(warning = %msg, "metadata");
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(msg);
        } else if self.warnings.len() == MAX_WARNINGS {
            self.warnings
                .push("further warnings suppressed".to_string());
        }
    }

    /// Count one visited structure; false when the budget is spent (a
    /// warning is recorded once).
    pub(crate) fn tick(&mut self) -> bool {
        self.visited += 1;
        if self.visited == self.limits.max_boxes + 1 {
            self.warn(format!(
                "more than {} structures visited; the rest is skipped",
                self.limits.max_boxes
            ));
        }
        self.visited <= self.limits.max_boxes
    }

    /// Keep a raw tag (bounded in count and string length). The first
    /// value of a key wins.
    pub(crate) fn raw(&mut self, section: Section, key: &str, value: Value) {
        let max_len = self.limits.max_raw_value_len;
        let max_tags = self.limits.max_raw_tags;
        let entry = self
            .raw
            .entry(section.key())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(map) = entry else {
            return;
        };
        if map.len() >= max_tags || map.contains_key(key) {
            return;
        }
        map.insert(key.to_string(), bound_value(value, max_len));
    }

    /// Record one GPS fix (flags are computed here).
    pub(crate) fn add_gps(&mut self, mut fix: Gps) {
        gps::apply_flags(&mut fix);
        let dup = self.fixes.iter().any(|f| {
            f.source == fix.source && f.lat == fix.lat && f.lon == fix.lon && f.alt == fix.alt
        });
        if !dup && self.fixes.len() < MAX_FIXES {
            self.fixes.push(fix);
        }
    }

    pub(crate) fn finish(self) -> Metadata {
        let f = self.exif.merge(self.qt).merge(self.xmp);
        let camera = Camera {
            make: f.make,
            model: f.model,
            serial: f.serial,
            lens: f.lens,
            lens_serial: f.lens_serial,
            software: f.software,
        };
        let mut gps_all = self.fixes;
        let chosen = choose(&mut gps_all);
        Metadata {
            camera,
            taken_at: f.taken_at,
            offset_time: f.offset_time,
            modified_at: f.modified_at,
            orientation: f.orientation,
            gps: chosen,
            gps_all,
            raw: Value::Object(self.raw),
            warnings: self.warnings,
        }
    }
}

fn rank(s: GpsSource) -> u8 {
    match s {
        GpsSource::Exif => 0,
        GpsSource::Xmp => 1,
        GpsSource::QuickTimeKeys => 2,
        GpsSource::QuickTimeXyz => 3,
    }
}

/// Pick the fix to show: complete fixes first, then by source priority
/// (EXIF, XMP, QuickTime keys, QuickTime `©xyz`). Flags disagreement.
fn choose(all: &mut [Gps]) -> Option<Gps> {
    let best = all
        .iter()
        .enumerate()
        .min_by_key(|(i, g)| {
            let complete = g.lat.is_some() && g.lon.is_some();
            (!complete, rank(g.source), *i)
        })
        .map(|(i, _)| i)?;
    let (blat, blon) = (all[best].lat, all[best].lon);
    let disagree = all.iter().any(|g| match (blat, blon, g.lat, g.lon) {
        (Some(a), Some(b), Some(c), Some(d)) => (a - c).abs() > 0.01 || (b - d).abs() > 0.01,
        _ => false,
    });
    if disagree {
        for g in all.iter_mut() {
            if g.lat.is_some() && g.lon.is_some() && !g.flags.contains(&GpsFlag::SourcesDisagree) {
                g.flags.push(GpsFlag::SourcesDisagree);
            }
        }
    }
    Some(all[best].clone())
}

fn bound_value(v: Value, max_len: usize) -> Value {
    match v {
        Value::String(s) if s.chars().count() > max_len => {
            let mut t: String = s.chars().take(max_len).collect();
            t.push('…');
            Value::String(t)
        }
        Value::Array(a) => {
            let n = a.len();
            let mut out: Vec<Value> = a
                .into_iter()
                .take(64)
                .map(|x| bound_value(x, max_len))
                .collect();
            if n > 64 {
                out.push(Value::String(format!("… {} more", n - 64)));
            }
            Value::Array(out)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(source: GpsSource, lat: Option<f64>, lon: Option<f64>) -> Gps {
        Gps {
            lat,
            lon,
            alt: None,
            time: None,
            source,
            flags: Vec::new(),
        }
    }

    #[test]
    fn choose_prefers_complete_then_source() {
        let limits = MetaLimits::default();
        let mut c = Collector::new(&limits);
        c.add_gps(fix(GpsSource::QuickTimeXyz, Some(10.0), Some(20.0)));
        c.add_gps(fix(GpsSource::Exif, Some(11.0), None));
        c.add_gps(fix(GpsSource::Xmp, Some(10.001), Some(20.0)));
        c.add_gps(fix(GpsSource::Xmp, Some(10.001), Some(20.0)));
        let m = c.finish();
        let g = m.gps.unwrap();
        assert_eq!(g.source, GpsSource::Xmp);
        assert!(g.flags.is_empty());
        assert_eq!(m.gps_all.len(), 3);
        assert!(m.gps_all[1].flags.contains(&GpsFlag::LatWithoutLon));
    }

    #[test]
    fn disagreement_is_flagged() {
        let limits = MetaLimits::default();
        let mut c = Collector::new(&limits);
        c.add_gps(fix(GpsSource::Exif, Some(34.05), Some(118.25)));
        c.add_gps(fix(GpsSource::QuickTimeXyz, Some(34.05), Some(-118.25)));
        let m = c.finish();
        assert!(m.gps.unwrap().flags.contains(&GpsFlag::SourcesDisagree));
    }

    #[test]
    fn raw_is_bounded() {
        let limits = MetaLimits {
            max_raw_tags: 2,
            max_raw_value_len: 4,
            ..MetaLimits::default()
        };
        let mut c = Collector::new(&limits);
        c.raw(Section::Exif, "a", Value::String("abcdefgh".into()));
        c.raw(Section::Exif, "a", Value::String("second".into()));
        c.raw(Section::Exif, "b", Value::from(1));
        c.raw(Section::Exif, "c", Value::from(2));
        let m = c.finish();
        assert_eq!(m.raw["exif"]["a"], "abcd…");
        assert!(m.raw["exif"].get("c").is_none());
    }
}
