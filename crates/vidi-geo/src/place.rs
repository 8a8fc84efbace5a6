//! Offline reverse geocoding: country and subdivision from OpenStreetMap
//! border polygons (`country-boundaries`), nearest town from GeoNames
//! (`reverse_geocoder`).

use std::sync::{Arc, OnceLock};

use country_boundaries::{BOUNDARIES_ODBL_360X180, CountryBoundaries, LatLon};
use reverse_geocoder::ReverseGeocoder;

use crate::country::{CountryCode, country, subdivision_name};

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Why a coordinate pair cannot be geocoded.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoordError {
    /// Latitude or longitude is NaN or infinite.
    #[error("coordinate is not a finite number (lat {lat}, lon {lon})")]
    NotFinite {
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
    /// Latitude outside [-90, 90].
    #[error("latitude {lat} is outside [-90, 90]")]
    LatitudeOutOfRange {
        /// The latitude given.
        lat: f64,
    },
    /// Longitude outside [-180, 180].
    #[error("longitude {lon} is outside [-180, 180]")]
    LongitudeOutOfRange {
        /// The longitude given.
        lon: f64,
    },
    /// Exactly (0, 0), "null island": almost always a missing fix written as
    /// zeros, not a real position in the Gulf of Guinea.
    #[error("coordinate is exactly (0, 0), a placeholder rather than a fix")]
    NullIsland,
}

/// Why the geocoder's compiled-in data could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The `country-boundaries` raster did not deserialize.
    #[error("country boundary data did not load")]
    Boundaries(#[source] Arc<country_boundaries::ReadError>),
}

/// A data set that contributed to a [`Place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// Country and subdivision polygons from the JOSM `boundaries.osm` file
    /// via the `country-boundaries` crate. ODbL, © OpenStreetMap contributors.
    OsmBoundaries,
    /// Towns with population over 1000 from GeoNames via the `reverse_geocoder`
    /// crate. CC BY 4.0, GeoNames.
    GeoNamesCities,
    /// ISO 3166-2 subdivision names from Debian `iso-codes`. LGPL-2.1+.
    IsoCodes,
}

impl Source {
    /// Attribution line to show wherever the result is displayed.
    pub fn attribution(&self) -> &'static str {
        match self {
            Source::OsmBoundaries => "Borders © OpenStreetMap contributors (ODbL)",
            Source::GeoNamesCities => "Towns: GeoNames (CC BY 4.0)",
            Source::IsoCodes => "Subdivision names: Debian iso-codes (LGPL-2.1+)",
        }
    }
}

/// Where a subdivision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubdivisionSource {
    /// The point is inside the subdivision's polygon (exact to the polygon's
    /// simplification). Only some countries have subdivision polygons.
    Polygon,
    /// The GeoNames admin1 of the nearest town in the same country: right
    /// except close to a subdivision border.
    NearestTown,
}

/// First-level subdivision of a country.
#[derive(Debug, Clone, PartialEq)]
pub struct Subdivision {
    /// ISO 3166-2 code (e.g. `US-TX`, `GB-SCT`) when a polygon gave it.
    pub code: Option<String>,
    /// Name: from `iso-codes` for a polygon code, else the GeoNames admin1.
    pub name: Option<String>,
    /// How it was found.
    pub source: SubdivisionSource,
}

/// The nearest GeoNames town (population over 1000).
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    /// Town name (ASCII form, as GeoNames' `asciiname`).
    pub name: String,
    /// First-level administrative division name (GeoNames admin1), may be empty.
    pub admin1: String,
    /// Second-level administrative division name (GeoNames admin2), may be empty.
    pub admin2: String,
    /// The town's country; may differ from [`Place::country`] near a border.
    pub country: Option<CountryCode>,
    /// Town latitude.
    pub lat: f64,
    /// Town longitude.
    pub lon: f64,
    /// Great-circle distance from the query point, km.
    pub distance_km: f64,
}

/// What is known offline about a position.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Query latitude.
    pub lat: f64,
    /// Query longitude.
    pub lon: f64,
    /// Country whose land polygon contains the point. `None` at sea (the
    /// polygons follow coastlines, not territorial waters) or in the rare
    /// gaps of the simplified borders; see [`Place::likely_country`].
    pub country: Option<CountryCode>,
    /// First-level subdivision, when known.
    pub subdivision: Option<Subdivision>,
    /// Nearest town, possibly in another country or across the sea.
    pub nearest_town: Town,
    /// Data sets used for this answer.
    pub sources: Vec<Source>,
}

impl Place {
    /// The polygon country, or else the nearest town's country when that
    /// town is within `max_town_km` (for points on a beach or a pier that
    /// fall just outside a simplified coastline).
    pub fn likely_country(&self, max_town_km: f64) -> Option<CountryCode> {
        self.country.or_else(|| {
            (self.nearest_town.distance_km <= max_town_km)
                .then_some(self.nearest_town.country)
                .flatten()
        })
    }
}

/// Checks a coordinate pair: finite, in range, not exactly (0, 0).
pub fn check_coordinates(lat: f64, lon: f64) -> Result<(), CoordError> {
    if !lat.is_finite() || !lon.is_finite() {
        return Err(CoordError::NotFinite { lat, lon });
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(CoordError::LatitudeOutOfRange { lat });
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(CoordError::LongitudeOutOfRange { lon });
    }
    if lat == 0.0 && lon == 0.0 {
        return Err(CoordError::NullIsland);
    }
    Ok(())
}

/// Great-circle (haversine) distance in km.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Reverse geocoder over compiled-in data. Load once (≈ a second, tens of
/// MB of memory) and share: it is `Send + Sync` and queries take `&self`.
pub struct Geocoder {
    boundaries: CountryBoundaries,
    towns: ReverseGeocoder,
}

impl std::fmt::Debug for Geocoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geocoder").finish_non_exhaustive()
    }
}

impl Geocoder {
    /// Loads the compiled-in border raster (1°×1° cells) and town list.
    pub fn new() -> Result<Self, LoadError> {
        let started = std::time::Instant::now();
        let boundaries = CountryBoundaries::from_reader(BOUNDARIES_ODBL_360X180)
            .map_err(|e| LoadError::Boundaries(Arc::new(e)))?;
        let towns = ReverseGeocoder::new();
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "geocoder loaded"
        );
        Ok(Self { boundaries, towns })
    }

    /// Region ids (ISO 3166-1 and 3166-2 codes) whose polygons contain the
    /// point, smallest region first, exactly as the border data gives them.
    pub fn region_ids(&self, lat: f64, lon: f64) -> Result<Vec<&str>, CoordError> {
        check_coordinates(lat, lon)?;
        let position = LatLon::new(lat, lon).map_err(|_| CoordError::NotFinite { lat, lon })?;
        Ok(self.boundaries.ids(position))
    }

    /// Country, subdivision and nearest town of a WGS 84 position.
    pub fn place(&self, lat: f64, lon: f64) -> Result<Place, CoordError> {
        let ids = self.region_ids(lat, lon)?;

        // Smallest containing region that is a known country: a dependency
        // such as Gibraltar or Puerto Rico wins over a larger id around it.
        let country_code = ids
            .iter()
            .filter_map(|id| CountryCode::parse(id))
            .find(|code| country(*code).is_some());
        let polygon_subdivision = country_code.and_then(|cc| {
            ids.iter().copied().find(|id| {
                id.split_once('-')
                    .is_some_and(|(prefix, _)| prefix == cc.as_str())
            })
        });

        let found = self.towns.search((lat, lon));
        let record = found.record;
        let nearest_town = Town {
            name: record.name.clone(),
            admin1: record.admin1.clone(),
            admin2: record.admin2.clone(),
            country: CountryCode::parse(&record.cc),
            lat: record.lat,
            lon: record.lon,
            distance_km: distance_km(lat, lon, record.lat, record.lon),
        };

        let mut sources = vec![Source::OsmBoundaries, Source::GeoNamesCities];
        let subdivision = match polygon_subdivision {
            Some(code) => {
                let name = subdivision_name(code);
                if name.is_some() {
                    sources.push(Source::IsoCodes);
                }
                Some(Subdivision {
                    code: Some(code.to_owned()),
                    name: name.map(str::to_owned),
                    source: SubdivisionSource::Polygon,
                })
            }
            None if country_code.is_some()
                && nearest_town.country == country_code
                && !nearest_town.admin1.is_empty() =>
            {
                Some(Subdivision {
                    code: None,
                    name: Some(nearest_town.admin1.clone()),
                    source: SubdivisionSource::NearestTown,
                })
            }
            None => None,
        };

        Ok(Place {
            lat,
            lon,
            country: country_code,
            subdivision,
            nearest_town,
            sources,
        })
    }
}

/// The process-wide geocoder, loaded on first use.
pub fn geocoder() -> Result<&'static Geocoder, LoadError> {
    static G: OnceLock<Result<Geocoder, LoadError>> = OnceLock::new();
    G.get_or_init(Geocoder::new).as_ref().map_err(Clone::clone)
}

/// [`Geocoder::place`] on the process-wide geocoder.
pub fn place(lat: f64, lon: f64) -> Result<Place, PlaceError> {
    Ok(geocoder()?.place(lat, lon)?)
}

/// Error of the convenience [`place`] function.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PlaceError {
    /// The coordinates are unusable.
    #[error(transparent)]
    Coord(#[from] CoordError),
    /// The compiled-in data did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo() -> &'static Geocoder {
        match geocoder() {
            Ok(g) => g,
            Err(e) => panic!("geocoder did not load: {e}"),
        }
    }

    fn country_at(lat: f64, lon: f64) -> Option<String> {
        geo()
            .place(lat, lon)
            .ok()
            .and_then(|p| p.country)
            .map(|c| c.to_string())
    }

    #[test]
    fn geocoder_is_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Geocoder>();
        assert_send_sync::<Place>();
    }

    /// Hand-picked border, enclave and coastal points (coordinates read off
    /// OpenStreetMap; each is well inside the named side, not on the line).
    #[test]
    fn borders_and_enclaves() {
        let cases: &[(&str, f64, f64, &str)] = &[
            // Baarle: Belgian enclaves (H1, the largest) inside the Netherlands.
            ("Baarle-Nassau town hall", 51.4475, 4.9292, "NL"),
            ("Baarle-Hertog enclave H1", 51.4370, 4.9350, "BE"),
            (
                "Baarle-Hertog, south of the enclaves",
                51.4050,
                4.8923,
                "BE",
            ),
            ("Basel Marktplatz", 47.5580, 7.5880, "CH"),
            ("Saint-Louis", 47.5900, 7.5600, "FR"),
            ("Weil am Rhein", 47.5933, 7.6208, "DE"),
            ("EuroAirport (French soil)", 47.5896, 7.5299, "FR"),
            ("Strasbourg cathedral", 48.5818, 7.7509, "FR"),
            ("Kehl", 48.5725, 7.8155, "DE"),
            ("Gibraltar", 36.1408, -5.3536, "GI"),
            ("La Linea de la Concepcion", 36.1680, -5.3480, "ES"),
            ("Busingen (German exclave in CH)", 47.6973, 8.6910, "DE"),
            (
                "Campione d'Italia (Italian exclave in CH)",
                45.9685,
                8.9727,
                "IT",
            ),
            ("Llivia (Spanish exclave in FR)", 42.4636, 1.9806, "ES"),
            ("Dover", 51.1279, 1.3134, "GB"),
            ("Calais", 50.9513, 1.8587, "FR"),
            (
                "San Juan (dependency wins over US)",
                18.4655,
                -66.1057,
                "PR",
            ),
            ("Hong Kong Central", 22.2855, 114.1577, "HK"),
            ("Ceuta", 35.8894, -5.3213, "ES"),
            ("Kaliningrad", 54.7104, 20.4522, "RU"),
            ("Fiji at the antimeridian", -16.8, 180.0, "FJ"),
            ("Fiji at the antimeridian, west form", -16.8, -180.0, "FJ"),
        ];
        let mut wrong = Vec::new();
        for &(name, lat, lon, want) in cases {
            let got = country_at(lat, lon);
            if got.as_deref() != Some(want) {
                wrong.push(format!("{name}: want {want}, got {got:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn subdivisions() {
        let dallas = geo().place(32.7767, -96.7970).ok();
        let sub = dallas.and_then(|p| p.subdivision);
        assert_eq!(sub.as_ref().and_then(|s| s.code.as_deref()), Some("US-TX"));
        assert_eq!(sub.as_ref().and_then(|s| s.name.as_deref()), Some("Texas"));
        assert_eq!(sub.map(|s| s.source), Some(SubdivisionSource::Polygon));

        // Italy has polygons for its autonomous regions only: Tuscany comes
        // from the nearest town's GeoNames admin1.
        let arezzo = geo().place(43.4674, 11.8850).ok();
        let sub = arezzo.and_then(|p| p.subdivision);
        assert_eq!(
            sub.as_ref().and_then(|s| s.name.as_deref()),
            Some("Tuscany")
        );
        assert_eq!(sub.as_ref().and_then(|s| s.code.as_deref()), None);
        assert_eq!(sub.map(|s| s.source), Some(SubdivisionSource::NearestTown));
    }

    #[test]
    fn nearest_town_across_the_border() {
        // Inside a small Belgian enclave of Baarle-Hertog, a few hundred
        // metres from the Dutch town Baarle-Nassau.
        let p = geo().place(51.4455, 4.9225).ok();
        let p = p.as_ref();
        assert_eq!(
            p.and_then(|p| p.country).map(|c| c.to_string()).as_deref(),
            Some("BE")
        );
        assert_eq!(
            p.map(|p| p.nearest_town.name.as_str()),
            Some("Baarle-Nassau")
        );
        assert_eq!(
            p.and_then(|p| p.nearest_town.country)
                .map(|c| c.to_string())
                .as_deref(),
            Some("NL")
        );
        // The subdivision comes from the Belgian polygon, not the Dutch town.
        let sub = p.and_then(|p| p.subdivision.clone());
        assert_eq!(sub.as_ref().and_then(|s| s.code.as_deref()), Some("BE-VLG"));
        assert_ne!(sub.and_then(|s| s.name).as_deref(), Some("North Brabant"));
    }

    #[test]
    fn at_sea() {
        // Southern North Sea, 90 km from the nearest town; mid-Atlantic.
        for (lat, lon, min_km) in [(53.0, 3.0, 50.0), (40.0, -40.0, 900.0)] {
            let p = geo().place(lat, lon).ok();
            let p = p.as_ref();
            assert_eq!(p.and_then(|p| p.country), None);
            assert_eq!(p.and_then(|p| p.likely_country(30.0)), None);
            let km = p.map(|p| p.nearest_town.distance_km).unwrap_or(0.0);
            assert!(km > min_km, "{km}");
        }
        // The polygons also cover coastal waters: 10 km off Brighton is GB.
        assert_eq!(country_at(50.73, -0.14).as_deref(), Some("GB"));
        // Poles: no polygon, a far town.
        let p = geo().place(-90.0, 0.0).ok();
        assert_eq!(p.as_ref().and_then(|p| p.country), None);
        assert!(
            p.map(|p| p.nearest_town.distance_km > 1000.0)
                .unwrap_or(false)
        );
        assert!(geo().place(90.0, 180.0).is_ok());
    }

    #[test]
    fn likely_country_uses_a_close_town() {
        let mut p = match geo().place(51.1279, 1.3134) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        p.country = None;
        assert_eq!(
            p.likely_country(5.0).map(|c| c.to_string()).as_deref(),
            Some("GB")
        );
        assert_eq!(p.likely_country(0.1), None);
    }

    #[test]
    fn invalid_coordinates() {
        let g = geo();
        assert!(matches!(
            g.place(f64::NAN, 1.0),
            Err(CoordError::NotFinite { .. })
        ));
        assert!(matches!(
            g.place(1.0, f64::INFINITY),
            Err(CoordError::NotFinite { .. })
        ));
        assert!(matches!(
            g.place(4294967295.0, 1.0),
            Err(CoordError::LatitudeOutOfRange { .. })
        ));
        assert!(matches!(
            g.place(-90.5, 1.0),
            Err(CoordError::LatitudeOutOfRange { .. })
        ));
        assert!(matches!(
            g.place(1.0, 180.01),
            Err(CoordError::LongitudeOutOfRange { .. })
        ));
        assert!(matches!(
            g.place(1.0, -540.0),
            Err(CoordError::LongitudeOutOfRange { .. })
        ));
        assert_eq!(g.place(0.0, 0.0), Err(CoordError::NullIsland));
        assert_eq!(g.place(-0.0, 0.0), Err(CoordError::NullIsland));
        assert!(g.place(0.0, 0.001).is_ok());
        assert!(matches!(place(f64::NAN, 0.0), Err(PlaceError::Coord(_))));
        assert!(g.region_ids(f64::NAN, 0.0).is_err());
    }

    /// A 0.5° grid over the whole globe plus extreme values: no panic, and
    /// every country answered is in the country table.
    #[test]
    fn whole_globe_and_extremes() {
        let g = geo();
        let mut countries = std::collections::BTreeSet::new();
        let mut unknown_ids = std::collections::BTreeSet::new();
        for i in 0..=360 {
            for j in 0..=720 {
                let (lat, lon) = (-90.0 + 0.5 * f64::from(i), -180.0 + 0.5 * f64::from(j));
                if let Ok(p) = g.place(lat, lon) {
                    if let Some(c) = p.country {
                        countries.insert(c);
                    }
                    assert!(p.nearest_town.distance_km.is_finite());
                }
                if let Ok(ids) = g.region_ids(lat, lon) {
                    for id in ids {
                        if id.len() == 2 && CountryCode::parse(id).and_then(country).is_none() {
                            unknown_ids.insert(id.to_owned());
                        }
                    }
                }
            }
        }
        assert!(countries.len() > 200, "{} countries", countries.len());
        assert!(countries.iter().all(|c| country(*c).is_some()));
        // Ids that are not ISO 3166-1 countries are only CLDR's extra
        // territories (Ceuta and Melilla, Canary Islands, ...).
        assert!(
            unknown_ids
                .iter()
                .all(|id| ["EA", "IC", "AC", "TA", "CP", "DG"].contains(&id.as_str())),
            "{unknown_ids:?}"
        );
        for (lat, lon) in [
            (f64::MAX, 0.0),
            (f64::MIN, 0.0),
            (0.0, f64::MAX),
            (f64::MIN_POSITIVE, 0.0),
            (-0.0, -0.0),
            (90.0, -180.0),
            (-90.0, 180.0),
            (f64::EPSILON, -f64::EPSILON),
        ] {
            let _ = g.place(lat, lon);
        }
    }

    #[test]
    fn haversine() {
        // Paris – London, about 344 km.
        let d = distance_km(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((d - 343.5).abs() < 2.0, "{d}");
        assert_eq!(distance_km(10.0, 10.0, 10.0, 10.0), 0.0);
        let antipode = distance_km(0.0, 0.0, 0.0, 180.0);
        assert!((antipode - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }
}
