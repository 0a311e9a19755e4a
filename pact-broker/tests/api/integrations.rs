//! Integrations: listed with their verification status; deleting one removes the pair's pacts
//! and verifications and nothing else.

use crate::common::{get_json, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::json;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn integrations_are_listed_and_deleted() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Baz", &["/1"]), "1", Some("main"), &[]).await;
    verify(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/1"),
        "7",
        None,
        true,
        json!([]),
    )
    .await;

    let (_, index) = get_json(&c, &app.url("/")).await;
    assert_eq!(index["_links"]["pb:integrations"]["href"], app.url("/integrations"));
    let (status, list) = get_json(&c, &app.url("/integrations")).await;
    assert_eq!(status, 200);
    let pairs: Vec<(String, String, String)> = list["_embedded"]["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            (
                s(&i["consumer"]["name"]),
                s(&i["provider"]["name"]),
                s(&i["verificationStatus"]),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("Foo".into(), "Bar".into(), "success".into()),
            ("Foo".into(), "Baz".into(), "never".into())
        ]
    );

    let delete = app.url("/integrations/provider/Bar/consumer/Foo");
    assert_eq!(send_json(c.delete(&delete)).await.0, 204);
    assert_eq!(send_json(c.delete(&delete)).await.0, 404);
    assert_eq!(
        get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest"))
            .await
            .0,
        404
    );
    assert_eq!(
        get_json(&c, &app.url("/pacts/provider/Baz/consumer/Foo/latest"))
            .await
            .0,
        200,
        "other pairs stay"
    );
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await.0,
        200,
        "versions stay"
    );
    let (_, list) = get_json(&c, &app.url("/integrations")).await;
    assert_eq!(list["_embedded"]["integrations"].as_array().unwrap().len(), 1);
}
