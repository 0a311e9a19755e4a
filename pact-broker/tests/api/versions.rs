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
