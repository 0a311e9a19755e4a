//! `GET /`: the index with every `pb:` relation clients navigate from (or the web page for a
//! browser).

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use service_kit::ApiError;

use crate::AppState;
use crate::hal::{Base, Hal, link, templated, titled};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
}

async fn heartbeat() -> Hal {
    Hal::ok(json!({ "ok": true }))
}

async fn index(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if super::wants_html(&headers) {
        return crate::ui::index_page(&state, &base)
            .await
            .map(IntoResponse::into_response);
    }
    Ok(Hal::ok(index_json(&base)).into_response())
}

pub fn index_json(base: &Base) -> Value {
    let u = |path: &str| base.url(path);
    json!({
        "_links": {
            "self": { "href": u(""), "title": "Index", "templated": false },
            "pb:publish-pact": templated(u("/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}"), "Publish a pact"),
            "pb:publish-contracts": { "href": u("/contracts/publish"), "title": "Publish contracts", "templated": false },
            "pb:latest-pact-versions": titled(u("/pacts/latest"), "Latest pact versions"),
            "pb:pacticipants": titled(u("/pacticipants"), "Pacticipants"),
            "pb:pacticipant": templated(u("/pacticipants/{pacticipant}"), "Fetch pacticipant by name"),
            "pb:latest-provider-pacts": templated(u("/pacts/provider/{provider}/latest"), "Latest pacts by provider"),
            "pb:latest-provider-pacts-with-tag": templated(u("/pacts/provider/{provider}/latest/{tag}"), "Latest pacts for provider with the specified tag"),
            "pb:provider-pacts": templated(u("/pacts/provider/{provider}"), "All pact versions for the provider"),
            "pb:provider-pacts-for-verification": templated(u("/pacts/provider/{provider}/for-verification"), "Pact versions to be verified for the specified provider"),
            "pb:latest-version": templated(u("/pacticipants/{pacticipant}/latest-version"), "Latest pacticipant version"),
            "pb:latest-tagged-version": templated(u("/pacticipants/{pacticipant}/latest-version/{tag}"), "Latest pacticipant version with the specified tag"),
            "pb:pacticipant-version": templated(u("/pacticipants/{pacticipant}/versions/{version}"), "Get, create or delete a pacticipant version"),
            "pb:pacticipant-version-tag": templated(u("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}"), "Get, create or delete a tag for a pacticipant version"),
            "pb:pacticipant-branch-version": templated(u("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}"), "Get or add/create a pacticipant version for a branch"),
            "pb:pacticipant-branch": templated(u("/pacticipants/{pacticipant}/branches/{branch}"), "Get or delete a pacticipant branch"),
            "pb:matrix": templated(u("/matrix"), "The matrix of pact verification results"),
            "pb:can-i-deploy-pacticipant-version-to-tag": templated(u("/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}"), "Determine if an application version can be safely deployed to an environment identified by the given tag"),
            "pb:can-i-deploy-pacticipant-version-to-environment": templated(u("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}"), "Determine if an application version can be safely deployed to an environment"),
            "pb:can-i-deploy-branch-to-environment": templated(u("/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}"), "Determine if the latest version from a branch can be safely deployed to an environment"),
            "pb:environments": titled(u("/environments"), "Environments"),
            "pb:environment": templated(u("/environments/{uuid}"), "Environment"),
            "pb:dashboard": titled(u("/"), "Dashboard (web page)"),
            "pb:network": titled(u("/network"), "Network graph of who depends on whom (web page, SVG at /network.svg)"),
            "pb:heartbeat": link(u("/diagnostic/status/heartbeat")),
            "curies": crate::hal::curies(base),
        }
    })
}
