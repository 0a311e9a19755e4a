//! Integrations (consumer/provider pairs with a pact): `GET /integrations`, and
//! `DELETE /integrations/provider/{p}/consumer/{c}` removing the pair's pacts and verifications.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use serde::Serialize;
use service_kit::extract::Path;

use super::ApiError;
use super::hal::Hal;
use crate::AppState;
use crate::views::Links;
use crate::views::hal::{Link, Rels};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations", get(list))
        .route("/integrations/provider/{provider}/consumer/{consumer}", delete(remove))
}

#[derive(Debug, Serialize)]
struct Named {
    name: String,
    #[serde(rename = "_links")]
    links: Rels,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Integration {
    consumer: Named,
    provider: Named,
    /// The latest pact's latest verification: `success`, `failed` or `never`.
    verification_status: &'static str,
    latest_pact_publication_created_at: String,
    #[serde(rename = "_links")]
    links: Rels,
}

#[derive(Debug, Serialize)]
struct Integrations {
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    #[serde(rename = "_links")]
    links: Rels,
}

#[derive(Debug, Serialize)]
struct Embedded {
    integrations: Vec<Integration>,
}

async fn list(State(state): State<AppState>, links: Links) -> Result<Hal<Integrations>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let named = |name: &str| Named {
        name: name.to_owned(),
        links: Rels::to_self(links.pacticipant(name)),
    };
    let integrations = snapshot
        .latest_pairs()
        .into_iter()
        .map(|p| {
            let (consumer, provider) = (snapshot.name(p.consumer_id), snapshot.name(p.provider_id));
            let verification_status = match snapshot.last_verification(p).map(|v| v.success) {
                Some(true) => "success",
                Some(false) => "failed",
                None => "never",
            };
            Integration {
                consumer: named(consumer),
                provider: named(provider),
                verification_status,
                latest_pact_publication_created_at: p.created_at.clone(),
                links: Rels::new()
                    .with("self", Link::new(links.integration(provider, consumer)))
                    .with("pb:latest-pact", Link::new(links.latest_pact(provider, consumer))),
            }
        })
        .collect();
    Ok(Hal::ok(Integrations {
        embedded: Embedded { integrations },
        links: Rels::to_self(links.integrations()),
    }))
}

async fn remove(
    State(state): State<AppState>,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    match state.store.delete_integration(&consumer, &provider).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!(
            "no integration between {consumer} and {provider}"
        ))),
    }
}
