//! Versions with their branches and tags, and the branch and tag resources.

use serde::Serialize;

use super::hal::{Link, NamedRef, Rels};
use super::links::Links;
use crate::model::{Snapshot, Version};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionResource {
    pub number: String,
    pub build_url: Option<String>,
    pub created_at: String,
    #[serde(rename = "_embedded")]
    pub embedded: VersionLabels,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionLabels {
    pub branch_versions: Vec<NamedRef>,
    pub tags: Vec<NamedRef>,
}

/// A version with its branches, tags, pacts and the record-deployment/-release links, one per
/// environment.
pub fn version(links: &Links, snapshot: &Snapshot, pacticipant: &str, v: &Version) -> VersionResource {
    let number = &v.number;
    let record = |kind: &str, title: &str| -> Vec<Link> {
        snapshot
            .environments
            .iter()
            .map(|e| {
                Link::named(
                    links.record(pacticipant, number, kind, &e.uuid),
                    &e.name,
                    format!("{title} {}", e.title()),
                )
            })
            .collect()
    };
    let pact_versions: Vec<Link> = snapshot
        .publications_of_version(v.id)
        .map(|p| {
            let provider = snapshot.name(p.provider_id);
            Link::named(
                links.pact(provider, pacticipant, number),
                format!("Pact between {pacticipant} ({number}) and {provider}"),
                "Pact",
            )
        })
        .collect();
    VersionResource {
        number: number.clone(),
        build_url: v.build_url.clone(),
        created_at: v.created_at.clone(),
        embedded: VersionLabels {
            branch_versions: v
                .branches
                .iter()
                .map(|b| NamedRef::new(b, links.branch_version(pacticipant, b, number)))
                .collect(),
            tags: v
                .tags
                .iter()
                .map(|t| NamedRef::new(t, links.tag(pacticipant, number, t)))
                .collect(),
        },
        links: Rels::new()
            .with("self", Link::to_version(links, pacticipant, number, "Version"))
            .with(
                "pb:pacticipant",
                Link::to_pacticipant(links, pacticipant, "Pacticipant"),
            )
            .with(
                "pb:tag",
                Link::template(
                    links.tag_template(pacticipant, number),
                    "Get, create or delete a tag for this pacticipant version",
                ),
            )
            .with("pb:pact-versions", pact_versions)
            .with(
                "pb:record-deployment",
                record("deployed-versions", "Record deployment to"),
            )
            .with("pb:record-release", record("released-versions", "Record release to"))
            .with_curies(links),
    }
}

#[derive(Debug, Serialize)]
pub struct VersionList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedVersions,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedVersions {
    pub versions: Vec<VersionResource>,
}

/// A pacticipant's versions, newest first.
pub fn version_list(links: &Links, snapshot: &Snapshot, pacticipant_id: i64) -> VersionList {
    let pacticipant = snapshot.name(pacticipant_id);
    VersionList {
        embedded: EmbeddedVersions {
            versions: snapshot
                .versions_of(pacticipant_id)
                .into_iter()
                .map(|v| version(links, snapshot, pacticipant, v))
                .collect(),
        },
        links: Rels::to_self(links.versions(pacticipant)),
    }
}

/// A tag of a version, or a branch (both: a name and links).
#[derive(Debug, Serialize)]
pub struct Label {
    pub name: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn tag(links: &Links, pacticipant: &str, number: &str, tag: &str) -> Label {
    Label {
        name: tag.to_owned(),
        links: Rels::to_self(links.tag(pacticipant, number, tag))
            .with("pb:version", Link::to_version(links, pacticipant, number, "Version"))
            .with(
                "pb:pacticipant",
                Link::to_pacticipant(links, pacticipant, "Pacticipant"),
            ),
    }
}

pub fn branch(links: &Links, pacticipant: &str, branch: &str) -> Label {
    Label {
        name: branch.to_owned(),
        links: Rels::to_self(links.branch(pacticipant, branch))
            .with(
                "pb:latest-version",
                Link::new(links.branch_latest_version(pacticipant, branch)),
            )
            .with(
                "pb:pacticipant",
                Link::to_pacticipant(links, pacticipant, "Pacticipant"),
            ),
    }
}

#[derive(Debug, Serialize)]
pub struct BranchList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedBranches,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedBranches {
    pub branches: Vec<NamedRef>,
}

pub fn branch_list(links: &Links, pacticipant: &str, branches: &[&str]) -> BranchList {
    BranchList {
        embedded: EmbeddedBranches {
            branches: branches
                .iter()
                .map(|b| NamedRef::new(*b, links.branch(pacticipant, b)))
                .collect(),
        },
        links: Rels::to_self(links.branches(pacticipant)),
    }
}

/// A version's membership of a branch.
#[derive(Debug, Serialize)]
pub struct BranchVersion {
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn branch_version(links: &Links, pacticipant: &str, branch: &str, number: &str) -> BranchVersion {
    BranchVersion {
        links: Rels::to_self(links.branch_version(pacticipant, branch, number))
            .with("pb:version", Link::to_version(links, pacticipant, number, "Version"))
            .with(
                "pb:branch",
                Link::named(links.branch(pacticipant, branch), branch, "Branch"),
            ),
    }
}
