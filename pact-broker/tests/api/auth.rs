//! Basic auth: 401, 403 and public read.

use crate::client;
use crate::common::{pact, spawn_with};
use pact_broker::Config;
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn basic_auth_answers_401_and_403_like_the_official_image() {
    let db = TempDatabase::new();
    let config = Config {
        basic_auth_username: Some("rw".into()),
        basic_auth_password: Some("secret".into()),
        basic_auth_read_only_username: Some("ro".into()),
        basic_auth_read_only_password: Some("peek".into()),
        ..Config::for_database(db.path.clone())
    };
    let app = spawn_with(config).await;
    let c = client();
    let response = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(
        c.get(app.url("/"))
            .basic_auth("rw", Some("wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.get(app.url("/"))
            .basic_auth("ro", Some("peek"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let url = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    let p = pact("Foo", "Bar", &["/1"]);
    assert_error(
        c.put(&url)
            .basic_auth("ro", Some("peek"))
            .json(&p)
            .send()
            .await
            .unwrap(),
        403,
        "only read",
    )
    .await;
    assert_eq!(
        c.put(&url)
            .basic_auth("rw", Some("secret"))
            .json(&p)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        c.get(app.url("/health")).send().await.unwrap().status(),
        200,
        "health stays open"
    );

    let db2 = TempDatabase::new();
    let config = Config {
        basic_auth_username: Some("rw".into()),
        basic_auth_password: Some("secret".into()),
        allow_public_read: true,
        ..Config::for_database(db2.path.clone())
    };
    let public = spawn_with(config).await;
    assert_eq!(c.get(public.url("/")).send().await.unwrap().status(), 200);
    assert_eq!(
        c.put(public.url("/pacts/provider/Bar/consumer/Foo/version/1"))
            .json(&p)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
