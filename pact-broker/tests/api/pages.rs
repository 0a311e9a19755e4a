//! The web pages and the SVG graph.

use crate::client;
use crate::common::{pact, publish, spawn};
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn browsers_get_html_pages_and_an_svg_graph() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
    let html = |url: String| c.get(url).header("Accept", "text/html,application/xhtml+xml").send();
    let response = html(app.url("/")).await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("<td class=\"consumer\">Foo</td>") && text.contains("pending"),
        "{text}"
    );
    let text = html(app.url("/pacts/provider/Bar/consumer/Foo/latest"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("a request for /1"), "{text}");
    let text = html(app.url("/matrix")).await.unwrap().text().await.unwrap();
    assert!(text.contains("<table id=\"matrix\">"));
    let text = c
        .get(app.url("/matrix/provider/Bar/consumer/Foo"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("<td>Foo</td><td>1</td><td>Bar</td>"), "{text}");
    let response = c.get(app.url("/network.svg")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Foo depends on Bar"));
    let group = c
        .get(app.url("/groups/Bar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(group.contains("Foo depends on Bar"), "{group}");
    assert_eq!(c.get(app.url("/groups/Nobody")).send().await.unwrap().status(), 404);
    // Unknown routes and wrong methods stay JSON.
    assert_error(c.get(app.url("/nope")).send().await.unwrap(), 404, "no route").await;
    assert_error(c.delete(app.url("/matrix")).send().await.unwrap(), 405, "not allowed").await;
}
