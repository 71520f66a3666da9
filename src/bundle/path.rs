//! Archive entry names: safety checks, normalisation and top-level directory stripping.

use super::BundleFile;

/// Normalises an archive entry name to a bundle-relative `/`-separated path, or says why the
/// name is unsafe. Empty and `.` components are dropped (`./a//b` → `a/b`).
pub(super) fn normalise_entry_name(raw: &str) -> Result<String, &'static str> {
    if raw.contains('\0') {
        return Err("NUL byte in path");
    }
    if has_drive_prefix(raw) {
        return Err("Windows drive path");
    }
    if raw.starts_with('/') {
        return Err("absolute path");
    }
    // On Windows a backslash separates components, so `a\..\b` would escape; refuse them all.
    if raw.contains('\\') {
        return Err("backslash in path");
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("`..` component in path"),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err("empty path");
    }
    Ok(parts.join("/"))
}

fn has_drive_prefix(raw: &str) -> bool {
    matches!(raw.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic())
}

/// If every file lies under one single top-level directory, strips that directory from every
/// path, so `demo/a.json` and `demo/sboms/b.json` become `a.json` and `sboms/b.json`.
/// Returns the directory stripped, if any.
pub(super) fn strip_single_top_dir(files: &mut [BundleFile]) -> Option<String> {
    let top = files.first().and_then(|f| top_dir(&f.path))?.to_string();
    if !files.iter().all(|f| top_dir(&f.path) == Some(&top)) {
        return None;
    }
    for file in files {
        file.path.replace_range(..=top.len(), "");
    }
    Some(top)
}

fn top_dir(path: &str) -> Option<&str> {
    path.split_once('/').map(|(top, _)| top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_dot_and_empty_components() {
        assert_eq!(normalise_entry_name("./a/b.json").unwrap(), "a/b.json");
        assert_eq!(normalise_entry_name("a//./b").unwrap(), "a/b");
        assert_eq!(normalise_entry_name("a/b/").unwrap(), "a/b");
    }

    #[test]
    fn refuses_unsafe_names() {
        for raw in [
            "../evil",
            "a/../../b",
            "a/..",
            "/abs",
            "//server/share",
            "C:\\win",
            "C:/x",
            "c:x",
            "a\\..\\b",
            "a\0b",
            "",
            "./",
        ] {
            assert!(normalise_entry_name(raw).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn names_the_reason() {
        assert_eq!(normalise_entry_name("/abs"), Err("absolute path"));
        assert_eq!(normalise_entry_name("C:/x"), Err("Windows drive path"));
        assert_eq!(normalise_entry_name("a\\b"), Err("backslash in path"));
        assert_eq!(
            normalise_entry_name("x/../y"),
            Err("`..` component in path")
        );
    }

    fn files(paths: &[&str]) -> Vec<BundleFile> {
        paths
            .iter()
            .map(|p| BundleFile::new(p.to_string(), Vec::new()))
            .collect()
    }

    fn paths(files: &[BundleFile]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn strips_a_single_top_level_directory() {
        let mut f = files(&["demo/a.json", "demo/sboms/b.json"]);
        assert_eq!(strip_single_top_dir(&mut f).as_deref(), Some("demo"));
        assert_eq!(paths(&f), ["a.json", "sboms/b.json"]);
    }

    #[test]
    fn keeps_paths_with_several_tops_or_top_level_files() {
        let mut f = files(&["demo/a.json", "other/b.json"]);
        strip_single_top_dir(&mut f);
        assert_eq!(paths(&f), ["demo/a.json", "other/b.json"]);
        let mut f = files(&["demo/a.json", "demo.json"]);
        strip_single_top_dir(&mut f);
        assert_eq!(paths(&f), ["demo/a.json", "demo.json"]);
        let mut f = files(&[]);
        strip_single_top_dir(&mut f);
        assert!(f.is_empty());
    }
}
