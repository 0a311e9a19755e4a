//! Pacts: the document as published plus the broker's links, and the lists of pacts.

use serde::Serialize;
use serde_json::Value;

use super::hal::{Link, NamedRef, Rels};
use super::links::Links;
use crate::model::{Publication, Snapshot};

/// The links of a pact document (incl. where to publish verification results).
pub fn pact_links(links: &Links, snapshot: &Snapshot, publication: &Publication) -> Rels {
    let consumer = snapshot.name(publication.consumer_id);
    let provider = snapshot.name(publication.provider_id);
    let version = &snapshot.version(publication.consumer_version_id).number;
    let sha = &publication.sha;
    let title = format!("Pact between {consumer} ({version}) and {provider}");
    Rels::new()
        .with(
            "self",
            Link::named(links.pact(provider, consumer, version), title, "Pact"),
        )
        .with("pb:consumer", Link::to_pacticipant(links, consumer, "Consumer"))
        .with(
            "pb:consumer-version",
            Link::to_version(links, consumer, version, "Consumer version"),
        )
        .with("pb:provider", Link::to_pacticipant(links, provider, "Provider"))
        .with(
            "pb:pact-version",
            Link::named(
                links.pact_version(provider, consumer, sha),
                sha,
                "Pact content version permalink",
            ),
        )
        .with(
            "pb:latest-pact-version",
            Link::titled(links.latest_pact(provider, consumer), "Latest version of this pact"),
        )
        .with(
            "pb:diff-previous-distinct",
            Link::titled(
                links.pact_diff_previous_distinct(provider, consumer, version),
                "Diff with the previous distinct version of this pact",
            ),
        )
        .with(
            "pb:all-pact-versions",
            Link::titled(links.pair_versions(provider, consumer), "All versions of this pact"),
        )
        .with(
            "pb:latest-tagged-pact-version",
            Link::template(
                links.latest_tagged_pact_template(provider, consumer),
                "Latest tagged version of this pact",
            ),
        )
        .with(
            "pb:publish-verification-results",
            Link::titled(
                links.publish_verification(provider, consumer, sha),
                "Publish verification results",
            ),
        )
        .with(
            "pb:latest-verification-results",
            Link::titled(
                links.latest_verification(provider, consumer, sha),
                "Latest verification results",
            ),
        )
        .with_curies(links)
}

/// The pact as published, with the broker's `createdAt` and `_links` added. The document stays
/// JSON: it is the consumer's, whatever its specification version holds.
pub fn pact(links: &Links, snapshot: &Snapshot, publication: &Publication, mut content: Value) -> Value {
    if let Some(object) = content.as_object_mut() {
        object.insert("createdAt".into(), Value::String(publication.created_at.clone()));
        let rels = pact_links(links, snapshot, publication);
        object.insert("_links".into(), serde_json::to_value(rels).unwrap_or_default());
    }
    content
}

/// A pact in a list, named by `name_of(consumer, version)`.
fn listed_pact(
    links: &Links,
    snapshot: &Snapshot,
    p: &Publication,
    name_of: for<'a> fn(&'a str, &'a str) -> &'a str,
) -> Link {
    let consumer = snapshot.name(p.consumer_id);
    let provider = snapshot.name(p.provider_id);
    let version = &snapshot.version(p.consumer_version_id).number;
    Link::named(
        links.pact(provider, consumer, version),
        name_of(consumer, version),
        format!("Pact between {consumer} ({version}) and {provider}"),
    )
}

/// A provider's pacts (latest per consumer, with a tag, or all).
#[derive(Debug, Serialize)]
pub struct ProviderPacts {
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn provider_pacts(
    links: &Links,
    snapshot: &Snapshot,
    provider: &str,
    publications: &[&Publication],
    self_href: String,
) -> ProviderPacts {
    let pacts: Vec<Link> = publications
        .iter()
        .map(|p| listed_pact(links, snapshot, p, |consumer, _| consumer))
        .collect();
    let provider_link = Link::to_pacticipant(links, provider, "Provider");
    ProviderPacts {
        links: Rels::to_self(self_href)
            .with("provider", provider_link.clone())
            .with("pb:provider", provider_link)
            .with("pb:pacts", pacts.clone())
            .with("pacts", pacts),
    }
}

/// Every pact version of a consumer/provider pair, newest first.
pub fn pair_versions(
    links: &Links,
    snapshot: &Snapshot,
    provider: &str,
    consumer: &str,
    publications: &[&Publication],
    self_href: String,
) -> ProviderPacts {
    let versions: Vec<Link> = publications
        .iter()
        .rev()
        .map(|p| listed_pact(links, snapshot, p, |_, version| version))
        .collect();
    ProviderPacts {
        links: Rels::to_self(self_href)
            .with("pb:consumer", Link::to_pacticipant(links, consumer, "Consumer"))
            .with("pb:provider", Link::to_pacticipant(links, provider, "Provider"))
            .with("pb:pact-versions", versions),
    }
}

/// `GET /pacts/latest`: the newest pact of every pair.
#[derive(Debug, Serialize)]
pub struct LatestPacts {
    #[serde(rename = "_links")]
    pub links: Rels,
    pub pacts: Vec<LatestPact>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestPact {
    pub created_at: String,
    #[serde(rename = "_embedded")]
    pub embedded: LatestPactParties,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct LatestPactParties {
    pub consumer: ConsumerWithVersion,
    pub provider: NamedRef,
}

#[derive(Debug, Serialize)]
pub struct ConsumerWithVersion {
    pub name: String,
    #[serde(rename = "_links")]
    pub links: Rels,
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedVersionNumber,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedVersionNumber {
    pub version: VersionNumber,
}

#[derive(Debug, Serialize)]
pub struct VersionNumber {
    pub number: String,
}

pub fn latest_pacts(links: &Links, snapshot: &Snapshot) -> LatestPacts {
    let pacts = snapshot
        .latest_pairs()
        .into_iter()
        .map(|p| {
            let consumer = snapshot.name(p.consumer_id);
            let provider = snapshot.name(p.provider_id);
            let version = &snapshot.version(p.consumer_version_id).number;
            LatestPact {
                created_at: p.created_at.clone(),
                embedded: LatestPactParties {
                    consumer: ConsumerWithVersion {
                        name: consumer.to_owned(),
                        links: Rels::to_self(links.pacticipant(consumer)),
                        embedded: EmbeddedVersionNumber {
                            version: VersionNumber {
                                number: version.clone(),
                            },
                        },
                    },
                    provider: NamedRef::new(provider, links.pacticipant(provider)),
                },
                links: Rels::new().with(
                    "self",
                    vec![
                        Link::new(links.latest_pact(provider, consumer)),
                        Link::new(links.pact(provider, consumer, version)),
                    ],
                ),
            }
        })
        .collect();
    LatestPacts {
        links: Rels::to_self(links.latest_pacts()),
        pacts,
    }
}
