//! Badges: SVG drawn locally for a pact's latest verification, the matrix of tagged versions and
//! can-i-deploy; unknown things give an "unknown" badge, not a 404.

use crate::common::{environment, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::json;
use service_kit::testing::TempDatabase;

async fn svg(c: &reqwest::Client, url: String) -> String {
    let response = c.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(response.headers()["content-type"], "image/svg+xml", "{url}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn badges_follow_the_verification_results() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let pact_badge = || app.url("/pacts/provider/Bar/consumer/Foo/latest/badge");
    assert!(
        svg(&c, pact_badge()).await.contains(">unknown</text>"),
        "no such pact yet"
    );

    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
    assert!(
        svg(&c, pact_badge()).await.contains(">unknown</text>"),
        "not verified yet"
    );
    verify(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/1"),
        "7",
        None,
        true,
        json!([]),
    )
    .await;
    let badge = svg(&c, pact_badge()).await;
    assert!(
        badge.contains(">verified</text>") && badge.contains(">Foo/Bar pact</text>"),
        "{badge}"
    );
    let tagged = svg(
        &c,
        app.url("/pacts/provider/Bar/consumer/Foo/latest/prod/badge?label=contract"),
    )
    .await;
    assert!(
        tagged.contains(">verified</text>") && tagged.contains(">contract</text>"),
        "{tagged}"
    );

    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    verify(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/2"),
        "7",
        None,
        false,
        json!([]),
    )
    .await;
    assert!(svg(&c, pact_badge()).await.contains(">failed</text>"));

    // The matrix of the latest prod-tagged versions: Foo 1 against Bar 7.
    send_json(
        c.put(app.url("/pacticipants/Bar/versions/7/tags/prod"))
            .json(&json!({})),
    )
    .await;
    let matrix = svg(
        &c,
        app.url("/matrix/provider/Bar/latest/prod/consumer/Foo/latest/prod/badge"),
    )
    .await;
    assert!(matrix.contains(">verified</text>"), "{matrix}");

    // can-i-deploy: Foo (prod tag, version 1) to production once Bar 7 is deployed there.
    let deploy_badge = || app.url("/pacticipants/Foo/latest-version/prod/can-i-deploy/to/production/badge");
    assert!(
        svg(&c, deploy_badge()).await.contains(">unknown</text>"),
        "no such environment"
    );
    let production = environment(&c, &app, "production").await;
    let record = |version: &str| {
        c.post(app.url(&format!(
            "/pacticipants/Bar/versions/{version}/deployed-versions/environment/{production}"
        )))
        .json(&json!({}))
    };
    assert_eq!(send_json(record("7")).await.0, 201);
    assert!(svg(&c, deploy_badge()).await.contains(">yes</text>"));
    let branch_badge =
        app.url("/pacticipants/Foo/branches/main/latest-version/can-i-deploy/to-environment/production/badge");
    assert!(
        svg(&c, branch_badge).await.contains(">no</text>"),
        "Foo 2 on main failed against Bar 7"
    );
}
