//! `/metrics`: the official broker's counts, in its shape.

use serde_json::{Value, json};

use crate::model::Metrics;

pub fn metrics(m: &Metrics) -> Value {
    let distribution: serde_json::Map<String, Value> = m
        .verifications_per_pact_version
        .iter()
        .map(|(results, pact_versions)| (results.to_string(), json!(pact_versions)))
        .collect();
    json!({
        "interactions": {
            "latestInteractionsCount": m.latest_interactions,
            "latestMessagesCount": m.latest_messages,
            "latestInteractionsAndMessagesCount": m.latest_interactions + m.latest_messages,
        },
        "pacticipants": {
            "count": m.pacticipants,
            "withMainBranchSetCount": m.pacticipants_with_main_branch,
        },
        "integrations": { "count": m.integrations },
        "pactPublications": {
            "count": m.pact_publications,
            "first": m.first_publication,
            "last": m.last_publication,
        },
        "pactVersions": { "count": m.pact_versions },
        // A consumer version holds one revision of a pact here (a re-publication replaces it).
        "pactRevisionsPerConsumerVersion": {
            "distribution": if m.pact_publications > 0 { json!({ "1": m.pact_publications }) } else { json!({}) },
        },
        "verificationResults": {
            "count": m.verifications,
            "successCount": m.successful_verifications,
            "failureCount": m.verifications - m.successful_verifications,
            "distinctCount": m.distinct_verifications,
            "first": m.first_verification,
            "last": m.last_verification,
        },
        "verificationResultsPerPactVersion": { "distribution": distribution },
        "pacticipantVersions": {
            "count": m.versions,
            "withUserCreatedBranchCount": m.versions_with_branch,
            "withBranchCount": m.versions_with_branch,
            "withBranchSetCount": m.versions_with_branch,
        },
        "webhooks": { "count": m.webhooks },
        "tags": {
            "count": m.tags,
            "distinctCount": m.distinct_tags,
            "distinctWithPacticipantCount": m.distinct_tags_per_pacticipant,
        },
        "triggeredWebhooks": { "count": m.triggered_webhooks },
        "webhookExecutions": { "count": m.webhook_executions },
        // The official broker answers -1 too: the count means nothing and is slow to make.
        "matrix": { "count": -1 },
        "environments": { "count": m.environments },
        "deployedVersions": {
            "count": m.deployed_versions,
            "userCreatedCount": m.deployed_versions,
            "currentlyDeployedCount": m.currently_deployed,
        },
        "releasedVersions": {
            "count": m.released_versions,
            "currentlySupportedCount": m.currently_supported,
        },
    })
}
