//! Pacticipants: create, update (PUT, merge-patch PATCH), 404 and 409.

use crate::common::{get_json, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn pacticipants_are_created_updated_and_unknown_ones_are_404() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    assert_error(
        c.get(app.url("/pacticipants/Nobody")).send().await.unwrap(),
        404,
        "not found",
    )
    .await;

    let (status, body) = send_json(
        c.post(app.url("/pacticipants"))
            .json(&json!({"name": "Foo", "mainBranch": "main"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["mainBranch"], "main");
    assert!(
        body["_links"]["pb:branch-version"]["href"]
            .as_str()
            .unwrap()
            .contains("/branches/{branch}/versions/{version}")
    );
    let (status, _) = send_json(c.post(app.url("/pacticipants")).json(&json!({"name": "Foo"}))).await;
    assert_eq!(status, 409);

    // PATCH with the merge-patch content type, as create-or-update-pacticipant sends it.
    let (status, body) = send_json(
        c.patch(app.url("/pacticipants/Foo"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"name": "Foo", "repositoryUrl": "http://git/foo"}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["repositoryUrl"], "http://git/foo");
    assert_eq!(body["mainBranch"], "main", "PATCH keeps the fields it does not name");

    let (status, body) = send_json(
        c.put(app.url("/pacticipants/Bar"))
            .json(&json!({"displayName": "The Bar"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = get_json(&c, &app.url("/pacticipants")).await;
    let names: Vec<&str> = list["_embedded"]["pacticipants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bar", "Foo"]);

    assert_error(
        c.put(app.url("/pacticipants/Bar"))
            .json(&json!({"name": "Baz"}))
            .send()
            .await
            .unwrap(),
        400,
        "does not match",
    )
    .await;
    assert_error(
        c.post(app.url("/pacticipants")).json(&json!({})).send().await.unwrap(),
        400,
        "name",
    )
    .await;
    assert_error(
        c.post(app.url("/pacticipants"))
            .header("Content-Type", "application/json")
            .body("{nope")
            .send()
            .await
            .unwrap(),
        400,
        "invalid JSON",
    )
    .await;
}

/// Deleting a version takes its pacts, verifications, tags and branches with it; deleting a
/// pacticipant takes its versions, the pacts it is provider of and the webhooks naming it.
#[tokio::test]
async fn versions_and_pacticipants_can_be_deleted() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    publish(&c, &app, &pact("Baz", "Bar", &["/z"]), "1", Some("main"), &[]).await;
    verify(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/2"),
        "7",
        None,
        true,
        json!([]),
    )
    .await;

    let version = app.url("/pacticipants/Foo/versions/2");
    assert_eq!(send_json(c.delete(&version)).await.0, 204);
    assert_eq!(get_json(&c, &version).await.0, 404);
    assert_eq!(send_json(c.delete(&version)).await.0, 404);
    let (_, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(
        latest["interactions"][0]["request"]["path"], "/1",
        "version 1's pact is the latest again"
    );

    let bar = app.url("/pacticipants/Bar");
    assert_eq!(send_json(c.delete(&bar)).await.0, 204);
    assert_eq!(get_json(&c, &bar).await.0, 404);
    assert_eq!(
        get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest"))
            .await
            .0,
        404
    );
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await.0,
        200,
        "consumers stay"
    );
    let (_, integrations) = get_json(&c, &app.url("/integrations")).await;
    assert_eq!(integrations["_embedded"]["integrations"], json!([]));
    assert_eq!(send_json(c.delete(&bar)).await.0, 404);
}
