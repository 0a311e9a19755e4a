//! A service owns its database file: while one connection holds it, a second open (another
//! process, or a second copy of the service) is refused with a message that says so, and once
//! the first lets go the file opens again with its data.

use std::sync::LazyLock;

use service_kit::db::{self, M, Migrations, rusqlite};
use service_kit::testing::TempDatabase;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
    )])
});

/// The ids of the notes stored, in order.
async fn note_ids(connection: &db::Connection) -> Vec<i64> {
    connection
        .call(|conn| {
            conn.prepare("SELECT id FROM notes ORDER BY id")?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .await
        .unwrap()
}

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

/// Group commit: many concurrent writes, some of which fail; each failed write alone is rolled
/// back, every other one is committed, and every caller gets its own write's result.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn group_committed_writes_each_stand_or_fall_alone() {
    let db = TempDatabase::new();
    let connection = db::open(&db.path, &MIGRATIONS).await.unwrap();
    let writer = db::GroupCommit::new(connection.clone());
    let writes = (0..200_i64).map(|i| {
        let writer = writer.clone();
        tokio::spawn(async move {
            writer
                .write(move |conn| {
                    conn.execute("INSERT INTO notes (id, text) VALUES (?1, 'note')", [i])?;
                    if i % 10 == 0 {
                        // Fails after its insert: the insert must not stand.
                        conn.execute("INSERT INTO notes (id, text) VALUES (?1, NULL)", [i + 1000])?;
                    }
                    Ok(i)
                })
                .await
        })
    });
    let results = futures::future::join_all(writes).await;
    for (i, result) in results.into_iter().enumerate() {
        let result = result.unwrap();
        if i % 10 == 0 {
            assert!(result.is_err(), "write {i} should have failed");
        } else {
            assert_eq!(result.unwrap(), i64::try_from(i).unwrap());
        }
    }
    let (count, failed_kept): (i64, i64) = connection
        .call(|conn| {
            conn.query_row(
                "SELECT count(*), count(*) FILTER (WHERE id % 10 = 0) FROM notes",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
        })
        .await
        .unwrap();
    assert_eq!((count, failed_kept), (180, 0));
}

/// A write alone in its batch runs without a savepoint: when it fails half-way, its transaction
/// is rolled back whole (nothing of it stands), its caller gets its error, and the next write
/// starts a transaction of its own as usual.
#[tokio::test]
async fn a_lone_write_that_fails_leaves_nothing_behind() {
    let db = TempDatabase::new();
    let connection = db::open(&db.path, &MIGRATIONS).await.unwrap();
    let writer = db::GroupCommit::new(connection.clone());
    let failed = writer
        .write(|conn| {
            conn.execute("INSERT INTO notes (id, text) VALUES (1, 'half')", [])?;
            conn.execute("INSERT INTO notes (id, text) VALUES (2, NULL)", [])
        })
        .await;
    assert!(failed.is_err(), "the NOT NULL violation is the caller's error");
    let kept = writer
        .write(|conn| conn.execute("INSERT INTO notes (id, text) VALUES (3, 'whole')", []))
        .await;
    assert_eq!(kept.unwrap(), 1);
    assert_eq!(note_ids(&connection).await, [3]);
}

/// A write whose failure makes SQLite roll back the whole transaction (here an `OR ROLLBACK`
/// conflict; an I/O error does the same): its caller gets its own error, the writes run before
/// it in the batch are told theirs was rolled back with it (and it was), and the writes queued
/// after it still go through, in a transaction of their own.
#[tokio::test]
async fn a_write_that_rolls_back_its_batch_takes_only_the_writes_before_it_along() {
    let db = TempDatabase::new();
    let connection = db::open(&db.path, &MIGRATIONS).await.unwrap();
    let writer = db::GroupCommit::new(connection.clone());
    let insert = |id: i64, text: Option<&'static str>| {
        let writer = writer.clone();
        async move {
            writer
                .write(move |conn| {
                    conn.execute(
                        "INSERT OR ROLLBACK INTO notes (id, text) VALUES (?1, ?2)",
                        rusqlite::params![id, text],
                    )
                })
                .await
        }
    };
    // On this single-threaded test runtime every write is queued before the batching task runs:
    // the five are one batch.
    let results = futures::future::join_all([
        insert(1, Some("before")),
        insert(2, Some("before")),
        insert(3, None),
        insert(4, Some("after")),
        insert(5, Some("after")),
    ])
    .await;
    let messages: Vec<String> = results
        .into_iter()
        .map(|result| match result {
            Ok(inserted) => format!("ok {inserted}"),
            Err(error) => format!("{error:#}"),
        })
        .collect();
    for before in &messages[..2] {
        assert!(
            before.contains("rolled back by another write in its batch"),
            "{messages:?}"
        );
    }
    assert!(messages[2].contains("NOT NULL constraint failed"), "{messages:?}");
    assert_eq!(messages[3..], ["ok 1", "ok 1"], "{messages:?}");
    assert_eq!(note_ids(&connection).await, [4, 5]);
}

/// A full database (here through `max_page_count`; a full disk gives SQLite the same error)
/// refuses a write with 503 and a message that says so, keeps nothing of it, and takes writes
/// again once there is room.
#[tokio::test]
async fn a_full_database_refuses_writes_with_503_until_there_is_room() {
    let db = TempDatabase::new();
    let connection = db::open(&db.path, &MIGRATIONS).await.unwrap();
    let set_max_pages = |pages: Option<i64>| {
        let connection = connection.clone();
        async move {
            connection
                .call(move |conn| {
                    let pages = match pages {
                        Some(pages) => pages,
                        None => conn.query_row("PRAGMA page_count", [], |row| row.get(0))?,
                    };
                    conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
                })
                .await
                .unwrap();
        }
    };
    let writer = db::GroupCommit::new(connection.clone());
    let insert_large_note =
        || writer.write(|conn| conn.execute("INSERT INTO notes (text) VALUES (zeroblob(100000))", []));

    set_max_pages(None).await;
    let refused = insert_large_note().await.expect_err("no room for another page");
    assert_eq!(refused.status(), 503, "{refused:#}");
    assert!(refused.to_string().contains("storage is full"), "{refused:#}");

    set_max_pages(Some(1_000_000)).await;
    assert_eq!(insert_large_note().await.expect("room again"), 1);
    let notes: i64 = connection
        .call(|conn| conn.query_row("SELECT count(*) FROM notes", [], |row| row.get(0)))
        .await
        .unwrap();
    assert_eq!(notes, 1, "the refused write left nothing behind");
}
