//! URI normalisation: lowercase scheme and host, drop the scheme's default port (via `url`).

use url::Url;

const NORMALISED_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

/// Normalises an absolute URL of a well-known scheme; anything else is returned unchanged.
pub fn normalise_uri(input: &str) -> Option<String> {
    // Every scheme normalised is at most 5 letters: look for its ':' only that far, so the
    // common string (no URL at all) costs a few byte compares.
    let scheme_end = input.bytes().take(6).position(|b| b == b':')?;
    if !input[scheme_end..].starts_with("://") {
        return None;
    }
    let scheme = &input[..scheme_end];
    if !NORMALISED_SCHEMES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return None;
    }
    let url = Url::parse(input).ok()?;
    let mut out = url.to_string();
    // `Url` adds "/" to an empty path; keep the author's choice so both spellings meet.
    if !input[scheme_end + 3..].contains('/')
        && out.ends_with('/')
        && url.query().is_none()
        && url.fragment().is_none()
    {
        out.pop();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_host_and_default_port_normalise() {
        assert_eq!(
            normalise_uri("HTTPS://Example.COM:443/Path/X").unwrap(),
            "https://example.com/Path/X"
        );
        assert_eq!(
            normalise_uri("http://Example.com:80").unwrap(),
            "http://example.com"
        );
        assert_eq!(
            normalise_uri("http://example.com:8080/a").unwrap(),
            "http://example.com:8080/a"
        );
    }

    #[test]
    fn other_strings_are_left_alone() {
        assert_eq!(normalise_uri("pkg:npm/x"), None);
        assert_eq!(normalise_uri("urn:uuid:1234"), None);
        assert_eq!(normalise_uri("just text"), None);
    }
}
