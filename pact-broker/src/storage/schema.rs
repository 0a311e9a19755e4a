//! The schema, as migrations applied at start-up (append a migration; never edit one that
//! has shipped: databases already migrated past it would not see the change).

use std::sync::LazyLock;

use service_kit::db::{M, Migrations};

pub(super) static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE pacticipants (
            id             INTEGER PRIMARY KEY,
            name           TEXT NOT NULL UNIQUE,
            display_name   TEXT,
            main_branch    TEXT,
            repository_url TEXT,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE TABLE versions (
            id             INTEGER PRIMARY KEY,
            pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
            number         TEXT NOT NULL,
            build_url      TEXT,
            created_at     TEXT NOT NULL,
            UNIQUE (pacticipant_id, number)
        );
        CREATE TABLE branch_versions (
            version_id     INTEGER NOT NULL REFERENCES versions(id),
            branch         TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (version_id, branch)
        );
        CREATE TABLE tags (
            version_id     INTEGER NOT NULL REFERENCES versions(id),
            name           TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (version_id, name)
        );
        CREATE TABLE pact_contents (
            sha            TEXT PRIMARY KEY,
            content        TEXT NOT NULL,
            created_at     TEXT NOT NULL
        );
        CREATE TABLE publications (
            id                  INTEGER PRIMARY KEY,
            consumer_version_id INTEGER NOT NULL REFERENCES versions(id),
            provider_id         INTEGER NOT NULL REFERENCES pacticipants(id),
            sha                 TEXT NOT NULL REFERENCES pact_contents(sha),
            created_at          TEXT NOT NULL,
            UNIQUE (consumer_version_id, provider_id)
        );
        CREATE INDEX publications_by_provider ON publications (provider_id);
        CREATE TABLE verifications (
            id                  INTEGER PRIMARY KEY,
            sha                 TEXT NOT NULL REFERENCES pact_contents(sha),
            consumer_id         INTEGER NOT NULL REFERENCES pacticipants(id),
            provider_version_id INTEGER NOT NULL REFERENCES versions(id),
            success             INTEGER NOT NULL,
            test_results        TEXT,
            verified_by         TEXT,
            build_url           TEXT,
            created_at          TEXT NOT NULL
        );
        CREATE INDEX verifications_by_sha ON verifications (sha);
        CREATE TABLE environments (
            id           INTEGER PRIMARY KEY,
            uuid         TEXT NOT NULL UNIQUE,
            name         TEXT NOT NULL UNIQUE,
            display_name TEXT,
            production   INTEGER NOT NULL DEFAULT 0,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE deployments (
            id                   INTEGER PRIMARY KEY,
            uuid                 TEXT NOT NULL UNIQUE,
            kind                 TEXT NOT NULL CHECK (kind IN ('deployed', 'released')),
            version_id           INTEGER NOT NULL REFERENCES versions(id),
            environment_id       INTEGER NOT NULL REFERENCES environments(id),
            application_instance TEXT,
            created_at           TEXT NOT NULL,
            ended_at             TEXT
        );",
        ),
        // Webhooks (the definition as JSON, its filters as columns to select on), what they were
        // triggered by (durable: pending ones resume after a restart) and each attempt's log.
        M::up(
            "CREATE TABLE webhooks (
            uuid         TEXT PRIMARY KEY,
            consumer     TEXT,
            provider     TEXT,
            definition   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE triggered_webhooks (
            id               INTEGER PRIMARY KEY,
            uuid             TEXT NOT NULL UNIQUE,
            webhook_uuid     TEXT NOT NULL,
            event            TEXT NOT NULL,
            consumer         TEXT NOT NULL,
            provider         TEXT NOT NULL,
            consumer_version TEXT,
            sha              TEXT,
            verification_id  INTEGER,
            provider_version TEXT,
            provider_branch  TEXT,
            base_url         TEXT NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('not_run', 'retrying', 'success', 'failure')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        );
        CREATE INDEX triggered_webhooks_due ON triggered_webhooks (status, next_attempt_at);
        CREATE INDEX triggered_webhooks_by_pair ON triggered_webhooks (provider, consumer);
        CREATE TABLE webhook_executions (
            id           INTEGER PRIMARY KEY,
            triggered_id INTEGER NOT NULL REFERENCES triggered_webhooks(id),
            success      INTEGER NOT NULL,
            logs         TEXT NOT NULL,
            created_at   TEXT NOT NULL
        );",
        ),
        // Triggered webhooks are listed newest first, a page at a time: a walk back along the
        // rowid finds a pair's as fast, and without this index a publication that triggers five
        // webhooks writes a third fewer pages (measured with `scripts/bench-broker.sh --webhooks 5`).
        M::up("DROP INDEX triggered_webhooks_by_pair;"),
        // The triggers each write caused, one row per write, until moved into
        // `triggered_webhooks` (see `storage/webhooks.rs`).
        M::up(
            "CREATE TABLE webhook_trigger_queue (
            id       INTEGER PRIMARY KEY,
            triggers TEXT NOT NULL
        );",
        ),
        // Pacticipant labels (`/pacticipants/{p}/labels/{l}`).
        M::up(
            "CREATE TABLE labels (
            pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
            name           TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (pacticipant_id, name)
        );
        CREATE INDEX labels_by_name ON labels (name);",
        ),
    ])
});
