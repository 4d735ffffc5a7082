//! How an article's section text is cut into passages: whole sentences packed up to a length,
//! the unit the chatbot endpoints return and the model embeds.

use unicode_segmentation::UnicodeSegmentation;

/// Passage length in characters when a request does not give one.
pub const DEFAULT_MAX_CHARS: usize = 800;

/// Whole sentences packed into passages of at most `max_chars` characters; a sentence longer
/// than that is cut at a word boundary and marked with an ellipsis.
pub fn chunk_sentences(text: &str, max_chars: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let len = |s: &str| s.chars().count();
    // Lines (paragraphs and list items) stay on their own lines; sentences within a line are
    // joined by a space.
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut separator = if current.is_empty() { "" } else { "\n" };
        for sentence in line.unicode_sentences().map(str::trim).filter(|s| !s.is_empty()) {
            if !current.is_empty() && len(&current) + 1 + len(sentence) > max_chars {
                out.push(std::mem::take(&mut current));
                separator = "";
            }
            if len(sentence) > max_chars {
                out.extend(cut_at_words(sentence, max_chars));
                continue;
            }
            current.push_str(separator);
            current.push_str(sentence);
            separator = " ";
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A sentence too long for one passage, in pieces cut at word boundaries, each but the last
/// ending with an ellipsis.
fn cut_at_words(sentence: &str, max_chars: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = sentence.trim();
    while rest.chars().count() > max_chars {
        let limit = rest.char_indices().nth(max_chars.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
        let cut = rest[..limit].rfind(char::is_whitespace).filter(|&i| i > 0).unwrap_or(limit);
        pieces.push(format!("{}…", rest[..cut].trim_end()));
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        pieces.push(rest.to_string());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_whole_sentences_within_the_limit() {
        let text = "One short sentence. Another one follows here. A third sentence ends it.\n\nNew paragraph.";
        let chunks = chunk_sentences(text, 50);
        assert_eq!(
            chunks,
            vec!["One short sentence. Another one follows here.", "A third sentence ends it.\nNew paragraph."]
        );
        let long = "word ".repeat(40);
        let cut = chunk_sentences(&long, 30);
        assert!(cut.iter().all(|c| c.chars().count() <= 30), "{cut:?}");
        assert!(cut[0].ends_with('…'));
        let words: usize = cut.iter().map(|c| c.split_whitespace().count()).sum();
        assert_eq!(words, 40, "no word of a long sentence is lost");
    }
}
