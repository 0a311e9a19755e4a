//! accounting-service as a provider: the real service, on a random port with a fresh database
//! and provider states on, replays every pact its consumers hold with it.

use crate::support;

use axum::body::Body;
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use contract_testing::verification::{assert_honours_its_pacts, local_source, verify};
use service_kit::testing::{TempDatabase, TestApp};

#[tokio::test]
async fn accounting_service_honours_its_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    assert_honours_its_pacts("accounting-service", &app.base_url).await;
}

/// What a careless refactoring would ship: every `price` field renamed to `amount`.
async fn rename_price_to_amount(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("read the body");
    let renamed = String::from_utf8_lossy(&bytes).replace("\"price\":", "\"amount\":");
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(renamed))
}

#[tokio::test]
async fn verification_fails_when_a_field_the_consumer_reads_is_renamed() {
    let db = TempDatabase::new();
    let broken = accounting_service::app(support::open(&db, true).await)
        .layer(axum::middleware::map_response(rename_price_to_amount));
    let app = TestApp::spawn(broken).await;

    let result = verify("accounting-service", &app.base_url, local_source(), None).await;

    // Both interactions that return a price fail; the 404 one does not.
    contract_testing::verification::assert_fails_with(&result, 2, "missing the following keys: price");
}

/// Pacts another team wrote by hand from the README (V2 and V3, concrete state names), verified
/// by pact_verifier and the standalone pact_verifier_cli.
#[tokio::test]
async fn accounting_service_honours_hand_written_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::hand_written::assert_honours_hand_written_pacts("accounting-service", &app.base_url).await;
}

/// An empty pact folder and a corrupt pact file fail verification, saying why, instead of
/// passing having verified nothing.
#[tokio::test]
async fn verification_of_nothing_or_of_a_corrupt_pact_fails() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::verification::assert_refuses_to_verify_nothing("accounting-service", &app.base_url).await;
}
