//! Pacticipant labels, and the counts behind `/metrics`.

use rusqlite::{OptionalExtension, params};
use service_kit::db::rusqlite;

use super::{Store, StoreError, now, pacticipants};
use crate::model::{Label, Metrics, Pacticipant};

fn read_label(row: &rusqlite::Row<'_>) -> rusqlite::Result<Label> {
    Ok(Label {
        pacticipant: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
    })
}

const LABEL_SELECT: &str =
    "SELECT p.name, l.name, l.created_at FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id";

impl Store {
    pub async fn label(&self, pacticipant: &str, name: &str) -> Result<Option<Label>, StoreError> {
        let (pacticipant, name) = (pacticipant.to_owned(), name.to_owned());
        self.read(move |conn| {
            conn.prepare_cached(&format!("{LABEL_SELECT} WHERE p.name = ?1 AND l.name = ?2"))?
                .query_row(params![pacticipant, name], read_label)
                .optional()
        })
        .await
    }

    /// Every label, by pacticipant name then label name.
    pub async fn labels(&self) -> Result<Vec<Label>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("{LABEL_SELECT} ORDER BY p.name, l.name"))?
                .query_map([], read_label)?
                .collect()
        })
        .await
    }

    /// One pacticipant's labels, by name.
    pub async fn labels_of(&self, pacticipant: &str) -> Result<Vec<Label>, StoreError> {
        let pacticipant = pacticipant.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(&format!("{LABEL_SELECT} WHERE p.name = ?1 ORDER BY l.name"))?
                .query_map(params![pacticipant], read_label)?
                .collect()
        })
        .await
    }

    /// Labels `pacticipant` (created if needed, as the official broker does). Returns the label
    /// and whether it is new.
    pub async fn save_label(&self, pacticipant: &str, name: &str) -> Result<(Label, bool), StoreError> {
        let (pacticipant, name) = (pacticipant.to_owned(), name.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let id = pacticipants::ensure(&tx, &pacticipant)?;
            let created = tx
                .prepare_cached(
                    "INSERT INTO labels (pacticipant_id, name, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (pacticipant_id, name) DO NOTHING",
                )?
                .execute(params![id, name, now()])?
                > 0;
            let label = tx
                .prepare_cached(&format!("{LABEL_SELECT} WHERE l.pacticipant_id = ?1 AND l.name = ?2"))?
                .query_row(params![id, name], read_label)?;
            tx.commit()?;
            Ok(Ok((label, created)))
        })
        .await
    }

    /// Whether there was such a label to delete.
    pub async fn delete_label(&self, pacticipant: &str, name: &str) -> Result<bool, StoreError> {
        let (pacticipant, name) = (pacticipant.to_owned(), name.to_owned());
        self.write(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM labels WHERE name = ?2
                     AND pacticipant_id = (SELECT id FROM pacticipants WHERE name = ?1)",
                params![pacticipant, name],
            )?;
            Ok(Ok(deleted > 0))
        })
        .await
    }

    /// Every label name in use, once each, in order.
    pub async fn label_names(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT DISTINCT name FROM labels ORDER BY name")?
                .query_map([], |row| row.get(0))?
                .collect()
        })
        .await
    }

    /// The pacticipants labelled `name`, by name.
    pub async fn pacticipants_with_label(&self, name: &str) -> Result<Vec<Pacticipant>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {} FROM pacticipants
                 WHERE id IN (SELECT pacticipant_id FROM labels WHERE name = ?1) ORDER BY name",
                pacticipants::COLUMNS
            ))?
            .query_map(params![name], pacticipants::read)?
            .collect()
        })
        .await
    }

    pub async fn metrics(&self) -> Result<Metrics, StoreError> {
        self.read(|conn| {
            let count = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |row| row.get(0)) };
            // The first or last timestamp of a table: a scalar subquery, NULL when the table is empty.
            let text = |sql: &str| -> rusqlite::Result<Option<String>> {
                conn.query_row(&format!("SELECT ({sql})"), [], |row| row.get(0))
            };
            let verifications_per_pact_version = conn
                .prepare(
                    "SELECT n, COUNT(*) FROM (SELECT COUNT(*) AS n FROM verifications GROUP BY sha)
                     GROUP BY n ORDER BY n",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let latest_contents: Vec<String> = conn
                .prepare(
                    "SELECT c.content FROM pact_contents c WHERE c.sha IN (
                         SELECT pub.sha FROM publications pub WHERE pub.id IN (
                             SELECT MAX(pub.id) FROM publications pub JOIN versions v ON v.id = pub.consumer_version_id
                             GROUP BY v.pacticipant_id, pub.provider_id))",
                )?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let (mut latest_interactions, mut latest_messages) = (0, 0);
            for content in &latest_contents {
                let pact: serde_json::Value = serde_json::from_str(content).unwrap_or_default();
                let length = |key: &str| pact[key].as_array().map_or(0, |a| a.len() as i64);
                latest_interactions += length("interactions");
                latest_messages += length("messages");
            }
            Ok(Metrics {
                pacticipants: count("SELECT COUNT(*) FROM pacticipants")?,
                pacticipants_with_main_branch: count(
                    "SELECT COUNT(*) FROM pacticipants WHERE main_branch IS NOT NULL",
                )?,
                integrations: count(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT v.pacticipant_id, pub.provider_id
                     FROM publications pub JOIN versions v ON v.id = pub.consumer_version_id)",
                )?,
                pact_publications: count("SELECT COUNT(*) FROM publications")?,
                first_publication: text("SELECT created_at FROM publications ORDER BY id LIMIT 1")?,
                last_publication: text("SELECT created_at FROM publications ORDER BY id DESC LIMIT 1")?,
                pact_versions: count("SELECT COUNT(*) FROM pact_contents")?,
                verifications: count("SELECT COUNT(*) FROM verifications")?,
                successful_verifications: count("SELECT COUNT(*) FROM verifications WHERE success")?,
                distinct_verifications: count(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT provider_version_id, sha, success FROM verifications)",
                )?,
                first_verification: text("SELECT created_at FROM verifications ORDER BY id LIMIT 1")?,
                last_verification: text("SELECT created_at FROM verifications ORDER BY id DESC LIMIT 1")?,
                verifications_per_pact_version,
                versions: count("SELECT COUNT(*) FROM versions")?,
                versions_with_branch: count("SELECT COUNT(DISTINCT version_id) FROM branch_versions")?,
                webhooks: count("SELECT COUNT(*) FROM webhooks")?,
                tags: count("SELECT COUNT(*) FROM tags")?,
                distinct_tags: count("SELECT COUNT(DISTINCT name) FROM tags")?,
                distinct_tags_per_pacticipant: count(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT t.name, v.pacticipant_id
                     FROM tags t JOIN versions v ON v.id = t.version_id)",
                )?,
                triggered_webhooks: count(
                    "SELECT (SELECT COUNT(*) FROM triggered_webhooks)
                          + (SELECT COALESCE(SUM(CASE WHEN json_valid(triggers) THEN json_array_length(triggers) END), 0)
                             FROM webhook_trigger_queue)",
                )?,
                webhook_executions: count("SELECT COUNT(*) FROM webhook_executions")?,
                environments: count("SELECT COUNT(*) FROM environments")?,
                deployed_versions: count("SELECT COUNT(*) FROM deployments WHERE kind = 'deployed'")?,
                currently_deployed: count(
                    "SELECT COUNT(*) FROM deployments WHERE kind = 'deployed' AND ended_at IS NULL",
                )?,
                released_versions: count("SELECT COUNT(*) FROM deployments WHERE kind = 'released'")?,
                currently_supported: count(
                    "SELECT COUNT(*) FROM deployments WHERE kind = 'released' AND ended_at IS NULL",
                )?,
                latest_interactions,
                latest_messages,
            })
        })
        .await
    }
}
