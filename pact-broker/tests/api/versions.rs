//! Versions, tags and branches.

use crate::client;
use crate::common::{get_json, send_json, spawn};
use serde_json::json;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn versions_tags_and_branches() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    // Write requests may carry a JSON content type with an empty body.
    let empty = |url: String| c.put(url).header("Content-Type", "application/json").body("");
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/versions/1/tags/prod")))
            .await
            .0,
        201
    );
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/versions/1/tags/prod")))
            .await
            .0,
        200
    );
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/branches/main/versions/2")))
            .await
            .0,
        200
    );
    let (status, latest) = get_json(&c, &app.url("/pacticipants/Foo/latest-version")).await;
    assert_eq!((status, latest["number"].as_str()), (200, Some("2")));
    let (_, tagged) = get_json(&c, &app.url("/pacticipants/Foo/latest-version/prod")).await;
    assert_eq!(tagged["number"], "1");
    assert_eq!(tagged["_embedded"]["tags"][0]["name"], "prod");
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/versions/1/tags/prod")).await.0,
        200
    );
    assert_eq!(get_json(&c, &app.url("/pacticipants/Foo/versions/3")).await.0, 404);
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/branches/main/versions/2"))
            .await
            .0,
        200
    );
    let (status, v) = send_json(
        c.put(app.url("/pacticipants/Foo/versions/3"))
            .json(&json!({"branch": "feat", "buildUrl": "http://ci/3"})),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["buildUrl"], "http://ci/3");
    assert_eq!(
        c.delete(app.url("/pacticipants/Foo/versions/1/tags/prod"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/latest-version/prod")).await.0,
        404
    );
    let (_, versions) = get_json(&c, &app.url("/pacticipants/Foo/versions")).await;
    assert_eq!(versions["_embedded"]["versions"].as_array().unwrap().len(), 3);
}

/// The official defaults: a tag-only version gets its first tag as branch, and a pacticipant
/// without a main branch gets the first candidate name (develop, main, master) it is labelled
/// with; with the settings off neither happens.
#[tokio::test]
async fn first_tag_becomes_the_branch_and_main_branch_is_detected() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let put = |path: &str| c.put(app.url(path)).json(&json!({}));
    send_json(put("/pacticipants/Foo/versions/1/tags/feat-x")).await;
    send_json(put("/pacticipants/Foo/versions/1/tags/other")).await;
    let (_, version) = get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await;
    let branches: Vec<&str> = version["_embedded"]["branchVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(branches, ["feat-x"], "only the first tag: {version}");
    let (_, foo) = get_json(&c, &app.url("/pacticipants/Foo")).await;
    assert!(foo["mainBranch"].is_null(), "feat-x is no candidate: {foo}");

    send_json(put("/pacticipants/Foo/branches/master/versions/2")).await;
    send_json(put("/pacticipants/Foo/branches/main/versions/3")).await;
    let (_, foo) = get_json(&c, &app.url("/pacticipants/Foo")).await;
    assert_eq!(foo["mainBranch"], "master", "the first candidate wins: {foo}");

    send_json(put("/pacticipants/Bar/versions/1/tags/develop")).await;
    let (_, bar) = get_json(&c, &app.url("/pacticipants/Bar")).await;
    assert_eq!(bar["mainBranch"], "develop", "a candidate tag counts: {bar}");

    let db = TempDatabase::new();
    let off = crate::common::spawn_with(pact_broker::Config {
        auto_detect_main_branch: false,
        use_first_tag_as_branch: false,
        ..pact_broker::Config::for_database(db.path.clone())
    })
    .await;
    send_json(
        c.put(off.url("/pacticipants/Foo/versions/1/tags/main"))
            .json(&json!({})),
    )
    .await;
    let (_, version) = get_json(&c, &off.url("/pacticipants/Foo/versions/1")).await;
    assert_eq!(version["_embedded"]["branchVersions"], json!([]), "{version}");
    let (_, foo) = get_json(&c, &off.url("/pacticipants/Foo")).await;
    assert!(foo["mainBranch"].is_null(), "{foo}");
}
