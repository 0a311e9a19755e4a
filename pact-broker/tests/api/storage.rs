//! What the store guarantees over HTTP: concurrent publishers, restarts.

use crate::client;
use crate::common::{environment, get_json, pact, publish, publish_body, spawn};
use service_kit::testing::TempDatabase;

/// 200 publishes at once, from a runtime of their own, against the broker on a multi-threaded
/// one: they really race for the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishers_lose_nothing() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let url = app.url("/contracts/publish");
    let statuses = service_kit::testing::race(200, move |client, n| {
        let (t, i) = (n % 8, n / 8);
        let p = pact(&format!("Consumer{}", t % 4), "Provider", &[&format!("/t{t}/i{i}")]);
        client
            .post(&url)
            .json(&publish_body(&p, &format!("{t}.{i}"), Some("main"), &["ci"]))
    })
    .await;
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    for t in 0..8 {
        for i in 0..25 {
            let url = app.url(&format!(
                "/pacts/provider/Provider/consumer/Consumer{}/version/{t}.{i}",
                t % 4
            ));
            let (status, body) = get_json(&c, &url).await;
            assert_eq!(status, 200, "{url}");
            assert_eq!(body["interactions"][0]["request"]["path"], format!("/t{t}/i{i}"));
        }
    }
}

#[tokio::test]
async fn data_survives_a_restart() {
    let db = TempDatabase::new();
    let c = client();
    {
        let app = spawn(&db).await;
        publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
        environment(&c, &app, "production").await;
        app.stop().await;
    }
    let app = spawn(&db).await;
    let (status, body) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(status, 200);
    assert_eq!(body["interactions"][0]["request"]["path"], "/1");
    let (_, envs) = get_json(&c, &app.url("/environments")).await;
    assert_eq!(envs["_embedded"]["environments"][0]["name"], "production");
}
