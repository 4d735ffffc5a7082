//! The HTML Standard's "prescan a byte stream to determine its encoding": the encoding a
//! `<meta charset>` or `<meta http-equiv="Content-Type">` near the top of a page declares, found
//! without parsing it, step for step as the standard words it (comments, other tags and their
//! attributes skipped; a declared UTF-16 read as UTF-8, since bytes that spell out ASCII `<meta`
//! are not UTF-16).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How far into a page the prescan looks, as the standard advises.
pub const PRESCAN_BYTES: usize = 1024;

/// The encoding declared in the first [`PRESCAN_BYTES`] of a page, if any.
pub fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let b = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    if b.starts_with(&[0x3c, 0, 0x3f, 0, 0x78, 0]) {
        return Some(UTF_16LE);
    }
    if b.starts_with(&[0, 0x3c, 0, 0x3f, 0, 0x78]) {
        return Some(UTF_16BE);
    }
    let mut s = Scan { b, pos: 0 };
    while s.pos < b.len() {
        let rest = &b[s.pos..];
        if rest.starts_with(b"<!--") {
            // To the `>` of the first `-->`, which may share its dashes with the opening.
            s.pos = find(b, s.pos + 2, b"-->")? + 2;
        } else if starts_with_ignore_case(rest, b"<meta") && rest.get(5).is_some_and(|c| is_space(*c) || *c == b'/') {
            s.pos += 5;
            if let Some(found) = s.meta()? {
                return Some(found);
            }
        } else if rest.len() > 1
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic() || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            s.pos = s.pos + 1 + rest[1..].iter().position(|c| is_space(*c) || *c == b'>')?;
            while s.attribute()?.is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            s.pos = find(b, s.pos + 1, b">")?;
        }
        s.pos += 1;
    }
    None
}

/// A position in the bytes scanned; every step returns `None` when the bytes run out.
struct Scan<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scan<'_> {
    fn at(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) -> Option<u8> {
        while is_space(self.at()?) {
            self.pos += 1;
        }
        self.at()
    }

    /// The attributes of a `<meta>`, from just after its name: its encoding when it declares
    /// one, `Some(None)` when it does not.
    fn meta(&mut self) -> Option<Option<&'static Encoding>> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        let (mut got_pragma, mut need_pragma, mut charset) = (false, None, None);
        while let Some((name, value)) = self.attribute()? {
            if names.contains(&name) {
                continue;
            }
            match name.as_slice() {
                b"http-equiv" if value == b"content-type" => got_pragma = true,
                b"content" if charset.is_none() => {
                    if let Some(found) = from_content(&value) {
                        charset = Some(found);
                        need_pragma = Some(true);
                    }
                }
                b"charset" => {
                    charset = Encoding::for_label(&value);
                    need_pragma = Some(false);
                }
                _ => {}
            }
            names.push(name);
        }
        let found = match need_pragma {
            None => None,
            Some(true) if !got_pragma => None,
            Some(_) => charset,
        };
        Some(found.map(|e| match e {
            e if e == UTF_16BE || e == UTF_16LE => UTF_8,
            e if e == X_USER_DEFINED => WINDOWS_1252,
            e => e,
        }))
    }

    /// The standard's "get an attribute": the next attribute's name and value, lowercased, or
    /// `Some(None)` at the tag's end.
    fn attribute(&mut self) -> Option<Option<(Vec<u8>, Vec<u8>)>> {
        while is_space(self.at()?) || self.at()? == b'/' {
            self.pos += 1;
        }
        if self.at()? == b'>' {
            return Some(None);
        }
        let (mut name, mut value) = (Vec::new(), Vec::new());
        loop {
            match self.at()? {
                b'=' if !name.is_empty() => {
                    self.pos += 1;
                    break;
                }
                c if is_space(c) => {
                    if self.skip_spaces()? != b'=' {
                        return Some(Some((name, value)));
                    }
                    self.pos += 1;
                    break;
                }
                b'/' | b'>' => return Some(Some((name, value))),
                c => name.push(c.to_ascii_lowercase()),
            }
            self.pos += 1;
        }
        match self.skip_spaces()? {
            quote @ (b'"' | b'\'') => loop {
                self.pos += 1;
                match self.at()? {
                    c if c == quote => {
                        self.pos += 1;
                        return Some(Some((name, value)));
                    }
                    c => value.push(c.to_ascii_lowercase()),
                }
            },
            b'>' => return Some(Some((name, value))),
            c => {
                value.push(c.to_ascii_lowercase());
                self.pos += 1;
            }
        }
        loop {
            match self.at()? {
                c if is_space(c) || c == b'>' => return Some(Some((name, value))),
                c => value.push(c.to_ascii_lowercase()),
            }
            self.pos += 1;
        }
    }
}

/// The standard's "extracting a character encoding from a meta element": the `charset=` in a
/// `content` attribute's value.
fn from_content(value: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    loop {
        pos = find(value, pos, b"charset")? + 7;
        let mut at = pos;
        while value.get(at).is_some_and(|c| is_space(*c)) {
            at += 1;
        }
        if value.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while value.get(at).is_some_and(|c| is_space(*c)) {
            at += 1;
        }
        let rest = &value[at..];
        return match rest.first()? {
            quote @ (b'"' | b'\'') => {
                let end = rest[1..].iter().position(|c| c == quote)?;
                Encoding::for_label(&rest[1..=end])
            }
            _ => {
                let end = rest.iter().position(|c| is_space(*c) || *c == b';').unwrap_or(rest.len());
                Encoding::for_label(&rest[..end])
            }
        };
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Where `needle` next occurs in `b` at or after `from`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_JP, GBK, SHIFT_JIS, WINDOWS_1251};

    #[test]
    fn finds_both_declarations_in_any_spelling() {
        assert_eq!(prescan(b"<meta charset=shift_jis>"), Some(SHIFT_JIS));
        assert_eq!(prescan(b"<!doctype html><META CharSet = 'EUC-JP' >"), Some(EUC_JP));
        assert_eq!(prescan(b"<meta/charset=\"gbk\"/>"), Some(GBK));
        let pragma = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
        assert_eq!(prescan(pragma), Some(WINDOWS_1251));
        let reversed = b"<meta content='text/html;charset = \"x-sjis\"' http-equiv=content-type>";
        assert_eq!(prescan(reversed), Some(SHIFT_JIS));
    }

    #[test]
    fn follows_the_standards_rules() {
        assert_eq!(prescan(b"<meta content=\"text/html; charset=gbk\">"), None, "content needs the pragma");
        assert_eq!(prescan(b"<!-- <meta charset=gbk> --><meta charset=euc-jp>"), Some(EUC_JP));
        assert_eq!(prescan(b"<!--><meta charset=gbk>"), Some(GBK), "an empty comment ends at once");
        assert_eq!(prescan(b"<p title='<meta charset=gbk>'><meta charset=euc-jp>"), Some(EUC_JP));
        assert_eq!(prescan(b"<meta charset=utf-16le>"), Some(UTF_8));
        assert_eq!(prescan(b"<meta charset=x-user-defined>"), Some(WINDOWS_1252));
        assert_eq!(prescan(b"<meta charset=nonsense><meta charset=gbk>"), Some(GBK));
        assert_eq!(prescan(b"<meta charset=gbk"), None, "a tag cut off declares nothing");
        let late = [b"<p>".repeat(400).as_slice(), b"<meta charset=gbk>"].concat();
        assert_eq!(prescan(&late), None, "only the first 1024 bytes are read");
        assert_eq!(prescan(b"<\0?\0x\0m\0l\0"), Some(UTF_16LE));
    }
}
