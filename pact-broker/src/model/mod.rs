//! The broker's domain: what is stored (pacticipants, versions, publications, verifications,
//! environments, deployments), the [`Snapshot`] of all of it that reads work on, and the pure
//! rules on that snapshot — pact documents, consumer version selectors, pending/WIP, the matrix
//! and can-i-deploy. Nothing here does I/O or knows HTTP; `storage` fills it, `views` renders it.

pub mod branches;
pub mod can_i_deploy;
pub mod diff;
pub mod matrix;
pub mod pact;
pub mod pending;
pub mod provider_states;
pub mod selectors;
mod snapshot;
pub mod webhooks;

pub use snapshot::{Snapshot, latest_per_consumer};

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Pacticipant {
    pub id: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A label on a pacticipant (`/pacticipants/{p}/labels/{l}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub pacticipant: String,
    pub name: String,
    pub created_at: String,
}

/// Counts of what the broker holds, as the official `/metrics` reports them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    pub pacticipants: i64,
    pub pacticipants_with_main_branch: i64,
    pub integrations: i64,
    pub pact_publications: i64,
    pub first_publication: Option<String>,
    pub last_publication: Option<String>,
    pub pact_versions: i64,
    pub verifications: i64,
    pub successful_verifications: i64,
    pub distinct_verifications: i64,
    pub first_verification: Option<String>,
    pub last_verification: Option<String>,
    /// Pact versions by how many verification results each has: (results, pact versions).
    pub verifications_per_pact_version: Vec<(i64, i64)>,
    pub versions: i64,
    pub versions_with_branch: i64,
    pub webhooks: i64,
    pub tags: i64,
    pub distinct_tags: i64,
    pub distinct_tags_per_pacticipant: i64,
    pub triggered_webhooks: i64,
    pub webhook_executions: i64,
    pub environments: i64,
    pub deployed_versions: i64,
    pub currently_deployed: i64,
    pub released_versions: i64,
    pub currently_supported: i64,
    /// Interactions and messages in the latest pact of each integration.
    pub latest_interactions: i64,
    pub latest_messages: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Version {
    pub id: i64,
    pub pacticipant_id: i64,
    pub number: String,
    pub build_url: Option<String>,
    pub created_at: String,
    /// In the order they were added.
    pub branches: Vec<String>,
    /// In the order they were added.
    pub tags: Vec<String>,
}

/// A consumer version's pact with one provider (the content is stored apart, by sha).
#[derive(Debug, Clone, Default)]
pub struct Publication {
    pub id: i64,
    pub consumer_id: i64,
    pub provider_id: i64,
    pub consumer_version_id: i64,
    pub sha: String,
    pub created_at: String,
}

/// A provider version's verification of one pact content.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub id: i64,
    pub sha: String,
    pub consumer_id: i64,
    pub provider_id: i64,
    pub provider_version_id: i64,
    pub success: bool,
    pub created_at: String,
}

/// A verification with what the verifier sent along (not part of the snapshot).
#[derive(Debug, Clone)]
pub struct VerificationDetail {
    pub verification: Verification,
    pub test_results: Value,
    pub verified_by: Value,
    pub build_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub display_name: Option<String>,
    pub production: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Environment {
    /// The display name, or the name when none was given.
    pub fn title(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeploymentKind {
    #[default]
    Deployed,
    Released,
}

impl DeploymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::Deployed => "deployed",
            DeploymentKind::Released => "released",
        }
    }
}

/// A recorded deployment or release of a version to an environment.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    pub id: i64,
    pub uuid: String,
    pub kind: DeploymentKind,
    pub version_id: i64,
    pub environment_id: i64,
    pub application_instance: Option<String>,
    pub created_at: String,
    /// When it was undeployed / its support ended; `None` while current.
    pub ended_at: Option<String>,
}

/// A request field that is not acceptable, named as clients send it (`consumerVersionSelectors`,
/// `includeWipPactsSince`, `contracts[0].content`, ...); routes answer it with a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
