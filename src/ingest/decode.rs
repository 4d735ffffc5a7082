//! Turning page bytes into text, choosing the encoding in the HTML Standard's order: a byte-order
//! mark, then the HTTP `charset`, then the page's own `<meta>` (its prescan), then the bytes
//! themselves (UTF-16 without a byte-order mark, valid UTF-8, else `chardetng`'s guess, as
//! Firefox makes it).

use super::prescan::{PRESCAN_BYTES, prescan};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Decodes a page. `content_type` is the whole HTTP `Content-Type` header, if the page came over
/// HTTP. Returns the text and the name of the encoding used.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| content_type.and_then(charset_param).and_then(|c| Encoding::for_label(c.as_bytes())))
        .or_else(|| prescan(bytes))
        .unwrap_or_else(|| sniff(bytes));
    let (text, used, _) = encoding.decode(bytes);
    (text.into_owned(), used.name())
}

/// The `charset=` parameter of a Content-Type value, unquoted.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim().trim_matches(['"', '\'']))
    })
}

/// The encoding of a page that declares none: UTF-16 when every other byte is zero (markup is
/// mostly ASCII), UTF-8 when the bytes are valid UTF-8, else a statistical guess.
fn sniff(bytes: &[u8]) -> &'static Encoding {
    if let Some(utf16) = utf16_without_bom(bytes) {
        return utf16;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// UTF-16LE or BE, when the zero bytes of the page's start all fall on one side of its pairs
/// and are at least a third of them.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES) & !1];
    let pairs = head.len() / 2;
    let (mut low_zero, mut high_zero) = (0, 0);
    for pair in head.chunks_exact(2) {
        low_zero += usize::from(pair[0] == 0);
        high_zero += usize::from(pair[1] == 0);
    }
    let one_sided = |zeros: usize, other: usize| pairs >= 2 && zeros * 3 >= pairs && other * 20 <= zeros;
    if one_sided(high_zero, low_zero) {
        Some(UTF_16LE)
    } else if one_sided(low_zero, high_zero) {
        Some(UTF_16BE)
    } else {
        None
    }
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

    #[test]
    fn multi_byte_encodings_named_in_meta_are_used() {
        for (label, enc) in
            [("EUC-JP", encoding_rs::EUC_JP), ("Shift_JIS", encoding_rs::SHIFT_JIS), ("GBK", encoding_rs::GBK)]
        {
            let page = format!("<meta charset=\"{label}\"><title>睡眠と健康</title>");
            let (text, used) = decode(&enc.encode(&page).0, None);
            assert_eq!(used, enc.name());
            assert!(text.contains("睡眠と健康"), "{label}: {text}");
        }
    }

    #[test]
    fn the_header_charset_is_read_from_a_whole_content_type() {
        let page = encoding_rs::SHIFT_JIS.encode("<meta charset=windows-1252><title>睡眠</title>").0;
        let (text, used) = decode(&page, Some("text/html; charset=\"Shift_JIS\""));
        assert_eq!(used, "Shift_JIS");
        assert!(text.contains("睡眠"), "{text}");
    }

    #[test]
    fn utf16_without_a_bom_is_recognised() {
        let page = "<html><title>Fièvre</title><p>caf\u{e9} 睡眠</p></html>";
        let le: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = page.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le, None), (page.to_string(), "UTF-16LE"));
        assert_eq!(decode(&be, Some("text/html")), (page.to_string(), "UTF-16BE"));
        assert_eq!(decode(b"<p>a\0b</p>", None).1, "UTF-8", "a stray zero byte is not UTF-16");
    }
}
