//! Contract catalog-service → item-service, from the consumer's side.
//!
//! Each test declares one interaction, runs catalog's real `ItemClient` against the Pact mock
//! server and checks what the client made of the answer. Together they write
//! `pacts/catalog-service-item-service.json`.

use catalog_service::clients::ItemClient;
use contract_testing::InteractionBuilder;
use pact_consumer::prelude::*;
use serde_json::json;

async fn item_service(
    description: &str,
    build: impl FnOnce(&mut InteractionBuilder) + Send + 'static,
) -> (Box<dyn ValidatingMockServer>, ItemClient) {
    let mock = contract_testing::mock_provider("catalog-service", "item-service", description, build).await;
    let client = ItemClient::new(&mock.url(), reqwest::Client::new());
    (mock, client)
}

#[tokio::test]
async fn reading_the_name_of_an_item() {
    let (_mock, client) = item_service("a request for an item", |i| {
        i.given_with_params(
            "an item with id {item_id} exists with name {name}",
            &json!({"item_id": 1, "name": "Contract Coffee Mug"}),
        );
        i.request.get().path(term!("^/items/[0-9]+$", "/items/1"));
        // Catalog only reads the name: any string will do, the rest of the item is not its business.
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"name": like!("Contract Coffee Mug")}));
    })
    .await;

    assert_eq!(client.name(1).await.unwrap().as_deref(), Some("Contract Coffee Mug"));
}

#[tokio::test]
async fn reading_an_unknown_item() {
    let (_mock, client) = item_service("a request for an unknown item", |i| {
        i.given_with_params("no item with id {item_id} exists", &json!({"item_id": 404}));
        i.request.get().path("/items/404");
        i.response.not_found();
    })
    .await;

    assert_eq!(client.name(404).await.unwrap(), None);
}
