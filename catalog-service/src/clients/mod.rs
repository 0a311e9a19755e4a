//! One typed client per neighbour: the calls catalog-service makes, and nothing else. These are
//! the modules the consumer contract tests drive against the Pact mock server.

pub mod accounting;
pub mod inventory;
pub mod item;

pub use accounting::AccountingClient;
pub use inventory::InventoryClient;
pub use item::ItemClient;
