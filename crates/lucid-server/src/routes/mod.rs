//! The API's handlers, one module per resource.

pub mod agents;
pub mod dreams;
pub mod schedules;
pub mod sessions;
pub mod stores;
