//! inventory-service as a provider: the real service, on a random port with a fresh database
//! and provider states on, replays every pact its consumers hold with it.

use crate::support;

use contract_testing::verification::{assert_honours_its_pacts, local_pacts_dir, read_pact, verify};
use pact_verifier::PactSource;
use serde_json::json;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn inventory_service_honours_its_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    assert_honours_its_pacts("inventory-service", &app.base_url).await;
}

#[tokio::test]
async fn verification_fails_when_the_consumer_expects_what_inventory_does_not_do() {
    // catalog's real pact, with one expectation inventory never met: a warehouse for the stock.
    let mut pact = read_pact(&local_pacts_dir(), "catalog-service", "inventory-service");
    let interaction = pact["interactions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["description"] == "a request for the stock of an item")
        .expect("catalog's pact reads stock");
    interaction["response"]["body"]["warehouse"] = json!("north");

    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    let result = verify(
        "inventory-service",
        &app.base_url,
        PactSource::String(pact.to_string()),
        None,
    )
    .await;

    let failed = contract_testing::verification::assert_fails_with(&result, 1, "missing the following keys: warehouse");
    assert!(
        failed[0].contains("a request for the stock of an item"),
        "only the changed interaction fails: {failed:?}"
    );
}

/// Pacts another team wrote by hand from the README (V2 and V3, concrete state names), verified
/// by pact_verifier and the standalone pact_verifier_cli.
#[tokio::test]
async fn inventory_service_honours_hand_written_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::hand_written::assert_honours_hand_written_pacts("inventory-service", &app.base_url).await;
}

/// An empty pact folder and a corrupt pact file fail verification, saying why, instead of
/// passing having verified nothing.
#[tokio::test]
async fn verification_of_nothing_or_of_a_corrupt_pact_fails() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::verification::assert_refuses_to_verify_nothing("inventory-service", &app.base_url).await;
}
