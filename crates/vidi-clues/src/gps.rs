//! GPS to place: the recorded fix resolved offline to country (border
//! polygons), first-level region and nearest town.

use serde_json::json;
use vidi_types::{Cancel, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind};

/// Resolves a media's chosen GPS fix.
#[derive(Debug, Default, Clone, Copy)]
pub struct GpsExtractor;

/// Beyond this distance from the nearest town, a point without a polygon
/// country is left without country.
const MAX_TOWN_KM: f64 = 30.0;

impl ClueExtractor for GpsExtractor {
    fn id(&self) -> &'static str {
        "gps"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        media
            .metadata
            .gps
            .as_ref()
            .is_some_and(|g| g.lat.is_some() && g.lon.is_some())
    }

    fn extract(&self, input: ClueInput<'_>, _cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let Some(gps) = &input.media.metadata.gps else {
            return Ok(Vec::new());
        };
        let (Some(lat), Some(lon)) = (gps.lat, gps.lon) else {
            return Ok(Vec::new());
        };
        let geocoder = vidi_geo::geocoder().map_err(ClueError::Geo)?;
        let place = match geocoder.place(lat, lon) {
            Ok(p) => p,
            Err(e) => {
                // Null island, out-of-range coordinates: not a place.
                tracing::debug!(error = %e, "GPS fix not geocoded");
                return Ok(Vec::new());
            }
        };
        let Some(country) = place.country.or_else(|| place.likely_country(MAX_TOWN_KM)) else {
            return Ok(Vec::new());
        };
        // A fix the reader flagged as suspicious counts for less.
        let confidence = if gps.flags.is_empty() { 0.95 } else { 0.5 };
        let from_polygon = place.country.is_some();
        Ok(vec![Clue {
            kind: ClueKind::GpsPlace,
            value: country.as_str().to_owned(),
            confidence: if from_polygon {
                confidence
            } else {
                confidence * 0.8
            },
            extractor: self.id().into(),
            version: self.version(),
            model: None,
            region: None,
            time_range: None,
            detail: json!({
                "lat": lat,
                "lon": lon,
                "country_name": country.name(),
                "region_code": place.subdivision.as_ref().and_then(|s| s.code.clone()),
                "region": place.subdivision.as_ref().and_then(|s| s.name.clone()),
                "nearest_town": place.nearest_town.name,
                "nearest_town_km": (place.nearest_town.distance_km * 10.0).round() / 10.0,
                "country_from": if from_polygon { "border polygons" } else { "nearest town" },
                "gps_flags": gps.flags,
                "attribution": place.sources.iter().map(|s| s.attribution()).collect::<Vec<_>>(),
            }),
        }])
    }
}
