//! The OpenAPI 3 document, generated from the handlers' annotations and
//! served at `/api/openapi.json`. A unit test checks that every route the
//! routers declare is in it, with the same methods.

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
        routes::file::file,
        routes::similar::similar,
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
        routes::series::list,
        routes::series::create,
        routes::series::one,
        routes::series::rename,
        routes::series::merge,
        routes::series::split,
        routes::series::add_media,
        routes::series::remove_media,
        routes::leads::list,
        routes::leads::create,
        routes::leads::one,
        routes::leads::edit,
        routes::leads::submit,
        routes::leads::approve,
        routes::leads::reject,
        routes::leads::disseminate,
        routes::leads::comment,
        routes::packages::list,
        routes::packages::create,
        routes::packages::signing_key,
        routes::packages::file,
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
        routes::series::SeriesName,
        routes::series::MergeRequest,
        routes::series::SplitRequest,
        routes::series::SeriesMedia,
        routes::leads::LeadRequest,
        routes::leads::LeadPatch,
        routes::leads::RejectRequest,
        routes::leads::NoteRequest,
        routes::leads::CommentRequest,
        routes::packages::PackageRequest,
        routes::packages::PackageDto,
    ))
)]
pub(crate) struct ApiDoc;

/// The document as JSON text.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// `(path, methods)` of every `.route("...", get(..).post(..))` in a
    /// source file.
    fn declared(src: &str) -> Vec<(String, BTreeSet<String>)> {
        let mut out = Vec::new();
        let mut rest = src;
        while let Some(i) = rest.find(".route(\"") {
            rest = &rest[i + 8..];
            let Some(end) = rest.find('"') else { break };
            let path = rest[..end].to_owned();
            // The handler expression ends at the route call's closing paren.
            let mut depth = 1usize;
            let mut stop = rest.len();
            for (j, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            stop = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let expr = &rest[end..stop];
            let methods = ["get", "post", "put", "patch", "delete"]
                .iter()
                .filter(|m| expr.contains(&format!("{m}(")))
                .map(|m| (*m).to_owned())
                .collect();
            out.push((path, methods));
        }
        out
    }

    #[test]
    fn every_api_route_is_documented_with_its_methods() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![format!("{dir}/auth.rs")];
        for e in std::fs::read_dir(format!("{dir}/routes")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                files.push(p.to_string_lossy().into_owned());
            }
        }
        let doc: serde_json::Value = serde_json::from_str(&openapi_json()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in &files {
            for (path, methods) in declared(&std::fs::read_to_string(f).unwrap()) {
                want.entry(format!("/api/v1{path}"))
                    .or_default()
                    .extend(methods);
            }
        }
        assert!(want.len() > 30, "routes found: {}", want.len());
        for (path, methods) in &want {
            let doc_path = paths
                .get(path)
                .unwrap_or_else(|| panic!("{path} is not in the OpenAPI document"));
            for m in methods {
                assert!(
                    doc_path.get(m).is_some(),
                    "{} {path} is not in the OpenAPI document",
                    m.to_uppercase()
                );
            }
        }
        // And nothing documented that no router serves.
        for p in paths.keys() {
            assert!(want.contains_key(p), "{p} is documented but not routed");
        }
        // Request bodies refer to schemas that exist.
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let text = doc.to_string();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("#/components/schemas/") {
            rest = &rest[i + 21..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(schemas.contains_key(&name), "schema {name} is missing");
        }
    }
}
