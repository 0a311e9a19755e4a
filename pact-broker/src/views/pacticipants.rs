//! Pacticipants, the list of them, and their labels.

use serde::Serialize;

use super::hal::{Link, Rels};
use super::links::Links;
use crate::model::{Label, Pacticipant};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PacticipantResource {
    pub name: String,
    pub display_name: String,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedLabels,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedLabels {
    pub labels: Vec<LabelResource>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelResource {
    pub name: String,
    pub created_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn label(links: &Links, label: &Label) -> LabelResource {
    LabelResource {
        name: label.name.clone(),
        created_at: label.created_at.clone(),
        links: Rels::default()
            .with(
                "self",
                Link::titled(links.label(&label.pacticipant, &label.name), "Label").name(&label.name),
            )
            .with(
                "pacticipant",
                Link::titled(links.pacticipant(&label.pacticipant), "Pacticipant").name(&label.pacticipant),
            ),
    }
}

#[derive(Debug, Serialize)]
pub struct LabelList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedLabelNames,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedLabelNames {
    pub labels: Vec<LabelName>,
}

#[derive(Debug, Serialize)]
pub struct LabelName {
    pub name: String,
}

/// `/labels`: the names alone, as the official broker lists them.
pub fn label_list(links: &Links, names: Vec<String>) -> LabelList {
    LabelList {
        embedded: EmbeddedLabelNames {
            labels: names.into_iter().map(|name| LabelName { name }).collect(),
        },
        links: Rels::default().with("self", Link::titled(links.labels(), "Labels")),
    }
}

/// A pacticipant with its labels (those of `labels` that are its own).
pub fn pacticipant(links: &Links, p: &Pacticipant, labels: &[Label]) -> PacticipantResource {
    let name = &p.name;
    PacticipantResource {
        name: name.clone(),
        display_name: p.display_name.clone().unwrap_or_else(|| name.clone()),
        main_branch: p.main_branch.clone(),
        repository_url: p.repository_url.clone(),
        created_at: p.created_at.clone(),
        updated_at: p.updated_at.clone(),
        embedded: EmbeddedLabels {
            labels: labels
                .iter()
                .filter(|l| &l.pacticipant == name)
                .map(|l| label(links, l))
                .collect(),
        },
        links: Rels::to_self(links.pacticipant(name))
            .with("pb:versions", Link::new(links.versions(name)))
            .with(
                "pb:version",
                Link::template(
                    links.version_template(name),
                    "Get, create or delete a pacticipant version",
                ),
            )
            .with(
                "pb:version-tag",
                Link::template(
                    links.version_tag_template(name),
                    "Get, create or delete a tag for a version",
                ),
            )
            .with(
                "pb:branch-version",
                Link::template(
                    links.branch_version_template(name),
                    "Get or add/create a version for a branch",
                ),
            )
            .with(
                "pb:label",
                Link::template(links.label_template(name), "Get, create or delete a label"),
            )
            .with(
                "pb:latest-version",
                Link::titled(links.latest_version(name), "Latest version"),
            )
            .with(
                "pb:can-i-deploy-branch-to-environment",
                Link::template(
                    links.can_i_deploy_branch_template(name),
                    "Can I deploy the latest version from a branch to an environment",
                ),
            )
            .with_curies(links),
    }
}

#[derive(Debug, Serialize)]
pub struct PacticipantList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedPacticipants,
    /// The older, unembedded form some clients read.
    pub pacticipants: Vec<PacticipantResource>,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedPacticipants {
    pub pacticipants: Vec<PacticipantResource>,
}

/// `self_url`: `/pacticipants`, or the list of those with a label.
pub fn pacticipant_list(
    links: &Links,
    self_url: String,
    pacticipants: &[Pacticipant],
    labels: &[Label],
) -> PacticipantList {
    let items = || {
        pacticipants
            .iter()
            .map(|p| pacticipant(links, p, labels))
            .collect::<Vec<_>>()
    };
    let named: Vec<Link> = pacticipants
        .iter()
        .map(|p| Link::new(links.pacticipant(&p.name)).name(&p.name))
        .collect();
    PacticipantList {
        embedded: EmbeddedPacticipants { pacticipants: items() },
        pacticipants: items(),
        links: Rels::to_self(self_url).with("pb:pacticipants", named),
    }
}
