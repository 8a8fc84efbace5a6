//! Offline places and language-to-country data for vidi's "clues" (where was
//! the material made?). Everything is compiled in: no network, no files.
//!
//! * [`Geocoder::place`] / [`place`]: country (ISO 3166-1 alpha-2) and
//!   subdivision from OpenStreetMap border polygons, nearest GeoNames town.
//! * [`countries_for_language`] / [`languages_of`]: Unicode CLDR
//!   territory–language data.
//! * [`countries_for_utc_offset`]: IANA time zone offsets per country.
//! * [`country_name`] and [`countries`]: English names (CLDR) and populations.
//! * [`places_named`]: towns (100,000+ inhabitants) and first-level regions
//!   named in a text (GeoNames), guarded against common words.
//!
//! Sources, licences and how the tables were made: `docs/data.md`.
//!
//! ```
//! use vidi_geo::{CountryCode, CoordError};
//!
//! let geo = vidi_geo::geocoder()?; // loaded once (~0.3 s), shared by all threads
//! let kehl = geo.place(48.5725, 7.8155)?;
//! assert_eq!(kehl.country.map(|c| c.to_string()).as_deref(), Some("DE"));
//! assert_eq!(kehl.nearest_town.name, "Kehl");
//! assert_eq!(geo.place(0.0, 0.0), Err(CoordError::NullIsland));
//!
//! let nl = CountryCode::parse("NL").ok_or("code")?;
//! assert_eq!(vidi_geo::languages_of(nl)[0].lang, "nl");
//! assert_eq!(vidi_geo::countries_for_language("nl")[0].country, nl);
//! assert!(vidi_geo::countries_for_utc_offset(330).iter().any(|c| c.as_str() == "IN"));
//! assert_eq!(vidi_geo::country_name("NL"), Some("Netherlands"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod country;
mod language;
mod names;
mod offset;
mod place;
mod table;

pub use country::{
    Country, CountryCode, countries, country, country_by_name, country_name, subdivision_name,
};
pub use language::{
    CountryShare, LanguageUse, OfficialStatus, countries_for_language, language_name, languages_of,
    normalize_language,
};
pub use names::{NamedPlace, PlaceKind, PlaceMention, places_named};
pub use offset::{
    OffsetUse, countries_for_utc_offset, countries_for_utc_offset_in_year, data_last_year,
    utc_offsets_of,
};
pub use place::{
    CoordError, Geocoder, LoadError, Place, PlaceError, Source, Subdivision, SubdivisionSource,
    Town, check_coordinates, distance_km, geocoder, place,
};
