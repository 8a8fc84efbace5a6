//! Offline places and language-to-country data for vidi's "clues" (where was
//! the material made?). Everything is compiled in: no network, no files.
//!
//! * [`Geocoder::place`] / [`place`]: country (ISO 3166-1 alpha-2) and
//!   subdivision from OpenStreetMap border polygons, nearest GeoNames town.
//! * [`countries_for_language`] / [`languages_of`]: Unicode CLDR
//!   territory–language data.
//! * [`countries_for_utc_offset`]: IANA time zone offsets per country.
//! * [`country_name`] and [`countries`]: English names (CLDR) and populations.
//!
//! Sources, licences and how the tables were made: `docs/data.md`.
#![warn(missing_docs)]

mod country;
mod language;
mod offset;
mod place;
mod table;

pub use country::{
    Country, CountryCode, countries, country, country_by_name, country_name, subdivision_name,
};
pub use language::{
    CountryShare, LanguageUse, OfficialStatus, countries_for_language, languages_of,
    normalize_language,
};
pub use offset::{
    OffsetUse, countries_for_utc_offset, countries_for_utc_offset_in_year, data_last_year,
    utc_offsets_of,
};
pub use place::{
    CoordError, Geocoder, LoadError, Place, PlaceError, Source, Subdivision, SubdivisionSource,
    Town, check_coordinates, distance_km, geocoder, place,
};
