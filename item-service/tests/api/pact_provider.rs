//! item-service as a provider: the real service, on a random port with a fresh database and
//! provider states on, replays every pact its consumers hold with it.

use crate::support;

use contract_testing::verification::assert_honours_its_pacts;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn item_service_honours_its_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    assert_honours_its_pacts("item-service", &app.base_url).await;
}

/// Pacts another team wrote by hand from the README (V2 and V3, concrete state names), verified
/// by pact_verifier and the standalone pact_verifier_cli.
#[tokio::test]
async fn item_service_honours_hand_written_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::hand_written::assert_honours_hand_written_pacts("item-service", &app.base_url).await;
}

/// An empty pact folder and a corrupt pact file fail verification, saying why, instead of
/// passing having verified nothing.
#[tokio::test]
async fn verification_of_nothing_or_of_a_corrupt_pact_fails() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    contract_testing::verification::assert_refuses_to_verify_nothing("item-service", &app.base_url).await;
}
