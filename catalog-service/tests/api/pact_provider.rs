//! catalog-service as a provider: the real service, on a random port with a fresh database and
//! provider states on, replays every pact its consumers hold with it.
//!
//! Its answers come from its neighbours, so the real accounting, inventory and item services run
//! beside it (random ports, fresh databases, provider states on) and each of catalog's states
//! puts them into their own documented states. See the README, "catalog-service as a provider".

use catalog_service::testing::Neighbourhood;
use contract_testing::verification::assert_honours_its_pacts;

#[tokio::test]
async fn catalog_service_honours_its_pacts() {
    let system = Neighbourhood::spawn(true).await;
    assert_honours_its_pacts("catalog-service", &system.catalog.base_url).await;
}

/// Pacts another team wrote by hand from the README (V2 and V3, concrete state names), verified
/// by pact_verifier and the standalone pact_verifier_cli.
#[tokio::test]
async fn catalog_service_honours_hand_written_pacts() {
    let system = Neighbourhood::spawn(true).await;
    contract_testing::hand_written::assert_honours_hand_written_pacts("catalog-service", &system.catalog.base_url)
        .await;
}

/// An empty pact folder and a corrupt pact file fail verification, saying why, instead of
/// passing having verified nothing.
#[tokio::test]
async fn verification_of_nothing_or_of_a_corrupt_pact_fails() {
    let system = Neighbourhood::spawn(true).await;
    contract_testing::verification::assert_refuses_to_verify_nothing("catalog-service", &system.catalog.base_url).await;
}
