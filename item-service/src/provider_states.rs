//! Provider states of item-service (table in the README): each one resets the items to exactly
//! what it names.

use service_kit::ApiError;
use service_kit::provider_states::{Param, Params, ProviderState, ProviderStates, not_implemented};

use crate::storage::{Item, ItemStore};

pub const ITEM_EXISTS: &str = "an item with id {item_id} exists with name {name}";
pub const NO_ITEM: &str = "no item with id {item_id} exists";

#[derive(Clone)]
pub struct ItemStates {
    items: ItemStore,
}

impl ItemStates {
    pub fn new(items: ItemStore) -> Self {
        Self { items }
    }
}

impl ProviderStates for ItemStates {
    const STATES: &'static [ProviderState] = &[
        ProviderState {
            name: ITEM_EXISTS,
            params: &[Param::integer("item_id", "5"), Param::text("name", "Blue mug")],
            effect: "only that item exists, with that name and an empty description",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "no item exists",
        },
    ];

    async fn set_up(&self, state: &str, params: &Params) -> Result<(), ApiError> {
        let items = match state {
            ITEM_EXISTS => vec![Item {
                id: params.integer("item_id")?,
                name: crate::routes::valid_name(&params.text("name")?)
                    .map_err(|error| ApiError::BadRequest(format!("provider state param 'name': {error}")))?,
                description: String::new(),
            }],
            NO_ITEM => vec![],
            other => return Err(not_implemented(other)),
        };
        self.items.replace_all(items).await
    }
}
