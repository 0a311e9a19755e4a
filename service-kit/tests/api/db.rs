//! A service owns its database file: while one connection holds it, a second open (another
//! process, or a second copy of the service) is refused with a message that says so, and once
//! the first lets go the file opens again with its data.

use std::sync::LazyLock;

use service_kit::db::{self, M, Migrations};
use service_kit::testing::TempDatabase;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
    )])
});

#[tokio::test]
async fn a_database_in_use_is_refused_until_its_owner_lets_go() {
    let db = TempDatabase::new();
    let owner = db::open(&db.path, &MIGRATIONS).await.expect("the first open");
    owner
        .call(|conn| conn.execute("INSERT INTO notes (text) VALUES ('kept')", []))
        .await
        .unwrap();

    let refused = db::open(&db.path, &MIGRATIONS)
        .await
        .expect_err("a second open while the first holds the file");
    let message = format!("{refused:#}");
    assert!(message.contains("is in use by another process"), "{message}");
    assert!(
        message.contains(&db.path.display().to_string()),
        "names the file: {message}"
    );

    owner.close().await.expect("close the first connection");
    let reopened = db::open(&db.path, &MIGRATIONS)
        .await
        .expect("open after the owner let go");
    let text: String = reopened
        .call(|conn| conn.query_row("SELECT text FROM notes", [], |row| row.get(0)))
        .await
        .unwrap();
    assert_eq!(text, "kept");
}
