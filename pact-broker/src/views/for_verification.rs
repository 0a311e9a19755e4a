//! Pacts for verification: one entry per selected pact content, with why it was selected and
//! the pending/WIP notices the verifiers print (the official broker's texts).

use base64::Engine;
use serde::Serialize;
use serde_json::json;

use super::hal::{Link, Rels};
use super::links::Links;
use crate::model::selectors::{Selected, VerificationRequest};

#[derive(Debug, Serialize)]
pub struct PactsForVerification {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedPacts,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedPacts {
    pub pacts: Vec<PactForVerification>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PactForVerification {
    pub short_description: String,
    pub verification_properties: VerificationProperties,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct VerificationProperties {
    pub notices: Vec<Notice>,
    /// Always present (false unless includePendingStatus made it true): the Rust verifier
    /// reads it from every entry.
    pub pending: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wip: bool,
}

#[derive(Debug, Serialize)]
pub struct Notice {
    pub when: &'static str,
    pub text: String,
}

fn notice(when: &'static str, text: String) -> Notice {
    Notice { when, text }
}

pub fn pacts_for_verification(
    links: &Links,
    provider: &str,
    request: &VerificationRequest,
    selected: &[Selected],
) -> PactsForVerification {
    PactsForVerification {
        embedded: EmbeddedPacts {
            pacts: selected.iter().map(|s| entry(links, provider, request, s)).collect(),
        },
        links: Rels::new().with(
            "self",
            Link::titled(links.pacts_for_verification(provider), "Pacts to be verified"),
        ),
    }
}

fn entry(links: &Links, provider: &str, request: &VerificationRequest, s: &Selected) -> PactForVerification {
    let url = links.pact_version_with_metadata(provider, &s.consumer, &s.publication.sha, &metadata(s));
    let mut notices = Vec::new();
    if s.wip {
        notices.push(notice(
            "before_verification",
            format!(
                "The pact at {url} is being verified because it is a 'work in progress' pact (ie. it is the pact for the {} and is still in pending state). Read more at https://docs.pact.io/go/wip",
                s.descriptions.join(", ")
            ),
        ));
    } else {
        let noun = if s.descriptions.len() == 1 {
            "criterion"
        } else {
            "criteria"
        };
        notices.push(notice(
            "before_verification",
            format!(
                "The pact at {url} is being verified because the pact content belongs to the consumer version matching the following {noun}:\n    * {}",
                s.descriptions.join("\n    * ")
            ),
        ));
    }
    let with = match (
        &request.provider_version_branch,
        request.provider_version_tags.is_empty(),
    ) {
        (Some(branch), _) => format!("a version of {provider} from branch '{branch}'"),
        (None, false) => format!(
            "a version of {provider} with tag(s) {}",
            request.provider_version_tags.join(", ")
        ),
        (None, true) => format!("any version of {provider}"),
    };
    match s.pending {
        Some(true) => notices.extend([
            notice(
                "before_verification",
                format!("This pact is in pending state for this version of {provider} because a successful verification result for {with} has not yet been published. If this verification fails, it will not cause the overall build to fail. Read more at https://docs.pact.io/go/pending"),
            ),
            notice(
                "after_verification:success_true_published_false",
                format!("This pact is still in pending state for {with} as the successful verification results have not yet been published."),
            ),
            notice(
                "after_verification:success_true_published_true",
                format!("This pact is no longer in pending state for {with}, as a successful verification result has been published. If a verification for a version with fails in the future, it will fail the build. Read more at https://docs.pact.io/go/pending"),
            ),
            notice(
                "after_verification:success_false_published_false",
                format!("This pact is still in pending state for {with} as a successful verification result has not yet been published"),
            ),
        ]),
        Some(false) => notices.push(notice(
            "before_verification",
            format!("This pact has previously been successfully verified by {with}. If this verification fails, it will fail the build. Read more at https://docs.pact.io/go/pending"),
        )),
        None => {}
    }
    PactForVerification {
        short_description: short_description(s),
        verification_properties: VerificationProperties {
            notices,
            pending: s.pending.unwrap_or(false),
            wip: s.wip,
        },
        links: Rels::new().with(
            "self",
            Link::new(url).name(format!(
                "Pact between {} ({}) and {provider}",
                s.consumer, s.consumer_version
            )),
        ),
    }
}

fn short_description(s: &Selected) -> String {
    if s.wip {
        return "WIP".to_owned();
    }
    s.descriptions
        .iter()
        .map(|d| {
            d.split(" (")
                .next()
                .unwrap_or(d)
                .replace(&format!(" of {}", s.consumer), "")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The official broker encodes the selection in the pact URL's metadata; here it is the consumer
/// version and whether it is WIP/pending, URL-safe base64 of a small JSON.
fn metadata(s: &Selected) -> String {
    let json = json!({ "s": s.consumer_version, "w": s.wip });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}
