//! Error answers many operations share, as reusable OpenAPI responses (`#/components/responses`):
//! each is the `Error` body with one code, and the headers that come with it.

use crate::server::MAX_BODY_BYTES;
use utoipa::ToResponse;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

/// The name of the error body's schema.
pub const ERROR_SCHEMA: &str = "Error";

/// An answer with the error body.
pub fn error(description: impl Into<String>) -> ResponseBuilder {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(ERROR_SCHEMA))).build();
    ResponseBuilder::new().description(description).content("application/json", content)
}

/// A header whose value is a string (`integer`: a whole number) described as `what`.
fn header(what: &str, integer: bool) -> utoipa::openapi::header::Header {
    let kind = if integer { Type::Integer } else { Type::String };
    HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(kind)).description(Some(what)).build()
}

/// Declares a reusable response named after the type.
macro_rules! responses {
    ($($(#[$doc:meta])* $name:ident => $make:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), $make.build().into())
            }
        }
    )*};
}

responses! {
    /// 404 `article_not_found`.
    ArticleNotFound => error(
        "`article_not_found`: no stored article has that id or URL (an id that is not UTF-8 text included).",
    );
    /// 405 `method_not_allowed`, with the methods the path takes.
    MethodNotAllowed => error("`method_not_allowed`: the path does not take that method.")
        .header("Allow", header("The methods the path takes (e.g. `GET,HEAD`).", false));
    /// 413 `payload_too_large`.
    PayloadTooLarge => error(format!(
        "`payload_too_large`: the body is over {} KiB (whether or not it said its length).",
        MAX_BODY_BYTES / 1024
    ));
    /// 503 `search_timeout` or `engine_unavailable`.
    SearchTimeout => error(
        "`search_timeout`: the request took longer than the server's time limit; `engine_unavailable`: no \
         node of the OpenSearch cluster answered. Try again.",
    );
    /// 500 `internal`.
    Internal => error("`internal`: a fault on the server's side, never the request's.");
    /// 429 `rate_limited`, with when to retry.
    RateLimited => error(
        "`rate_limited`: this client address is over its request rate (only with `serve --rate-limit`).",
    )
    .header("Retry-After", header("Seconds until a request is accepted again.", true));
    /// 403 `admin_disabled`.
    AdminDisabled => error(
        "`admin_disabled`: the server runs without an admin token, so nothing can change its state.",
    );
    /// 401 `invalid_token`, with the scheme to use.
    InvalidToken => error("`invalid_token`: no `Authorization: Bearer` header with the token.")
        .header("WWW-Authenticate", header("`Bearer`.", false));
}
