//! The OpenAPI 3 document, generated from the handlers' annotations and
//! served at `/api/openapi.json`.

use utoipa::OpenApi;

use crate::{auth, error, routes};

/// Every documented route and schema.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "vidi task-force API",
        description = "JSON API of `vidi serve`. Errors: `{error: {code, message}}`. Lists: `?limit&cursor` -> `{items, next_cursor, total}`. Non-GET requests with the session cookie need `X-CSRF-Token`."
    ),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        auth::create_token,
        routes::media::cases,
        routes::media::case_media,
        routes::media::media,
        routes::media::thumbnail,
        routes::media::file,
        routes::media::similar,
        routes::media::add_tag,
        routes::media::add_note,
        routes::media::add_category,
        routes::media::add_clue,
        routes::admin::get_settings,
        routes::admin::put_settings,
        routes::admin::agencies,
        routes::admin::list_grants,
        routes::admin::grant,
        routes::admin::audit_list,
        routes::admin::map,
        routes::admin::geo_countries,
        routes::admin::series,
        routes::admin::series_one,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        auth::LoginRequest,
        auth::AuthResponse,
        auth::UserDto,
        auth::AgencyDto,
        auth::TokenRequest,
        auth::TokenResponse,
        routes::admin::Settings,
        routes::admin::GrantRequest,
        routes::media::TagRequest,
        routes::media::NoteRequest,
        routes::media::CategoryRequest,
        routes::media::ClueRequest,
    ))
)]
pub(crate) struct ApiDoc;

/// The document as JSON text.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}
