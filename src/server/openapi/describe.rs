//! Building blocks for the query parameters each handler module documents beside its own
//! parsing (the handlers read raw query strings strictly): bounds and defaults come from the
//! constants the handlers check, so the two cannot drift, and a test checks that each endpoint
//! documents exactly the names it takes.

use crate::article::Audience;
use crate::index::storage::writer::DAYS;
use crate::query::parse::MAX_QUERY_CHARS;
use crate::server::params::MAX_LIST_VALUES;
use utoipa::ToSchema;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Required, Schema};

/// A query parameter.
pub fn query(name: &str, required: bool, description: String, schema: impl Into<RefOr<Schema>>) -> Parameter {
    let required = if required { Required::True } else { Required::False };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(required)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// A path parameter.
pub fn path(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// A whole number from `min` to `max`, `default` when absent.
pub fn whole(min: usize, max: usize, default: usize) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min)).maximum(Some(max)).default(Some(default.into()))
}

/// A string.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// `true` or `false`, false when absent.
pub fn flag() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean).default(Some(false.into()))
}

/// `T`'s schema, inline (parameters do not bring their schemas into the components).
pub fn inline<T: ToSchema>() -> RefOr<Schema> {
    T::schema()
}

/// A parameter that may be repeated (`name=a&name=b`).
pub fn repeated(name: &str, description: String, items: impl Into<RefOr<Schema>>, max: Option<usize>) -> Parameter {
    let items: RefOr<Schema> = items.into();
    let mut p = query(name, false, description, ArrayBuilder::new().items(items).max_items(max));
    p.style = Some(ParameterStyle::Form);
    p.explode = Some(true);
    p
}

/// `q` of the search-like endpoints, described as `what`.
pub fn search_q(what: &str) -> Parameter {
    let description = format!(
        "{what}, at most {MAX_QUERY_CHARS} characters (absent: 400 `missing_search_q`; empty, too long, an \
         unbalanced `\"` or nothing to search for: 400 `invalid_search_q`). Every word is optional, articles with \
         more of them rank higher; `\"quoted words\"` match as a phrase and `-word` leaves out articles with the \
         word. Lay and clinical names are searched together and misspelt words corrected."
    );
    query("q", true, description, string().min_length(Some(1)).max_length(Some(MAX_QUERY_CHARS)))
}

/// `semantic_ratio`.
pub fn semantic_ratio() -> Parameter {
    let description = "Weight of meaning against words for this request, from 0 (words alone) to 1 (meaning \
                       alone); absent: the server's `--semantic-ratio`. Without the embedding model ranking is by \
                       words. Otherwise 400 `invalid_semantic_ratio`.";
    let schema = ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)).maximum(Some(1));
    query("semantic_ratio", false, description.into(), schema)
}

/// A list filter, strictly read: repeated or comma-separated values, any of which may match.
fn list(name: &str, what: &str, items: impl Into<RefOr<Schema>>) -> Parameter {
    let description = format!(
        "Only articles {what}. Repeat the parameter or separate values with commas; values are alternatives. At \
         most {MAX_LIST_VALUES} values in all, counted after splitting (otherwise 400 `too_many_values`)."
    );
    repeated(name, description, items, Some(MAX_LIST_VALUES))
}

/// A `YYYY-MM-DD` day.
fn day() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
}

/// The filters `/api/search` and `/api/passages` share, read strictly.
pub fn filters() -> Vec<Parameter> {
    let (first, last) = (DAYS.start(), DAYS.end());
    let reviewed_after = format!(
        "Only articles reviewed on or after this day, YYYY-MM-DD (otherwise 400 `invalid_search_filter`), from \
         {first} to {last}, the days the index holds (otherwise 400 `date_out_of_range`). Undated articles are left \
         out."
    );
    vec![
        list("category", "filed under any of these categories (e.g. `After the birth`)", string()),
        list("site", "from any of these host names (e.g. `www.bumptobaby.example`)", string()),
        list("audience", "for any of these people (others: 400 `invalid_search_filter`)", inline::<Audience>()),
        query("reviewed_after", false, reviewed_after, day()),
    ]
}
