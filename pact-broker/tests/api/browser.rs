//! The web page in a real headless browser (Debian's `chromium`, installed by
//! `make setup-test`): what the index shows, and a screenshot.

use std::path::Path;
use std::process::Command;

use crate::common::{get_json, pact, publish, send_json, spawn};
use serde_json::json;
use service_kit::testing::TempDatabase;

fn chromium() -> &'static str {
    let found = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "chromium is not installed: run `make setup-test` first");
    "chromium"
}

/// Runs headless chromium with the given extra arguments on `url`; returns stdout.
async fn run_chromium(profile: &Path, extra: &[String], url: &str) -> String {
    let mut command = Command::new("timeout");
    command
        .arg("90")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_page_shows_pacts_and_their_verification_in_a_real_browser() {
    chromium();
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let c = reqwest::Client::new();
    publish(
        &c,
        &broker,
        &pact("cart-service", "catalog-service", &["/items/1"]),
        "1.4.2",
        Some("main"),
        &["dev"],
    )
    .await;
    publish(
        &c,
        &broker,
        &pact("catalog-service", "item-service", &["/items/1"]),
        "0.9.0",
        Some("main"),
        &[],
    )
    .await;
    publish(
        &c,
        &broker,
        &pact("catalog-service", "accounting-service", &["/items/1"]),
        "0.9.0",
        Some("main"),
        &[],
    )
    .await;
    for (provider, consumer, version, success) in [
        ("catalog-service", "cart-service", "1.4.2", true),
        ("item-service", "catalog-service", "0.9.0", false),
    ] {
        let (_, body) = get_json(
            &c,
            &broker.url(&format!(
                "/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
            )),
        )
        .await;
        let href = body["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, _) = send_json(
            c.post(href)
                .json(&json!({"success": success, "providerApplicationVersion": "3.0.0"})),
        )
        .await;
        assert_eq!(status, 201);
    }

    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(profile.path(), &["--dump-dom".into()], &broker.url("/")).await;
    let row_of = |consumer: &str, provider: &str| {
        let marker = format!("data-consumer=\"{consumer}\" data-provider=\"{provider}\"");
        let start = dom
            .find(&marker)
            .unwrap_or_else(|| panic!("no row for {consumer} → {provider} in {dom}"));
        let end = dom[start..].find("</tr>").map(|e| start + e).unwrap_or(dom.len());
        dom[start..end].to_owned()
    };
    let verified = row_of("cart-service", "catalog-service");
    assert!(verified.contains("1.4.2"), "{verified}");
    assert!(
        verified.contains("class=\"verified success\""),
        "the last verification is green: {verified}"
    );
    let failed = row_of("catalog-service", "item-service");
    assert!(failed.contains("class=\"verified failure\""), "{failed}");
    let pending = row_of("catalog-service", "accounting-service");
    assert!(
        pending.contains("class=\"verified pending\"") && pending.contains("pending"),
        "{pending}"
    );

    // The pact as HTML and the network graph, as a browser renders them.
    let page = run_chromium(
        profile.path(),
        &["--dump-dom".into()],
        &broker.url("/pacts/provider/catalog-service/consumer/cart-service/latest"),
    )
    .await;
    assert!(page.contains("a request for /items/1"), "{page}");
    let network = run_chromium(profile.path(), &["--dump-dom".into()], &broker.url("/network")).await;
    assert!(
        network.contains("<svg") && network.contains("cart-service depends on catalog-service"),
        "{network}"
    );

    // A screenshot: a real, non-empty PNG (kept under target/ for a person to look at).
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pact-broker-index.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,720".into(),
        ],
        &broker.url("/"),
    )
    .await;
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.len() > 5_000, "screenshot is only {} bytes", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG");
    let network_shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pact-broker-network.png");
    // A PNG left by an earlier run must not pass for this one's.
    let _ = std::fs::remove_file(&network_shot);
    run_chromium(
        profile.path(),
        &[
            format!("--screenshot={}", network_shot.display()),
            "--window-size=900,760".into(),
        ],
        &broker.url("/network"),
    )
    .await;
    let png = std::fs::read(&network_shot).expect("the network screenshot was written");
    assert!(png.len() > 5_000, "network screenshot is only {} bytes", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the network screenshot is a PNG");
}
