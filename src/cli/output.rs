//! Output plumbing shared by the commands: JSON printing, destinations, timestamps.

use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Pretty JSON with sorted keys (serde_json's map is ordered) and a final newline.
pub fn json_text(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes `text` to `path`, or to standard output; a closed pipe is not an error.
pub fn emit(text: &str, path: Option<&Path>) -> std::io::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    }
}

/// `generatedAt`: now in UTC, or `SOURCE_DATE_EPOCH` when set, so that output can be made
/// byte-for-byte reproducible.
pub fn generated_at() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now);
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Replaces control characters (newline and tab kept) and Unicode bidirectional controls with
/// escapes, so that hostile strings can neither drive the terminal nor reorder what it shows.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let control = c.is_control() && c != '\n' && c != '\t';
            if control || crate::bundle::is_bidi_control(c) {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
    }

    #[test]
    fn source_date_epoch_fixes_the_timestamp_format() {
        // The format is what matters here; the variable itself is read at call time.
        let t = generated_at();
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok(), "{t}");
    }
}
