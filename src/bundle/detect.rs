//! Form detection by magic bytes, never by file name.

use super::BundleForm;
use std::io::{self, Read, Seek};

/// Size of a tar header block.
pub(super) const BLOCK: usize = 512;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Reads the head of `file`, names its form (`None`: not a bundle) and rewinds it.
pub(super) fn detect_file<F: Read + Seek>(file: &mut F) -> io::Result<Option<BundleForm>> {
    let mut head = Vec::with_capacity(BLOCK);
    file.by_ref().take(BLOCK as u64).read_to_end(&mut head)?;
    file.rewind()?;
    Ok(sniff(&head))
}

/// Names the form of a file from its first bytes.
pub(super) fn sniff(head: &[u8]) -> Option<BundleForm> {
    if head.starts_with(GZIP_MAGIC) {
        Some(BundleForm::TarGz)
    } else if head.starts_with(ZSTD_MAGIC) {
        Some(BundleForm::TarZst)
    } else if looks_like_tar(head) {
        Some(BundleForm::Tar)
    } else {
        None
    }
}

/// Whether `head` starts with a tar header block: `ustar` magic at offset 257, a valid header
/// checksum (pre-POSIX v7 archives have no magic), or an all-zero block (an empty archive).
pub(super) fn looks_like_tar(head: &[u8]) -> bool {
    let Some(block) = head.get(..BLOCK) else {
        return false;
    };
    block.iter().all(|&b| b == 0) || &block[257..262] == b"ustar" || checksum_matches(block)
}

const CHECKSUM: std::ops::Range<usize> = 148..156;

fn checksum_matches(block: &[u8]) -> bool {
    let Some(claimed) = parse_octal(&block[CHECKSUM]) else {
        return false;
    };
    let byte = |(i, &b): (usize, &u8)| if CHECKSUM.contains(&i) { b' ' } else { b };
    let unsigned: u64 = block.iter().enumerate().map(|x| u64::from(byte(x))).sum();
    // Some historical writers summed signed chars.
    let signed: i64 = block
        .iter()
        .enumerate()
        .map(|x| i64::from(byte(x) as i8))
        .sum();
    claimed == unsigned || i64::try_from(claimed).is_ok_and(|c| c == signed)
}

/// Parses a tar numeric field: optional leading spaces, octal digits, then NULs or spaces.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let start = field.iter().position(|&b| b != b' ')?;
    let digits = &field[start..];
    let end = digits
        .iter()
        .position(|&b| b == 0 || b == b' ')
        .unwrap_or(digits.len());
    if end == 0 || digits[end..].iter().any(|&b| b != 0 && b != b' ') {
        return None;
    }
    digits[..end].iter().try_fold(0u64, |acc, &d| {
        (b'0'..=b'7')
            .contains(&d)
            .then(|| acc * 8 + u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v7_header() -> Vec<u8> {
        let mut h = tar::Header::new_old();
        h.set_path("a.json").unwrap();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_cksum();
        h.as_bytes().to_vec()
    }

    #[test]
    fn sniffs_compression_magic() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Some(BundleForm::TarGz));
        assert_eq!(
            sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(BundleForm::TarZst)
        );
        assert_eq!(sniff(b"{\"bomFormat\":\"CycloneDX\"}"), None);
        assert_eq!(sniff(&[]), None);
    }

    #[test]
    fn recognises_ustar_v7_and_empty_tar_headers() {
        let mut gnu = tar::Header::new_gnu();
        gnu.set_path("a").unwrap();
        gnu.set_cksum();
        assert!(looks_like_tar(gnu.as_bytes()));
        assert!(looks_like_tar(&v7_header()));
        assert!(looks_like_tar(&[0u8; BLOCK]));
    }

    #[test]
    fn rejects_bad_checksum_and_short_input() {
        let mut h = v7_header();
        h[0] = b'b';
        assert!(!looks_like_tar(&h));
        assert!(!looks_like_tar(&v7_header()[..511]));
        assert!(!looks_like_tar(&[b'x'; BLOCK]));
    }

    #[test]
    fn parses_octal_fields() {
        assert_eq!(parse_octal(b"0001234\0"), Some(0o1234));
        assert_eq!(parse_octal(b"  17 \0\0\0"), Some(0o17));
        assert_eq!(parse_octal(b"\0\0\0\0\0\0\0\0"), None);
        assert_eq!(parse_octal(b"0001834\0"), None);
        assert_eq!(parse_octal(b"12 x\0\0\0\0"), None);
    }
}
