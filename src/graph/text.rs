//! Node strings that share one allocation per document.
//!
//! A large bundle's graph holds millions of short strings (a component's label, fields and
//! JSON pointer). Allocated one by one they cost an allocation each, rounding in every
//! allocation, and pages that the parser's short-lived strings leave half empty around them
//! (on a 1 GB bundle, 40% more memory than the strings themselves). A [`TextArena`] writes the
//! strings of one document next to each other; [`Text`]s are views into the frozen block.

use serde::Serialize;
use std::borrow::Borrow;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// An immutable string: a range of a shared block, or a block of its own.
#[derive(Clone)]
pub struct Text {
    block: Arc<str>,
    start: u32,
    end: u32,
}

impl Text {
    /// The string.
    pub fn as_str(&self) -> &str {
        // `start..end` always lies on character boundaries of `block` (see `TextArena`).
        self.block
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }

    fn whole(block: Arc<str>) -> Text {
        match u32::try_from(block.len()) {
            Ok(end) => Text {
                block,
                start: 0,
                end,
            },
            // Longer than 4 GiB: larger than any file a bundle may hold; never made.
            Err(_) => Text::default(),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::whole(Arc::from(""))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::whole(Arc::from(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::whole(Arc::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Where a string was written in a [`TextArena`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    end: u32,
}

/// Strings written one after the other into one growing buffer, then [frozen](TextArena::freeze)
/// into one block that every [`Text`] of it shares.
#[derive(Debug, Default)]
pub struct TextArena {
    buffer: String,
}

impl TextArena {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the concatenation of `parts` as one string.
    pub fn push(&mut self, parts: &[&str]) -> Span {
        let start = self.buffer.len();
        for part in parts {
            self.buffer.push_str(part);
        }
        self.span(start..self.buffer.len())
    }

    /// Appends bytes that are UTF-8 (text a JSON writer produced); anything else is stored as
    /// the empty string.
    pub fn push_utf8(&mut self, bytes: &[u8]) -> Span {
        let start = self.buffer.len();
        if let Ok(s) = std::str::from_utf8(bytes) {
            self.buffer.push_str(s);
        }
        self.span(start..self.buffer.len())
    }

    fn span(&mut self, range: Range<usize>) -> Span {
        match (u32::try_from(range.start), u32::try_from(range.end)) {
            (Ok(start), Ok(end)) => Span { start, end },
            // Past 4 GiB (never: one document is at most a file's size): forget the string.
            _ => {
                self.buffer.truncate(range.start);
                Span { start: 0, end: 0 }
            }
        }
    }

    /// The block holding every string written, from which [`Block::text`] cuts them.
    pub fn freeze(self) -> Block {
        Block(Arc::from(self.buffer))
    }
}

/// A frozen [`TextArena`].
#[derive(Debug, Clone)]
pub struct Block(Arc<str>);

impl Block {
    /// The string written at `span`.
    pub fn text(&self, span: Span) -> Text {
        Text {
            block: Arc::clone(&self.0),
            start: span.start,
            end: span.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_cut_from_one_block_read_back_as_written() {
        let mut arena = TextArena::new();
        let a = arena.push(&["zlib", "@", "1.3"]);
        let b = arena.push_utf8("{\"é\":1}".as_bytes());
        let empty = arena.push(&[]);
        let invalid = arena.push_utf8(&[0xff, 0xfe]);
        let block = arena.freeze();
        assert_eq!(block.text(a), "zlib@1.3");
        assert_eq!(block.text(b), "{\"é\":1}");
        assert_eq!(block.text(empty), "");
        assert_eq!(block.text(invalid), "");
    }

    #[test]
    fn texts_compare_hash_and_print_as_their_strings() {
        use std::collections::HashSet;
        let mut arena = TextArena::new();
        let span = arena.push(&["ab"]);
        let cut = arena.freeze().text(span);
        let own = Text::from("ab");
        assert_eq!(cut, own);
        let (before, after) = (Text::from("aa"), Text::from("b"));
        assert!(before < cut && cut < after);
        assert_eq!(HashSet::from([cut.clone()]).len(), 1);
        assert!(HashSet::from([cut.clone()]).contains("ab"));
        assert_eq!(format!("{cut} {cut:?}"), "ab \"ab\"");
        assert_eq!(serde_json::to_string(&cut).unwrap(), "\"ab\"");
        assert_eq!(Text::default(), "");
    }
}
