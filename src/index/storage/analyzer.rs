//! Registers the shared English analysis ([`crate::analysis`]) on a Tantivy index, under the
//! names the schema's text fields refer to.

use crate::analysis::{analyzer, folder};
use tantivy::Index;

/// The name the analyzer is registered under.
pub const ANALYZER: &str = "hs_english";

/// The name the surface analyzer (folded words, not stemmed) is registered under.
pub const SURFACE: &str = "hs_surface";

/// Registers the analyzer on an index; must run before any read or write.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
    index.tokenizers().register(SURFACE, folder());
}
