//! Finds the text of the value at a JSON pointer by scanning, without building any value: the
//! explorer shows one component of a multi-megabyte SBOM without parsing the whole SBOM.

use memchr::memchr2;

/// The bytes of the value at the RFC 6901 `pointer` in the JSON text `bytes` (a leading UTF-8
/// byte-order mark is skipped). `None` when the pointer leads nowhere or the text is not JSON
/// in a way the scan notices; the returned slice still has to be parsed to be trusted.
pub fn locate<'a>(bytes: &'a [u8], pointer: &str) -> Option<&'a [u8]> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut pos = skip_ws(bytes, 0);
    if !pointer.is_empty() {
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            pos = match *bytes.get(pos)? {
                b'{' => member(bytes, pos, &token)?,
                b'[' => element(bytes, pos, &token)?,
                _ => return None,
            };
        }
    }
    let end = skip_value(bytes, pos)?;
    Some(&bytes[pos..end])
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// After the string starting at `pos` (its opening quote).
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        let at = i + memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        i = at + 2;
    }
}

/// After the value starting at `pos`.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b'"' => skip_string(bytes, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// The start of the value of member `key` of the object at `pos`.
fn member(bytes: &[u8], pos: usize, key: &str) -> Option<usize> {
    let mut i = skip_ws(bytes, pos + 1);
    if *bytes.get(i)? == b'}' {
        return None;
    }
    loop {
        if *bytes.get(i)? != b'"' {
            return None;
        }
        let end = skip_string(bytes, i)?;
        let raw = &bytes[i + 1..end - 1];
        let same = if raw.contains(&b'\\') {
            serde_json::from_slice::<String>(&bytes[i..end]).ok()? == key
        } else {
            raw == key.as_bytes()
        };
        i = skip_ws(bytes, end);
        if *bytes.get(i)? != b':' {
            return None;
        }
        i = skip_ws(bytes, i + 1);
        if same {
            return Some(i);
        }
        i = skip_ws(bytes, skip_value(bytes, i)?);
        match *bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            _ => return None,
        }
    }
}

/// The start of element `token` (a canonical array index) of the array at `pos`.
fn element(bytes: &[u8], pos: usize, token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    let index: usize = token.parse().ok()?;
    let mut i = skip_ws(bytes, pos + 1);
    if *bytes.get(i)? == b']' {
        return None;
    }
    for _ in 0..index {
        i = skip_ws(bytes, skip_value(bytes, i)?);
        match *bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            _ => return None,
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn check(text: &str, pointer: &str) {
        let doc: Value = serde_json::from_str(text).unwrap();
        let found =
            locate(text.as_bytes(), pointer).map(|b| serde_json::from_slice::<Value>(b).unwrap());
        assert_eq!(found.as_ref(), doc.pointer(pointer), "{pointer}");
    }

    #[test]
    fn agrees_with_serde_json_pointer() {
        let text = r#" { "a" : [1, {"b\"c": "x]}", "d~/e": [true, null, -1.5e3]}, "s\\"], "f": {}, "g": [],
                      "h": {"i": {"j": [[], [{"k": "v"}]]}}, "\u0061x": 2 } "#;
        for p in [
            "",
            "/a",
            "/a/0",
            "/a/1",
            "/a/1/b\"c",
            "/a/1/d~0~1e",
            "/a/1/d~0~1e/2",
            "/a/2",
            "/a/3",
            "/f",
            "/f/x",
            "/g",
            "/g/0",
            "/h/i/j/1/0/k",
            "/ax",
            "/missing",
            "/a/01",
            "/a/-",
            "/a/1/b\"c/0",
        ] {
            check(text, p);
        }
    }

    #[test]
    fn broken_text_is_none_not_a_panic() {
        for text in ["", "{", "[1,", "{\"a\" 1}", "\"abc", "{\"a\":[1,2}"] {
            let _ = locate(text.as_bytes(), "/a/1");
            let _ = locate(text.as_bytes(), "");
        }
        assert_eq!(locate(b"{\"a\":[1,2]}", "/a/5"), None);
    }
}
