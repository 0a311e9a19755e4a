//! A verification result as published.

use serde::Serialize;
use serde_json::Value;

use super::hal::{Link, Rels};
use super::links::Links;
use crate::model::{Snapshot, VerificationDetail};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResource {
    pub provider_name: String,
    pub provider_application_version: String,
    pub success: bool,
    pub verification_date: String,
    pub build_url: Option<String>,
    /// As the verifier sent them: an array (pact_verifier) or an object (other clients).
    pub test_results: Value,
    pub verified_by: Value,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn verification(
    links: &Links,
    snapshot: &Snapshot,
    provider: &str,
    consumer: &str,
    detail: &VerificationDetail,
) -> VerificationResource {
    let v = &detail.verification;
    let version = &snapshot.version(v.provider_version_id).number;
    VerificationResource {
        provider_name: provider.to_owned(),
        provider_application_version: version.clone(),
        success: v.success,
        verification_date: v.created_at.clone(),
        build_url: detail.build_url.clone(),
        test_results: detail.test_results.clone(),
        verified_by: detail.verified_by.clone(),
        links: Rels::new()
            .with(
                "self",
                Link::named(
                    links.verification(provider, consumer, &v.sha, v.id),
                    format!(
                        "Verification result {} for Pact between {consumer} and {provider}",
                        v.id
                    ),
                    "Verification result",
                ),
            )
            .with(
                "pb:pact-version",
                Link::named(links.pact_version(provider, consumer, &v.sha), &v.sha, "Pact"),
            )
            .with(
                "pb:provider-version",
                Link::to_version(links, provider, version, "Provider version"),
            ),
    }
}
