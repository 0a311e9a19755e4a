//! The one link builder: every URL the broker hands out, absolute on the externally visible
//! base URL, with names and versions percent-encoded as path segments.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters kept as they are in a path segment (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes one path segment (names and versions may hold spaces or slashes).
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// The templated relations of the index: (relation, path template, title).
pub const INDEX_TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "pb:publish-pact",
        "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}",
        "Publish a pact",
    ),
    (
        "pb:pacticipant",
        "/pacticipants/{pacticipant}",
        "Fetch pacticipant by name",
    ),
    (
        "pb:latest-provider-pacts",
        "/pacts/provider/{provider}/latest",
        "Latest pacts by provider",
    ),
    (
        "pb:latest-provider-pacts-with-tag",
        "/pacts/provider/{provider}/latest/{tag}",
        "Latest pacts for provider with the specified tag",
    ),
    (
        "pb:provider-pacts",
        "/pacts/provider/{provider}",
        "All pact versions for the provider",
    ),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "Pact versions to be verified for the specified provider",
    ),
    (
        "pb:latest-version",
        "/pacticipants/{pacticipant}/latest-version",
        "Latest pacticipant version",
    ),
    (
        "pb:latest-tagged-version",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
        "Latest pacticipant version with the specified tag",
    ),
    (
        "pb:pacticipant-version",
        "/pacticipants/{pacticipant}/versions/{version}",
        "Get, create or delete a pacticipant version",
    ),
    (
        "pb:pacticipant-version-tag",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        "Get, create or delete a tag for a pacticipant version",
    ),
    (
        "pb:pacticipant-branch-version",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        "Get or add/create a pacticipant version for a branch",
    ),
    (
        "pb:pacticipant-branch",
        "/pacticipants/{pacticipant}/branches/{branch}",
        "Get or delete a pacticipant branch",
    ),
    ("pb:matrix", "/matrix", "The matrix of pact verification results"),
    (
        "pb:can-i-deploy-pacticipant-version-to-tag",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}",
        "Determine if an application version can be safely deployed to an environment identified by the given tag",
    ),
    (
        "pb:can-i-deploy-pacticipant-version-to-environment",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        "Determine if an application version can be safely deployed to an environment",
    ),
    (
        "pb:can-i-deploy-branch-to-environment",
        "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
        "Determine if the latest version from a branch can be safely deployed to an environment",
    ),
    ("pb:environment", "/environments/{uuid}", "Environment"),
    ("pb:webhook", "/webhooks/{uuid}", "Webhook"),
    (
        "pb:provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch",
        "All pacts for the provider from the consumers' main branches",
    ),
    (
        "pb:latest-provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch/latest",
        "Latest pacts for the provider from the consumers' main branches",
    ),
    (
        "pb:provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}",
        "All pacts for the provider from consumer versions on the branch",
    ),
    (
        "pb:latest-provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}/latest",
        "Latest pacts for the provider from consumer versions on the branch",
    ),
    (
        "pb:main-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch",
        "All versions of the pact from the consumer's main branch",
    ),
    (
        "pb:latest-main-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/latest",
        "The latest pact from the consumer's main branch",
    ),
    (
        "pb:branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}",
        "All versions of the pact from the consumer's branch",
    ),
    (
        "pb:latest-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest",
        "The latest pact from the consumer's branch",
    ),
    (
        "pb:provider-states",
        "/pacts/provider/{provider}/provider-states",
        "The provider states of the provider's latest pacts",
    ),
];

/// URLs on one base (`scheme://host[:port]`, no trailing slash).
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// `scheme://host[:port]` the links are built on.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// An absolute URL for a path given as it is (already encoded, or a URI template).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn index(&self) -> String {
        self.url("")
    }

    /// The index page's URL for a browser (`/`).
    pub fn home(&self) -> String {
        self.url("/")
    }

    pub fn heartbeat(&self) -> String {
        self.url("/diagnostic/status/heartbeat")
    }

    pub fn curies(&self) -> String {
        self.url("/doc/{rel}?context=index")
    }

    pub fn publish_contracts(&self) -> String {
        self.url("/contracts/publish")
    }

    pub fn pacticipants(&self) -> String {
        self.url("/pacticipants")
    }

    pub fn pacticipant(&self, name: &str) -> String {
        self.url(&format!("/pacticipants/{}", encode(name)))
    }

    pub fn versions(&self, pacticipant: &str) -> String {
        format!("{}/versions", self.pacticipant(pacticipant))
    }

    pub fn version(&self, pacticipant: &str, number: &str) -> String {
        format!("{}/{}", self.versions(pacticipant), encode(number))
    }

    pub fn latest_version(&self, pacticipant: &str) -> String {
        format!("{}/latest-version", self.pacticipant(pacticipant))
    }

    /// Templates under a pacticipant (`{version}`, `{tag}`, `{branch}`, `{environment}` left for
    /// the client to fill in).
    pub fn version_template(&self, pacticipant: &str) -> String {
        format!("{}/{{version}}", self.versions(pacticipant))
    }

    pub fn label(&self, pacticipant: &str, label: &str) -> String {
        format!("{}/labels/{}", self.pacticipant(pacticipant), encode(label))
    }

    pub fn labels(&self) -> String {
        self.url("/labels")
    }

    pub fn label_template(&self, pacticipant: &str) -> String {
        format!("{}/labels/{{label}}", self.pacticipant(pacticipant))
    }

    pub fn pacticipants_with_label(&self, label: &str) -> String {
        self.url(&format!("/pacticipants/label/{}", encode(label)))
    }

    pub fn version_tag_template(&self, pacticipant: &str) -> String {
        format!("{}/{{version}}/tags/{{tag}}", self.versions(pacticipant))
    }

    pub fn branch_version_template(&self, pacticipant: &str) -> String {
        format!("{}/{{branch}}/versions/{{version}}", self.branches(pacticipant))
    }

    pub fn can_i_deploy_branch_template(&self, pacticipant: &str) -> String {
        format!(
            "{}/{{branch}}/latest-version/can-i-deploy/to-environment/{{environment}}",
            self.branches(pacticipant)
        )
    }

    pub fn tag_template(&self, pacticipant: &str, number: &str) -> String {
        format!("{}/tags/{{tag}}", self.version(pacticipant, number))
    }

    pub fn tag(&self, pacticipant: &str, number: &str, tag: &str) -> String {
        format!("{}/tags/{}", self.version(pacticipant, number), encode(tag))
    }

    pub fn branches(&self, pacticipant: &str) -> String {
        format!("{}/branches", self.pacticipant(pacticipant))
    }

    pub fn branch(&self, pacticipant: &str, branch: &str) -> String {
        format!("{}/{}", self.branches(pacticipant), encode(branch))
    }

    pub fn branch_latest_version(&self, pacticipant: &str, branch: &str) -> String {
        format!("{}/latest-version", self.branch(pacticipant, branch))
    }

    pub fn branch_version(&self, pacticipant: &str, branch: &str, number: &str) -> String {
        format!("{}/versions/{}", self.branch(pacticipant, branch), encode(number))
    }

    /// record-deployment (`deployed-versions`) or record-release (`released-versions`) of a
    /// version to an environment.
    pub fn record(&self, pacticipant: &str, number: &str, kind: &str, environment_uuid: &str) -> String {
        format!(
            "{}/{kind}/environment/{environment_uuid}",
            self.version(pacticipant, number)
        )
    }

    /// The pacts of one consumer/provider pair; the base of the pair's pact URLs.
    fn pair(&self, provider: &str, consumer: &str) -> String {
        self.url(&format!(
            "/pacts/provider/{}/consumer/{}",
            encode(provider),
            encode(consumer)
        ))
    }

    /// A pact by consumer version.
    pub fn pact(&self, provider: &str, consumer: &str, version: &str) -> String {
        format!("{}/version/{}", self.pair(provider, consumer), encode(version))
    }

    /// A pair's pacts from the consumer's `branch` (`None`: its main branch).
    pub fn pair_branch_pacts(&self, provider: &str, consumer: &str, branch: Option<&str>) -> String {
        match branch {
            Some(branch) => format!("{}/branch/{}", self.pair(provider, consumer), encode(branch)),
            None => format!("{}/branch", self.pair(provider, consumer)),
        }
    }

    /// A provider's pacts from each consumer's `branch` (`None`: each consumer's main branch).
    pub fn provider_branch_pacts(&self, provider: &str, branch: Option<&str>) -> String {
        match branch {
            Some(branch) => format!("{}/branch/{}", self.provider_pacts(provider), encode(branch)),
            None => format!("{}/branch", self.provider_pacts(provider)),
        }
    }

    /// What changed in a consumer version's pact since the pair's previous distinct content.
    pub fn pact_diff_previous_distinct(&self, provider: &str, consumer: &str, version: &str) -> String {
        format!("{}/diff/previous-distinct", self.pact(provider, consumer, version))
    }

    pub fn pair_versions(&self, provider: &str, consumer: &str) -> String {
        format!("{}/versions", self.pair(provider, consumer))
    }

    pub fn latest_pact(&self, provider: &str, consumer: &str) -> String {
        format!("{}/latest", self.pair(provider, consumer))
    }

    pub fn latest_tagged_pact_template(&self, provider: &str, consumer: &str) -> String {
        format!("{}/{{tag}}", self.latest_pact(provider, consumer))
    }

    /// A pact by content sha (what pacts for verification point at).
    pub fn pact_version(&self, provider: &str, consumer: &str, sha: &str) -> String {
        format!("{}/pact-version/{sha}", self.pair(provider, consumer))
    }

    pub fn pact_version_with_metadata(&self, provider: &str, consumer: &str, sha: &str, metadata: &str) -> String {
        format!("{}/metadata/{metadata}", self.pact_version(provider, consumer, sha))
    }

    pub fn publish_verification(&self, provider: &str, consumer: &str, sha: &str) -> String {
        format!("{}/verification-results", self.pact_version(provider, consumer, sha))
    }

    pub fn latest_verification(&self, provider: &str, consumer: &str, sha: &str) -> String {
        format!("{}/latest", self.publish_verification(provider, consumer, sha))
    }

    pub fn verification(&self, provider: &str, consumer: &str, sha: &str, id: i64) -> String {
        format!("{}/{id}", self.publish_verification(provider, consumer, sha))
    }

    pub fn latest_pacts(&self) -> String {
        self.url("/pacts/latest")
    }

    pub fn provider_pacts(&self, provider: &str) -> String {
        self.url(&format!("/pacts/provider/{}", encode(provider)))
    }

    pub fn provider_latest_pacts(&self, provider: &str) -> String {
        format!("{}/latest", self.provider_pacts(provider))
    }

    pub fn provider_latest_tagged_pacts(&self, provider: &str, tag: &str) -> String {
        format!("{}/{}", self.provider_latest_pacts(provider), encode(tag))
    }

    pub fn pacts_for_verification(&self, provider: &str) -> String {
        format!("{}/for-verification", self.provider_pacts(provider))
    }

    pub fn matrix(&self) -> String {
        self.url("/matrix")
    }

    /// The web page of one integration's matrix.
    pub fn pair_matrix(&self, provider: &str, consumer: &str) -> String {
        self.url(&format!(
            "/matrix/provider/{}/consumer/{}",
            encode(provider),
            encode(consumer)
        ))
    }

    pub fn environments(&self) -> String {
        self.url("/environments")
    }

    pub fn environment(&self, uuid: &str) -> String {
        format!("{}/{uuid}", self.environments())
    }

    pub fn currently_deployed(&self, environment_uuid: &str) -> String {
        format!(
            "{}/deployed-versions/currently-deployed",
            self.environment(environment_uuid)
        )
    }

    pub fn currently_supported(&self, environment_uuid: &str) -> String {
        format!(
            "{}/released-versions/currently-supported",
            self.environment(environment_uuid)
        )
    }

    pub fn deployed_version(&self, uuid: &str) -> String {
        self.url(&format!("/deployed-versions/{uuid}"))
    }

    pub fn released_version(&self, uuid: &str) -> String {
        self.url(&format!("/released-versions/{uuid}"))
    }

    pub fn integrations(&self) -> String {
        self.url("/integrations")
    }

    pub fn integration(&self, provider: &str, consumer: &str) -> String {
        self.url(&format!(
            "/integrations/provider/{}/consumer/{}",
            encode(provider),
            encode(consumer)
        ))
    }

    pub fn webhooks(&self) -> String {
        self.url("/webhooks")
    }

    pub fn webhook(&self, uuid: &str) -> String {
        format!("{}/{}", self.webhooks(), encode(uuid))
    }

    pub fn webhook_execute(&self, uuid: &str) -> String {
        format!("{}/execute", self.webhook(uuid))
    }

    /// The webhooks whose filters name this consumer and provider (the official list URL).
    pub fn pair_webhooks(&self, provider: &str, consumer: &str) -> String {
        self.url(&format!(
            "/webhooks/provider/{}/consumer/{}",
            encode(provider),
            encode(consumer)
        ))
    }

    pub fn provider_webhooks(&self, provider: &str) -> String {
        self.url(&format!("/webhooks/provider/{}", encode(provider)))
    }

    pub fn consumer_webhooks(&self, consumer: &str) -> String {
        self.url(&format!("/webhooks/consumer/{}", encode(consumer)))
    }

    /// The webhooks that apply to a pact (pair filters, one-sided and global ones).
    pub fn pact_webhooks(&self, provider: &str, consumer: &str) -> String {
        format!("{}/webhooks", self.pair(provider, consumer))
    }

    pub fn pact_webhooks_status(&self, provider: &str, consumer: &str) -> String {
        format!("{}/webhooks/status", self.pair(provider, consumer))
    }

    pub fn pact_triggered_webhooks(&self, provider: &str, consumer: &str, version: &str) -> String {
        format!("{}/triggered-webhooks", self.pact(provider, consumer, version))
    }

    pub fn triggered_webhook_logs(&self, uuid: &str) -> String {
        self.url(&format!("/triggered-webhooks/{}/logs", encode(uuid)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_are_encoded_as_path_segments() {
        let links = Links::new("http://b:1");
        assert_eq!(links.pacticipant("My App/x"), "http://b:1/pacticipants/My%20App%2Fx");
        assert_eq!(
            links.pact("P", "C", "1.0 beta"),
            "http://b:1/pacts/provider/P/consumer/C/version/1.0%20beta"
        );
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
    }
}
