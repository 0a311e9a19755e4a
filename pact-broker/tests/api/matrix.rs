//! The matrix and can-i-deploy.

use crate::common::{environment, get_json, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::{Value, json};
use service_kit::testing::TempDatabase;

fn matrix_url(app: &service_kit::testing::TestApp, query: &str) -> String {
    app.url(&format!("/matrix?{query}"))
}

#[tokio::test]
async fn matrix_and_can_i_deploy_follow_the_official_semantics() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    let v1 = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    let v2 = app.url("/pacts/provider/Bar/consumer/Foo/version/2");
    verify(&c, &v1, "10", Some("main"), true, json!([])).await;
    verify(&c, &v2, "10", Some("main"), false, json!([])).await;

    // Rack-style query with literal brackets, as pact-broker-cli sends it.
    let (status, body) = get_json(
        &c,
        &matrix_url(
            &app,
            "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=10&latestby=cvpv",
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    assert_eq!(body["matrix"][0]["verificationResult"]["success"], true);
    let (_, body) = get_json(&c, &matrix_url(&app, "q%5B%5D%5Bpacticipant%5D=Foo&q%5B%5D%5Bversion%5D=2&q%5B%5D%5Bpacticipant%5D=Bar&q%5B%5D%5Bversion%5D=10&latestby=cvpv")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    assert!(body["summary"]["reason"].as_str().unwrap().contains("failed"));
    let (_, body) = get_json(&c, &matrix_url(&app, "q[][pacticipant]=Foo&latestby=cvp")).await;
    assert_eq!(body["matrix"].as_array().unwrap().len(), 2);
    let (status, _) = get_json(&c, &matrix_url(&app, "latestby=cvp")).await;
    assert_eq!(status, 400);

    // can-i-deploy to an environment.
    let prod = environment(&c, &app, "production").await;
    let cid = |v: &str| {
        app.url(&format!(
            "/can-i-deploy?pacticipant=Foo&version={v}&environment=production"
        ))
    };
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(
        body["summary"]["deployable"],
        Value::Null,
        "provider not deployed yet → unknown: {body}"
    );
    assert!(
        body["summary"]["reason"]
            .as_str()
            .unwrap()
            .contains("There is no verified pact")
    );
    c.post(app.url(&format!(
        "/pacticipants/Bar/versions/10/deployed-versions/environment/{prod}"
    )))
    .json(&json!({}))
    .send()
    .await
    .unwrap();
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    assert_eq!(
        body["summary"]["reason"],
        "All required verification results are published and successful"
    );
    let (_, body) = get_json(&c, &cid("2")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    let (_, body) = get_json(&c, &cid("404")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    assert!(
        body["summary"]["reason"]
            .as_str()
            .unwrap()
            .contains("No pacts or verifications have been published for version 404 of Foo")
    );
    // The provider side: deployable when no consumer in production needs it.
    let (_, body) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Bar&version=10&environment=production"),
    )
    .await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    // Once Foo 2 is deployed, Bar 10 (which failed its pact) cannot replace the provider.
    c.post(app.url(&format!(
        "/pacticipants/Foo/versions/2/deployed-versions/environment/{prod}"
    )))
    .json(&json!({}))
    .send()
    .await
    .unwrap();
    let (_, body) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Bar&version=10&environment=production"),
    )
    .await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");

    // Legacy tags: `to`.
    c.put(app.url("/pacticipants/Bar/versions/10/tags/prod"))
        .send()
        .await
        .unwrap();
    let (_, body) = get_json(&c, &app.url("/can-i-deploy?pacticipant=Foo&version=1&to=prod")).await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    let (status, _) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Foo&version=1&environment=nowhere"),
    )
    .await;
    assert_eq!(status, 400);
    // Undeploying Bar makes Foo's requirement unknown again.
    let (_, deployed) = get_json(
        &c,
        &app.url(&format!(
            "/environments/{prod}/deployed-versions/currently-deployed?pacticipant=Bar"
        )),
    )
    .await;
    let href = deployed["_embedded"]["deployedVersions"][0]["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send_json(c.patch(href).json(&json!({"currentlyDeployed": false}))).await;
    assert_eq!((status, body["currentlyDeployed"].as_bool()), (200, Some(false)));
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(body["summary"]["deployable"], Value::Null, "{body}");
}
