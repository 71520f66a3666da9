//! A parsed JSON document as one flat, borrowed tape: what the collectors read on the hot path
//! instead of a `serde_json::Value` tree.
//!
//! [`parse_tape`] runs serde_json's parser (the same syntax, UTF-8 and number rules as
//! [`super::parse`]) but records each value as one entry of a `Vec`, strings borrowed from the
//! input unless they hold escapes. Duplicate keys and nesting deeper than [`MAX_DEPTH`] are
//! rejected exactly as [`super::parse`] rejects them; on any failure the caller asks
//! [`super::parse`] for the located diagnostic.
//!
//! [`J`] is a `Copy` handle on one value of a tape, with `Value`-like accessors.

use super::MAX_DEPTH;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::collections::HashSet;
use std::fmt;

/// What one tape entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Null,
    True,
    False,
    /// `a`: the index in [`Tape::numbers`].
    Number,
    /// `a`, `b`: start and length in the input text (a string without escapes).
    Str,
    /// `a`, `b`: start and length in [`Tape::unescaped`].
    UnescapedStr,
    /// An object member's key (its value follows); places as for `Str`.
    Key,
    UnescapedKey,
    /// `a`: the index just past the array's last entry.
    Array,
    /// `a`: the index just past the object's last entry.
    Object,
}

/// One entry of a tape: 12 bytes that point into the input instead of holding a string. A
/// container is followed by its contents (an object's as key, value, key, value, …) and records
/// where they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    tag: Tag,
    a: u32,
    b: u32,
}

impl Node {
    const fn new(tag: Tag, a: u32, b: u32) -> Self {
        Node { tag, a, b }
    }
}

/// A parsed JSON document whose strings borrow from the input text.
#[derive(Debug)]
pub struct Tape<'a> {
    text: &'a str,
    nodes: Vec<Node>,
    numbers: Vec<Number>,
    /// The strings that held escapes, unescaped, side by side.
    unescaped: String,
}

impl<'a> Tape<'a> {
    /// The document's top-level value.
    pub fn root(&self) -> J<'_, 'a> {
        J { tape: self, at: 0 }
    }

    fn str_at(&self, node: Node) -> &str {
        let source = match node.tag {
            Tag::Str | Tag::Key => self.text,
            _ => &self.unescaped,
        };
        source
            .get(node.a as usize..(node.a + node.b) as usize)
            .unwrap_or_default()
    }
}

impl Drop for Tape<'_> {
    fn drop(&mut self) {
        spare_nodes::give_back(std::mem::take(&mut self.nodes));
    }
}

/// One emptied entry list per thread, handed to the next document the thread parses: the
/// lists run to megabytes, and memory the process already holds is much cheaper to write than
/// fresh pages from the kernel (which zeroes each one first).
mod spare_nodes {
    use super::Node;
    use std::cell::RefCell;

    /// Larger lists are not kept (48 MB of entries).
    const MAX_KEPT: usize = 4 << 20;

    thread_local! {
        static SPARE: RefCell<Vec<Node>> = const { RefCell::new(Vec::new()) };
    }

    /// An empty list with room for at least `capacity` entries.
    pub(super) fn take(capacity: usize) -> Vec<Node> {
        let mut nodes = SPARE.with_borrow_mut(std::mem::take);
        nodes.reserve(capacity);
        nodes
    }

    pub(super) fn give_back(mut nodes: Vec<Node>) {
        if nodes.capacity() == 0 || nodes.capacity() > MAX_KEPT {
            return;
        }
        nodes.clear();
        SPARE.with_borrow_mut(|spare| {
            if spare.capacity() < nodes.capacity() {
                *spare = nodes;
            }
        });
    }
}

/// Objects with more keys than this check duplicates with a hash set instead of a scan.
const LINEAR_KEYS: usize = 16;

/// Parses one JSON document (no BOM handling: see [`super::strip_bom`]) into a tape. Accepts
/// exactly what [`super::parse`] accepts.
pub fn parse_tape(bytes: &[u8]) -> Result<Tape<'_>, serde_json::Error> {
    // UTF-8 checked once over the whole document (a fast, vectorised pass) rather than string by
    // string; a document that is not UTF-8 goes through the byte reader, which says where.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => {
            let mut builder = Builder::new("", 0);
            read_into(&mut builder, serde_json::Deserializer::from_slice(bytes))?;
            // Unreachable in practice: invalid UTF-8 is a syntax error wherever it stands.
            return Err(serde::de::Error::custom("the document is not UTF-8"));
        }
    };
    // About one entry per 16 bytes of typical SBOM JSON.
    let mut builder = Builder::new(text, text.len() / 16 + 1);
    read_into(&mut builder, serde_json::Deserializer::from_str(text))?;
    Ok(Tape {
        text,
        nodes: builder.nodes,
        numbers: builder.numbers,
        unescaped: builder.unescaped,
    })
}

fn read_into<'a, R: serde_json::de::Read<'a>>(
    builder: &mut Builder<'a>,
    mut de: serde_json::Deserializer<R>,
) -> Result<(), serde_json::Error> {
    de.disable_recursion_limit();
    ValueSeed {
        b: builder,
        depth: 0,
    }
    .deserialize(&mut de)?;
    de.end()
}

struct Builder<'a> {
    text: &'a str,
    nodes: Vec<Node>,
    numbers: Vec<Number>,
    unescaped: String,
    /// Tape indices of the keys of the objects being read, innermost last.
    keys: Vec<u32>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, capacity: usize) -> Self {
        Builder {
            text,
            nodes: spare_nodes::take(capacity),
            numbers: Vec::new(),
            unescaped: String::new(),
            keys: Vec::new(),
        }
    }

    fn key_at(&self, at: u32) -> &str {
        let node = self.nodes[at as usize];
        let source = match node.tag {
            Tag::Key => self.text,
            Tag::UnescapedKey => &self.unescaped,
            _ => return "",
        };
        source
            .get(node.a as usize..(node.a + node.b) as usize)
            .unwrap_or_default()
    }

    /// Records a string borrowed from the input (`borrowed`) or unescaped (`owned`).
    fn push_str<E: de::Error>(&mut self, s: &str, borrowed: Tag, owned: Tag) -> Result<(), E> {
        let start = (s.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        let node = if start <= self.text.len() && s.len() <= self.text.len() - start {
            Node::new(borrowed, entry_index(start)?, entry_index(s.len())?)
        } else {
            let at = entry_index(self.unescaped.len())?;
            self.unescaped.push_str(s);
            Node::new(owned, at, entry_index(s.len())?)
        };
        self.nodes.push(node);
        Ok(())
    }

    fn push_number<E: de::Error>(&mut self, n: Number) -> Result<(), E> {
        let at = entry_index(self.numbers.len())?;
        self.numbers.push(n);
        self.nodes.push(Node::new(Tag::Number, at, 0));
        Ok(())
    }

    /// Whether the key just pushed at `at` repeats one of the object's `earlier` keys.
    fn repeats(&self, earlier: &[u32], at: u32, seen: &mut Option<HashSet<String>>) -> bool {
        let key = self.key_at(at);
        if earlier.len() < LINEAR_KEYS {
            return earlier
                .iter()
                .any(|&k| same_key(self.key_at(k).as_bytes(), key.as_bytes()));
        }
        let set = seen.get_or_insert_with(|| {
            earlier
                .iter()
                .map(|&k| self.key_at(k).to_string())
                .collect()
        });
        !set.insert(key.to_string())
    }
}

struct ValueSeed<'b, 'a> {
    b: &'b mut Builder<'a>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> ValueSeed<'_, 'de> {
    fn push(self, node: Node) {
        self.b.nodes.push(node);
    }

    fn check_depth<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            Err(E::custom(format!("nesting deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(())
        }
    }

    fn child(&mut self) -> ValueSeed<'_, 'de> {
        ValueSeed {
            b: self.b,
            depth: self.depth + 1,
        }
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.push(Node::new(if v { Tag::True } else { Tag::False }, 0, 0));
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.b.push_number(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.b.push_number(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let n = Number::from_f64(v).ok_or_else(|| E::custom("number is not finite"))?;
        self.b.push_number(n)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.b.push_str(v, Tag::Str, Tag::UnescapedStr)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        // Not borrowed from the input: always kept apart, even if it happens to lie inside.
        self.b.push_str(v, Tag::UnescapedStr, Tag::UnescapedStr)
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.push(Node::new(Tag::Null, 0, 0));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.check_depth()?;
        let at = self.b.nodes.len();
        self.b.nodes.push(Node::new(Tag::Array, 0, 0));
        while seq.next_element_seed(self.child())?.is_some() {}
        self.b.nodes[at].a = entry_index(self.b.nodes.len())?;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.check_depth()?;
        let at = self.b.nodes.len();
        self.b.nodes.push(Node::new(Tag::Object, 0, 0));
        let frame = self.b.keys.len();
        let mut seen = None;
        while map.next_key_seed(KeySeed { b: self.b })?.is_some() {
            let key_at = entry_index(self.b.nodes.len() - 1)?;
            if self.b.repeats(&self.b.keys[frame..], key_at, &mut seen) {
                let key = self.b.key_at(key_at).to_string();
                return Err(de::Error::custom(format!(
                    "duplicate key {key:?} (rejected: neither first nor last value wins)"
                )));
            }
            self.b.keys.push(key_at);
            map.next_value_seed(self.child())?;
        }
        self.b.keys.truncate(frame);
        self.b.nodes[at].a = entry_index(self.b.nodes.len())?;
        Ok(())
    }
}

fn entry_index<E: de::Error>(i: usize) -> Result<u32, E> {
    u32::try_from(i).map_err(|_| E::custom("document has too many values"))
}

struct KeySeed<'b, 'a> {
    b: &'b mut Builder<'a>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.b.push_str(v, Tag::Key, Tag::UnescapedKey)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.b.push_str(v, Tag::UnescapedKey, Tag::UnescapedKey)
    }
}

/// Runs `f` on a tape of `value` (serialised and read back): for callers holding a `Value`.
pub fn with_value<R>(value: &Value, f: impl FnOnce(J<'_, '_>) -> R) -> R {
    let text = value.to_string();
    // A `Value` always serialises to acceptable JSON without duplicate keys.
    let tape = parse_tape(text.as_bytes()).unwrap_or_else(|_| Tape {
        text: "",
        nodes: vec![Node::new(Tag::Null, 0, 0)],
        numbers: Vec::new(),
        unescaped: String::new(),
    });
    f(tape.root())
}

/// One value of a [`Tape`]: a cheap `Copy` handle with `Value`-like accessors.
#[derive(Clone, Copy)]
pub struct J<'t, 'a> {
    tape: &'t Tape<'a>,
    at: u32,
}

impl fmt::Debug for J<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

/// What a [`J`] holds, for `match`.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'t, 'a> {
    Null,
    Bool(bool),
    Number(&'t Number),
    String(&'t str),
    Array(Elements<'t, 'a>),
    Object(Members<'t, 'a>),
}

impl<'t, 'a> J<'t, 'a> {
    fn node(self) -> Node {
        self.tape.nodes[self.at as usize]
    }

    /// The index just past this value's entries.
    fn end(self) -> u32 {
        let node = self.node();
        match node.tag {
            Tag::Array | Tag::Object => node.a,
            _ => self.at + 1,
        }
    }

    /// The value's kind, with its contents.
    pub fn kind(self) -> Kind<'t, 'a> {
        let node = self.node();
        match node.tag {
            Tag::Null | Tag::Key | Tag::UnescapedKey => Kind::Null,
            Tag::True => Kind::Bool(true),
            Tag::False => Kind::Bool(false),
            Tag::Number => match self.tape.numbers.get(node.a as usize) {
                Some(n) => Kind::Number(n),
                None => Kind::Null,
            },
            Tag::Str | Tag::UnescapedStr => Kind::String(self.tape.str_at(node)),
            Tag::Array => Kind::Array(Elements {
                tape: self.tape,
                next: self.at + 1,
                end: node.a,
            }),
            Tag::Object => Kind::Object(Members {
                tape: self.tape,
                next: self.at + 1,
                end: node.a,
            }),
        }
    }

    /// The member `key` of an object.
    pub fn get(self, key: &str) -> Option<Self> {
        let Kind::Object(members) = self.kind() else {
            return None;
        };
        let mut at = members.next;
        while at < members.end {
            let node = self.tape.nodes[at as usize];
            let value = J {
                tape: self.tape,
                at: at + 1,
            };
            // Lengths first: most keys of an object differ in length.
            if node.b as usize == key.len()
                && same_key(self.tape.str_at(node).as_bytes(), key.as_bytes())
            {
                return Some(value);
            }
            at = value.end();
        }
        None
    }

    /// The value at an RFC 6901 pointer.
    pub fn pointer(self, pointer: &str) -> Option<Self> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |v, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match v.kind() {
                Kind::Object(mut members) => members.find(|(k, _)| *k == token).map(|(_, v)| v),
                Kind::Array(mut items) => {
                    let i: usize = token.parse().ok()?;
                    items.nth(i)
                }
                _ => None,
            }
        })
    }

    /// Whether this is a string read from the input as it is: the parser borrows a string only
    /// when it holds no escape, so it has no `"`, `\\` or control character to escape again.
    pub fn is_escape_free_string(self) -> bool {
        self.node().tag == Tag::Str
    }

    pub fn as_str(self) -> Option<&'t str> {
        let node = self.node();
        matches!(node.tag, Tag::Str | Tag::UnescapedStr).then(|| self.tape.str_at(node))
    }

    pub fn as_u64(self) -> Option<u64> {
        match self.kind() {
            Kind::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self.node().tag {
            Tag::True => Some(true),
            Tag::False => Some(false),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_array(self) -> Option<Elements<'t, 'a>> {
        match self.kind() {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members of an object, in document order.
    pub fn as_object(self) -> Option<Members<'t, 'a>> {
        match self.kind() {
            Kind::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_object(self) -> bool {
        self.node().tag == Tag::Object
    }

    pub fn is_array(self) -> bool {
        self.node().tag == Tag::Array
    }

    pub fn is_null(self) -> bool {
        self.node().tag == Tag::Null
    }

    /// The JSON type name, for messages ("a string", "an object", …).
    pub fn type_name(self) -> &'static str {
        match self.node().tag {
            Tag::Null | Tag::Key | Tag::UnescapedKey => "null",
            Tag::True | Tag::False => "a boolean",
            Tag::Number => "a number",
            Tag::Str | Tag::UnescapedStr => "a string",
            Tag::Array => "an array",
            Tag::Object => "an object",
        }
    }

    /// The value as a `serde_json::Value` tree, for readers that take one.
    pub fn to_value(self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(s.to_string()),
            Kind::Array(items) => Value::Array(items.map(J::to_value).collect()),
            Kind::Object(members) => Value::Object(
                members
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// The elements of an array that may be absent (none then).
pub type Items<'t, 'a> = std::iter::Flatten<std::option::IntoIter<Elements<'t, 'a>>>;

/// The elements of an array value.
#[derive(Debug, Clone, Copy)]
pub struct Elements<'t, 'a> {
    tape: &'t Tape<'a>,
    next: u32,
    end: u32,
}

impl<'t, 'a> Iterator for Elements<'t, 'a> {
    type Item = J<'t, 'a>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let item = J {
            tape: self.tape,
            at: self.next,
        };
        self.next = item.end();
        Some(item)
    }
}

/// The `(key, value)` members of an object value, in document order.
#[derive(Debug, Clone, Copy)]
pub struct Members<'t, 'a> {
    tape: &'t Tape<'a>,
    next: u32,
    end: u32,
}

impl<'t, 'a> Iterator for Members<'t, 'a> {
    type Item = (&'t str, J<'t, 'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let node = self.tape.nodes[self.next as usize];
        let key = match node.tag {
            Tag::Key | Tag::UnescapedKey => self.tape.str_at(node),
            _ => "",
        };
        let value = J {
            tape: self.tape,
            at: self.next + 1,
        };
        self.next = value.end();
        Some((key, value))
    }
}

/// Key equality for lookups: the keys of one object mostly differ in length or first byte,
/// which are compared before the bytes (collectors look up a dozen keys per component).
fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_value(text: &str) {
        let tape = parse_tape(text.as_bytes()).expect("parses");
        let value = super::super::parse(text.as_bytes()).expect("parses strictly");
        assert_eq!(tape.root().to_value(), value, "{text}");
    }

    #[test]
    fn reads_every_kind_of_value() {
        same_as_value(r#"{"a":[1,-2,3.5,true,false,null,"x\n\u00e9"],"b":{"c":{}},"d":[]}"#);
        same_as_value("[]");
        same_as_value("\"just a string\"");
        same_as_value("18446744073709551615");
    }

    #[test]
    fn accessors_follow_members_and_elements() {
        let tape = parse_tape(br#"{"a":{"b":[10,{"c":"x"}]},"k~/":1}"#).unwrap();
        let root = tape.root();
        assert_eq!(root.pointer("/a/b/1/c").and_then(J::as_str), Some("x"));
        assert_eq!(root.pointer("/k~0~1").and_then(J::as_u64), Some(1));
        assert_eq!(
            root.get("a")
                .unwrap()
                .get("b")
                .unwrap()
                .as_array()
                .unwrap()
                .count(),
            2
        );
        assert!(root.get("missing").is_none());
        assert_eq!(
            root.as_object()
                .unwrap()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            ["a", "k~/"]
        );
        assert_eq!(root.get("a").unwrap().type_name(), "an object");
    }

    #[test]
    fn rejects_what_the_strict_parser_rejects() {
        let many_keys: String = format!(
            "{{{}}}",
            (0..40)
                .map(|i| format!("\"k{}\":1", i % 39))
                .collect::<Vec<_>>()
                .join(",")
        );
        for bad in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":2}}"#,
            many_keys.as_str(),
            "{\"a\":\"\\ud800\"}",
            "[1,]",
            "{} {}",
            "01",
        ] {
            assert!(parse_tape(bad.as_bytes()).is_err(), "{bad}");
            assert!(super::super::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep_ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse_tape(deep_ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert!(parse_tape(deep.as_bytes()).is_err());
        assert!(parse_tape("[".repeat(100_000).as_bytes()).is_err());
    }

    #[test]
    fn escaped_and_plain_strings_read_back_alike_and_only_plain_ones_are_escape_free() {
        let tape =
            parse_tape(br#"{"plain":"abc","esc\u0061ped":"tab\tbed","n":[1.5,-3]}"#).unwrap();
        let root = tape.root();
        assert!(root.get("plain").unwrap().is_escape_free_string());
        let escaped = root.get("escaped").unwrap();
        assert_eq!(escaped.as_str(), Some("tab\tbed"));
        assert!(!escaped.is_escape_free_string());
        assert_eq!(
            root.get("n").unwrap().to_value(),
            serde_json::json!([1.5, -3])
        );
        assert!(std::mem::size_of::<Node>() <= 12);
    }

    #[test]
    fn tapes_alive_together_and_reused_entry_lists_do_not_mix() {
        let first_text = br#"{"a":"first","list":[1,2,3]}"#.to_vec();
        let first = parse_tape(&first_text).unwrap();
        {
            let second = parse_tape(br#"{"a":"second"}"#).unwrap();
            assert_eq!(second.root().get("a").and_then(J::as_str), Some("second"));
        }
        // The second tape's entry list is now the thread's spare; a third parse takes it.
        let third = parse_tape(br#"["third",{"b":null}]"#).unwrap();
        assert_eq!(first.root().get("a").and_then(J::as_str), Some("first"));
        assert_eq!(
            first
                .root()
                .get("list")
                .unwrap()
                .as_array()
                .unwrap()
                .count(),
            3
        );
        assert_eq!(
            third.root().to_value(),
            serde_json::json!(["third", {"b": null}])
        );
    }

    #[test]
    fn keys_that_differ_only_after_escapes_are_distinct() {
        same_as_value(r#"{"a\u0062":1,"ab2":2,"a":3}"#);
        assert!(parse_tape(br#"{"a\u0062":1,"ab":2}"#).is_err());
    }
}
