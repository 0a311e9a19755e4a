//! item-service as a provider: the real service, on a random port with a fresh database and
//! provider states on, replays every pact its consumers hold with it.

mod support;

use contract_testing::verification::assert_honours_its_pacts;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn item_service_honours_its_pacts() {
    let db = TempDatabase::new();
    let app = support::spawn(&db, true).await;
    assert_honours_its_pacts("item-service", &app.base_url).await;
}
