//! Turning page bytes into text: the charset from a byte-order mark, the HTTP header, the page's
//! own `<meta>`, or, failing those, from the bytes themselves.

use encoding_rs::{Encoding, UTF_8};

/// How far into a page to look for a `<meta charset>`.
const META_PRESCAN_BYTES: usize = 4096;

/// Decodes a page. `content_type` is the HTTP `Content-Type` header, if the page came over HTTP.
/// Returns the text and the name of the encoding used.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| content_type.and_then(charset_param).and_then(label))
        .or_else(|| meta_charset(bytes))
        .unwrap_or_else(|| sniff(bytes));
    let (text, used, _) = encoding.decode(bytes);
    (text.into_owned(), used.name())
}

/// The encoding named by a label, with `iso-8859-1` and `us-ascii` read as Windows-1252 as
/// browsers do (encoding_rs's labels already map them).
fn label(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(name.trim().trim_matches(['"', '\'']).as_bytes())
}

/// The `charset=` parameter of a Content-Type value.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim())
    })
}

/// `<meta charset="x">` or `<meta http-equiv="Content-Type" content="...; charset=x">` near the top.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let lower: String = head.iter().map(|b| (*b as char).to_ascii_lowercase()).collect();
    let mut rest = lower.as_str();
    while let Some(pos) = rest.find("<meta") {
        rest = &rest[pos + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(at) = tag.find("charset") {
            let value = tag[at + 7..].trim_start().strip_prefix('=')?.trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| c == '"' || c == '\'' || c == ';' || c.is_whitespace() || c == '/')
                .unwrap_or(value.len());
            // A page that says UTF-16 in ASCII-compatible bytes is not UTF-16 (per the HTML spec).
            return label(&value[..end]).map(|e| if e.is_single_byte() || e == UTF_8 { e } else { UTF_8 });
        }
    }
    None
}

/// Valid UTF-8 is UTF-8; anything else goes to a statistical detector.
fn sniff(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_wins_over_meta() {
        let page = b"<meta charset=\"utf-8\"><p>caf\xe9</p>";
        let (text, enc) = decode(page, Some("text/html; charset=windows-1252"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("caf\u{e9}"));
    }

    #[test]
    fn reads_meta_charset_forms() {
        let (t, e) = decode(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>\x93hi\x94 \x96 it\x92s</p>", None);
        assert_eq!(e, "windows-1252");
        assert!(t.contains("\u{201c}hi\u{201d} \u{2013} it\u{2019}s"));
        let (_, e) = decode(b"<meta charset=ISO-8859-1><p>x</p>", None);
        assert_eq!(e, "windows-1252");
    }

    #[test]
    fn sniffs_undeclared_pages() {
        assert_eq!(decode("<p>caf\u{e9} na\u{ef}ve</p>".as_bytes(), None).1, "UTF-8");
        let latin = b"<p>Le caf\xe9 est tr\xe8s bon, la cr\xe8me br\xfbl\xe9e aussi, et l'\xe9t\xe9 est chaud.</p>";
        let (t, _) = decode(latin, None);
        assert!(t.contains("caf\u{e9}"));
        assert_eq!(decode(b"\xef\xbb\xbf<p>bom</p>", Some("text/html; charset=latin1")).1, "UTF-8");
    }
}
