//! Environments, and the deployments and releases recorded to them.

use serde::Serialize;

use super::hal::{Link, NamedRef, Rels};
use super::links::Links;
use crate::model::{Deployment, DeploymentKind, Environment, Snapshot};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentResource {
    pub uuid: String,
    pub name: String,
    pub display_name: String,
    pub production: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn environment(links: &Links, e: &Environment) -> EnvironmentResource {
    EnvironmentResource {
        uuid: e.uuid.clone(),
        name: e.name.clone(),
        display_name: e.title().to_owned(),
        production: e.production,
        created_at: e.created_at.clone(),
        updated_at: e.updated_at.clone(),
        links: Rels::new()
            .with("self", Link::named(links.environment(&e.uuid), &e.name, "Environment"))
            .with(
                "pb:currently-deployed-deployed-versions",
                Link::new(links.currently_deployed(&e.uuid)),
            )
            .with(
                "pb:currently-supported-released-versions",
                Link::new(links.currently_supported(&e.uuid)),
            )
            .with("pb:environments", Link::new(links.environments())),
    }
}

#[derive(Debug, Serialize)]
pub struct EnvironmentList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedEnvironments,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedEnvironments {
    pub environments: Vec<EnvironmentResource>,
}

pub fn environment_list(links: &Links, environments: &[Environment]) -> EnvironmentList {
    EnvironmentList {
        embedded: EmbeddedEnvironments {
            environments: environments.iter().map(|e| environment(links, e)).collect(),
        },
        links: Rels::to_self(links.environments())
            .with("pb:create", Link::titled(links.environments(), "Create an environment"))
            .with(
                "pb:environments",
                environments
                    .iter()
                    .map(|e| Link::named(links.environment(&e.uuid), &e.name, "Environment"))
                    .collect::<Vec<_>>(),
            ),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResource {
    pub uuid: String,
    pub application_instance: Option<String>,
    /// The older name of `applicationInstance`.
    pub target: Option<String>,
    pub created_at: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    #[serde(rename = "_embedded")]
    pub embedded: DeploymentParts,
    #[serde(rename = "_links")]
    pub links: Rels,
}

/// Whether it is still current, in the words of its kind.
#[derive(Debug, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum DeploymentState {
    Deployed {
        currently_deployed: bool,
        undeployed_at: Option<String>,
    },
    Released {
        currently_supported: bool,
        currently_released: bool,
        support_ended_at: Option<String>,
    },
}

#[derive(Debug, Serialize)]
pub struct DeploymentParts {
    pub pacticipant: NamedRef,
    pub version: VersionRef,
    pub environment: EnvironmentResource,
}

#[derive(Debug, Serialize)]
pub struct VersionRef {
    pub number: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn deployment(
    links: &Links,
    snapshot: &Snapshot,
    d: &Deployment,
    target_environment: &Environment,
) -> DeploymentResource {
    let version = snapshot.version(d.version_id);
    let pacticipant = snapshot.name(version.pacticipant_id);
    let version_url = links.version(pacticipant, &version.number);
    let current = d.ended_at.is_none();
    let (url, state) = match d.kind {
        DeploymentKind::Deployed => (
            links.deployed_version(&d.uuid),
            DeploymentState::Deployed {
                currently_deployed: current,
                undeployed_at: d.ended_at.clone(),
            },
        ),
        DeploymentKind::Released => (
            links.released_version(&d.uuid),
            DeploymentState::Released {
                currently_supported: current,
                currently_released: current,
                support_ended_at: d.ended_at.clone(),
            },
        ),
    };
    DeploymentResource {
        uuid: d.uuid.clone(),
        application_instance: d.application_instance.clone(),
        target: d.application_instance.clone(),
        created_at: d.created_at.clone(),
        state,
        embedded: DeploymentParts {
            pacticipant: NamedRef::new(pacticipant, links.pacticipant(pacticipant)),
            version: VersionRef {
                number: version.number.clone(),
                links: Rels::to_self(&version_url),
            },
            environment: environment(links, target_environment),
        },
        links: Rels::to_self(url)
            .with("pb:version", Link::named(&version_url, &version.number, "Version"))
            .with(
                "pb:environment",
                Link::named(
                    links.environment(&target_environment.uuid),
                    &target_environment.name,
                    "Environment",
                ),
            ),
    }
}

/// What is currently deployed to an environment, or currently supported there.
#[derive(Debug, Serialize)]
pub struct CurrentDeployments {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedDeployments,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedDeployments {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployed_versions: Option<Vec<DeploymentResource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_versions: Option<Vec<DeploymentResource>>,
}

pub fn current_deployments(
    links: &Links,
    kind: DeploymentKind,
    environment_uuid: &str,
    items: Vec<DeploymentResource>,
) -> CurrentDeployments {
    let (embedded, url) = match kind {
        DeploymentKind::Deployed => (
            EmbeddedDeployments {
                deployed_versions: Some(items),
                released_versions: None,
            },
            links.currently_deployed(environment_uuid),
        ),
        DeploymentKind::Released => (
            EmbeddedDeployments {
                deployed_versions: None,
                released_versions: Some(items),
            },
            links.currently_supported(environment_uuid),
        ),
    };
    CurrentDeployments {
        embedded,
        links: Rels::to_self(url),
    }
}
