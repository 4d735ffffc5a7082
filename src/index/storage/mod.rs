//! Storage: the schema and its versions, the analyzers registered on the index, writing and
//! compacting, opening (read-write or from a read-only volume), and reading stored articles back.

pub mod analyzer;
pub mod lookup;
pub mod open;
pub mod readonly;
pub mod schema;
pub mod site_names;
pub mod store;
pub mod stored;
pub mod version;
pub mod writer;

pub use version::content_version;
