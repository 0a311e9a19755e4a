//! The answer to `POST /contracts/publish`: notices (what pact-broker-cli prints), the older
//! `logs`, and links to what was published.

use serde::Serialize;

use super::hal::{Link, NamedRef, Rels};
use super::links::Links;
use crate::model::pact::PublishOutcome;

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub text: String,
}

impl Notice {
    pub fn new(kind: &'static str, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }
}

/// A notice as the older clients read it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub level: &'static str,
    pub message: String,
    pub deprecation_warning: &'static str,
}

#[derive(Debug, Serialize)]
pub struct PublishResult {
    pub notices: Vec<Notice>,
    pub logs: Vec<Log>,
    #[serde(rename = "_embedded")]
    pub embedded: Published,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct Published {
    pub pacticipant: NamedRef,
    pub version: PublishedVersion,
}

#[derive(Debug, Serialize)]
pub struct PublishedVersion {
    pub number: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

/// What was asked: the consumer version and its labels.
#[derive(Debug)]
pub struct Publication<'a> {
    pub consumer: &'a str,
    pub version: &'a str,
    pub branch: Option<&'a str>,
    pub tags: &'a [String],
    /// Whether the version existed before.
    pub version_existed: bool,
}

/// The notice that opens the answer: the version created or updated, with branch and tags.
pub fn version_notice(publication: &Publication<'_>) -> Notice {
    let mut described = format!("{} version {}", publication.consumer, publication.version);
    if let Some(branch) = publication.branch {
        described.push_str(&format!(" with branch {branch}"));
    }
    if !publication.tags.is_empty() {
        described.push_str(&format!(" and tags {}", publication.tags.join(", ")));
    }
    let verb = if publication.version_existed {
        "Updated"
    } else {
        "Created"
    };
    Notice::new("success", format!("{verb} {described}"))
}

/// The notices for one contract: what happened to it and where to see it.
pub fn contract_notices(
    links: &Links,
    consumer: &str,
    version: &str,
    provider: &str,
    outcome: PublishOutcome,
) -> [Notice; 2] {
    let text = match outcome {
        PublishOutcome::Created => format!("Pact published for {consumer} version {version} and provider {provider}."),
        PublishOutcome::Unchanged => format!(
            "Pact for {consumer} version {version} and provider {provider} was already published with the same content."
        ),
        PublishOutcome::Merged => format!("Pact merged for {consumer} version {version} and provider {provider}."),
        PublishOutcome::Overwritten => {
            format!("Pact overwritten for {consumer} version {version} and provider {provider}.")
        }
    };
    [
        Notice::new("success", text),
        Notice::new(
            "info",
            format!("View the published pact at {}", links.pact(provider, consumer, version)),
        ),
    ]
}

pub fn publish_result(
    links: &Links,
    publication: &Publication<'_>,
    providers: &[String],
    notices: Vec<Notice>,
) -> PublishResult {
    let (consumer, version) = (publication.consumer, publication.version);
    let version_url = links.version(consumer, version);
    let logs = notices
        .iter()
        .map(|n| Log {
            level: "info",
            message: n.text.clone(),
            deprecation_warning: "Replaced by notices",
        })
        .collect();
    let contracts: Vec<Link> = providers
        .iter()
        .map(|provider| {
            Link::named(
                links.pact(provider, consumer, version),
                format!("Pact between {consumer} ({version}) and {provider}"),
                "Pact",
            )
        })
        .collect();
    let tags: Vec<Link> = publication
        .tags
        .iter()
        .map(|t| Link::named(links.tag(consumer, version, t), t, "Tag"))
        .collect();
    PublishResult {
        notices,
        logs,
        embedded: Published {
            pacticipant: NamedRef::new(consumer, links.pacticipant(consumer)),
            version: PublishedVersion {
                number: version.to_owned(),
                links: Rels::new().with("self", Link::named(&version_url, version, "Version")),
            },
        },
        links: Rels::new()
            .with("pb:pacticipant", Link::to_pacticipant(links, consumer, "Pacticipant"))
            .with(
                "pb:pacticipant-version",
                Link::named(&version_url, version, "Pacticipant version"),
            )
            .with("pb:pacticipant-version-tags", tags)
            .with("pb:contracts", contracts),
    }
}
