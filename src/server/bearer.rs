//! Bearer tokens: the one rule for what a token may be and how a request's `Authorization:
//! Bearer` header is checked against it (in constant time), shared by the admin endpoints and
//! `/mcp`.

use super::error::{ApiError, ErrorCode};
use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Shortest token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Why a token was refused at start-up.
#[derive(Debug, thiserror::Error)]
#[error("a token must be at least {MIN_TOKEN_CHARS} characters with no whitespace")]
pub struct WeakToken;

/// A configured token, kept only as its digest.
pub struct BearerToken {
    /// SHA-256 of the token: digests have one length, so comparing them leaks nothing.
    digest: [u8; 32],
}

impl BearerToken {
    /// The token, with a trailing newline (as a token file usually ends) dropped.
    pub fn new(token: &str) -> Result<BearerToken, WeakToken> {
        let token = token.trim_end_matches(['\n', '\r']);
        if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(char::is_whitespace) {
            return Err(WeakToken);
        }
        Ok(BearerToken { digest: Sha256::digest(token.as_bytes()).into() })
    }

    /// Whether the request carries `Authorization: Bearer` with this token.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(given) =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }

    /// The answer to a request without the token: 401 `invalid_token` with a `Bearer` challenge.
    pub fn refusal(what: &str) -> ApiError {
        let msg = format!("send Authorization: Bearer with the {what} token");
        ApiError::new(ErrorCode::InvalidToken, msg)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_allowed() -> Result<(), WeakToken> {
        let token = BearerToken::new("0123456789abcdef\n")?;
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(header::AUTHORIZATION, v);
            }
            token.allows(&h)
        };
        assert!(with("Bearer 0123456789abcdef"));
        assert!(!with("Bearer 0123456789abcdeg"));
        assert!(!with("Basic 0123456789abcdef"));
        assert!(!token.allows(&HeaderMap::new()));
        assert!(BearerToken::new("short").is_err());
        assert!(BearerToken::new("a token with spaces").is_err());
        Ok(())
    }
}
