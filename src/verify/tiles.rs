//! C2SP tlog-tiles: tile paths, the tiles a tree needs, and reading leaf hashes, inclusion
//! proofs and roots from tiles (SPEC §5 "rekor").
//!
//! A tile at level `L` holds up to 256 consecutive hashes of tree height `8·L` (level 0: leaf
//! hashes). Its path is `tile/<L>/<N>`, or `tile/<L>/<N>.p/<W>` for a partial tile of `W < 256`
//! hashes, where `N` is written in 3-digit groups with an `x` before all but the last group.
//! Hashes of heights between tile levels are recomputed from the level below.

use super::merkle::{empty_root, largest_power_of_two_below, node_hash, Hash, TreeLevels};
use crate::diag::Code;
use std::collections::{BTreeMap, HashMap};

/// Tree heights per tile level.
pub const TILE_HEIGHT: u32 = 8;
/// Hashes in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// Highest tile level a 64-bit tree size can need.
const MAX_LEVEL: u8 = 7;
const HASH_SIZE: usize = 32;

/// Why tiles could not answer a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// A tile the computation needs is not available.
    #[error("tile {path} is missing")]
    Missing { path: String },
    /// A tile has the wrong number of bytes for its path.
    #[error("tile {path} has {actual} bytes, expected {expected}")]
    Malformed {
        path: String,
        expected: usize,
        actual: usize,
    },
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A string is not a canonical hash-tile path.
    #[error("not a tile path: {0:?}")]
    BadPath(String),
}

impl TileError {
    /// Stable code: `ERR_REKOR_TILE_MISSING` for a missing tile, `ERR_REKOR_PROOF_INVALID`
    /// otherwise.
    pub fn code(&self) -> Code {
        match self {
            TileError::Missing { .. } => Code::RekorTileMissing,
            _ => Code::RekorProofInvalid,
        }
    }
}

/// One hash tile: level, index and width (1..=256 hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileRef {
    /// Tile level (tree height `8 · level`).
    pub level: u8,
    /// Tile index within its level.
    pub index: u64,
    /// Number of hashes; 256 for a full tile.
    pub width: u16,
}

impl TileRef {
    /// The tile's path, e.g. `tile/0/x001/x234/067` or `tile/1/000.p/5`.
    pub fn path(&self) -> String {
        let base = format!("tile/{}/{}", self.level, encode_index(self.index));
        if u64::from(self.width) == TILE_WIDTH {
            base
        } else {
            format!("{base}.p/{}", self.width)
        }
    }

    /// Parses a canonical tile path (`tile/<L>/<N>[.p/<W>]`).
    pub fn parse(path: &str) -> Result<Self, TileError> {
        parse_tile_path(path)
            .filter(|tile| tile.path() == path)
            .ok_or_else(|| TileError::BadPath(path.to_string()))
    }

    fn byte_len(&self) -> usize {
        usize::from(self.width) * HASH_SIZE
    }
}

fn parse_tile_path(path: &str) -> Option<TileRef> {
    let rest = path.strip_prefix("tile/")?;
    let (level, rest) = rest.split_once('/')?;
    let level: u8 = level.parse().ok().filter(|&l| l <= MAX_LEVEL)?;
    let (index_part, width) = match rest.split_once(".p/") {
        Some((index, width)) => (index, width.parse::<u16>().ok()?),
        None => (rest, TILE_WIDTH as u16),
    };
    if width == 0 || u64::from(width) > TILE_WIDTH {
        return None;
    }
    let mut index: u64 = 0;
    for group in index_part.split('/') {
        let digits = group.strip_prefix('x').unwrap_or(group);
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        index = index
            .checked_mul(1000)?
            .checked_add(digits.parse::<u64>().ok()?)?;
    }
    // Prefix placement and leading groups are checked by the caller's round trip.
    Some(TileRef {
        level,
        index,
        width,
    })
}

/// Writes a tile index in 3-digit groups, `x`-prefixed except the last: 1234067 →
/// `x001/x234/067`.
pub fn encode_index(index: u64) -> String {
    let mut groups = vec![format!("{:03}", index % 1000)];
    let mut rest = index / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// Number of complete nodes of tree height `8 · level` in a tree of `size` leaves.
fn hashes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level) * TILE_HEIGHT)
        .unwrap_or(0)
}

/// Width of tile `index` at `level` in a tree of `size` (0 if the tree has no such tile).
fn tile_width(size: u64, level: u8, index: u64) -> u16 {
    let stored = hashes_at_level(size, level);
    let start = index.saturating_mul(TILE_WIDTH);
    stored.saturating_sub(start).min(TILE_WIDTH) as u16
}

/// Every tile of a tree of `size` leaves, level by level, left to right; the last tile of a
/// level is partial when that level's hash count is not a multiple of 256.
pub fn tiles_for_tree(size: u64) -> Vec<TileRef> {
    let mut tiles = Vec::new();
    for level in 0..=MAX_LEVEL {
        let count = hashes_at_level(size, level);
        if count == 0 {
            break;
        }
        for index in 0..count.div_ceil(TILE_WIDTH) {
            let width = tile_width(size, level, index);
            tiles.push(TileRef {
                level,
                index,
                width,
            });
        }
    }
    tiles
}

/// All tiles of the tree over `leaf_hashes`, keyed by path (for tests and demo bundles).
pub fn build_tiles(leaf_hashes: &[Hash]) -> BTreeMap<String, Vec<u8>> {
    let tree = TreeLevels::new(leaf_hashes);
    tiles_for_tree(tree.size())
        .into_iter()
        .map(|tile| {
            let height = usize::from(tile.level) * TILE_HEIGHT as usize;
            let start = (tile.index * TILE_WIDTH) as usize;
            let nodes = &tree.complete_nodes(height)[start..start + usize::from(tile.width)];
            (tile.path(), nodes.concat())
        })
        .collect()
}

/// Reads a tree of a given size from tiles supplied by `lookup(path)`.
///
/// Tiles are fetched lazily and cached; a partial tile that is absent is read from the full
/// tile at the same position when that is available. Computed subtree hashes are memoised.
pub struct TileReader<F> {
    size: u64,
    lookup: F,
    tiles: HashMap<(u8, u64), Vec<Hash>>,
    nodes: HashMap<(u32, u64), Hash>,
}

impl<F: Fn(&str) -> Option<Vec<u8>>> TileReader<F> {
    /// A reader for the tree of `size` leaves.
    pub fn new(size: u64, lookup: F) -> Self {
        TileReader {
            size,
            lookup,
            tiles: HashMap::new(),
            nodes: HashMap::new(),
        }
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The leaf hash at `index`.
    pub fn leaf_hash(&mut self, index: u64) -> Result<Hash, TileError> {
        self.check_index(index)?;
        self.node(0, index)
    }

    /// The RFC 9162 inclusion proof for leaf `index`.
    pub fn inclusion_proof(&mut self, index: u64) -> Result<Vec<Hash>, TileError> {
        self.check_index(index)?;
        let mut proof = Vec::new();
        let mut height = 0;
        // `last` is the rightmost node at this height; the loop stops at the root.
        while let Some(last) = (self.size - 1).checked_shr(height).filter(|&l| l > 0) {
            let sibling = (index >> height) ^ 1;
            if sibling < self.size >> height {
                proof.push(self.node(height, sibling)?);
            } else if sibling == last {
                proof.push(self.range_hash(sibling << height, self.size)?);
            }
            height += 1;
        }
        Ok(proof)
    }

    /// The tree root (the empty-tree hash for size 0).
    pub fn root(&mut self) -> Result<Hash, TileError> {
        if self.size == 0 {
            Ok(empty_root())
        } else {
            self.range_hash(0, self.size)
        }
    }

    /// The first index whose leaf hash equals `leaf`, scanning the level-0 tiles.
    pub fn find_leaf(&mut self, leaf: &Hash) -> Result<Option<u64>, TileError> {
        for tile_index in 0..self.size.div_ceil(TILE_WIDTH) {
            let hashes = self.tile(0, tile_index)?;
            if let Some(offset) = hashes.iter().position(|h| h == leaf) {
                return Ok(Some(tile_index * TILE_WIDTH + offset as u64));
            }
        }
        Ok(None)
    }

    fn check_index(&self, index: u64) -> Result<(), TileError> {
        if index < self.size {
            Ok(())
        } else {
            Err(TileError::IndexOutOfRange {
                index,
                size: self.size,
            })
        }
    }

    /// Hash of the complete subtree of `height` at position `index`.
    fn node(&mut self, height: u32, index: u64) -> Result<Hash, TileError> {
        if let Some(hash) = self.nodes.get(&(height, index)) {
            return Ok(*hash);
        }
        let hash = if height % TILE_HEIGHT == 0 {
            let level = (height / TILE_HEIGHT) as u8;
            let tile = self.tile(level, index / TILE_WIDTH)?;
            let hash = tile.get((index % TILE_WIDTH) as usize).copied();
            hash.ok_or(TileError::IndexOutOfRange {
                index,
                size: self.size,
            })?
        } else {
            let left = self.node(height - 1, 2 * index)?;
            let right = self.node(height - 1, 2 * index + 1)?;
            node_hash(&left, &right)
        };
        self.nodes.insert((height, index), hash);
        Ok(hash)
    }

    /// MTH of leaves `[lo, hi)`, where `lo` is aligned to the largest power of two below
    /// `hi - lo` (true for every subtree of the RFC 6962 shape).
    fn range_hash(&mut self, lo: u64, hi: u64) -> Result<Hash, TileError> {
        let count = hi - lo;
        if count.is_power_of_two() {
            let height = count.trailing_zeros();
            return self.node(height, lo >> height);
        }
        let split = largest_power_of_two_below(count);
        let height = split.trailing_zeros();
        let left = self.node(height, lo >> height)?;
        let right = self.range_hash(lo + split, hi)?;
        Ok(node_hash(&left, &right))
    }

    /// The hashes of tile `index` at `level`, as far as the tree of `self.size` covers it.
    fn tile(&mut self, level: u8, index: u64) -> Result<&[Hash], TileError> {
        if !self.tiles.contains_key(&(level, index)) {
            let width = tile_width(self.size, level, index);
            let hashes = self.fetch(TileRef {
                level,
                index,
                width,
            })?;
            self.tiles.insert((level, index), hashes);
        }
        Ok(self.tiles.get(&(level, index)).map_or(&[], Vec::as_slice))
    }

    /// Fetches `tile`, or else the full tile or a wider partial tile at the same position
    /// (tiles of a larger tree cover a smaller one: the log is append-only, and the proof
    /// against the checkpoint root catches any inconsistency).
    fn fetch(&self, tile: TileRef) -> Result<Vec<Hash>, TileError> {
        let full = TILE_WIDTH as u16;
        let widths = std::iter::once(tile.width)
            .chain((tile.width < full).then_some(full))
            .chain(tile.width + 1..full);
        let mut found = None;
        for width in widths {
            if let Some(bytes) = self.read(TileRef { width, ..tile })? {
                found = Some(bytes);
                break;
            }
        }
        let bytes = found.ok_or_else(|| missing(tile))?;
        Ok(bytes
            .chunks_exact(HASH_SIZE)
            .take(usize::from(tile.width))
            .map(|chunk| chunk.try_into().unwrap_or([0; 32]))
            .collect())
    }

    /// Reads a tile and checks its length; `Ok(None)` when the lookup has no such tile.
    fn read(&self, tile: TileRef) -> Result<Option<Vec<u8>>, TileError> {
        let path = tile.path();
        match (self.lookup)(&path) {
            Some(bytes) if bytes.len() != tile.byte_len() => Err(TileError::Malformed {
                path,
                expected: tile.byte_len(),
                actual: bytes.len(),
            }),
            found => Ok(found),
        }
    }
}

fn missing(tile: TileRef) -> TileError {
    TileError::Missing { path: tile.path() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::merkle::{leaf_hash, root_from_leaves, verify_inclusion};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect()
    }

    fn reader(
        tiles: &BTreeMap<String, Vec<u8>>,
        size: u64,
    ) -> TileReader<impl Fn(&str) -> Option<Vec<u8>> + '_> {
        TileReader::new(size, move |path: &str| tiles.get(path).cloned())
    }

    fn check_indices(n: u64, indices: impl Iterator<Item = u64>) {
        let hashes = leaves(n);
        let tiles = build_tiles(&hashes);
        let mut tree = reader(&tiles, n);
        let root = tree.root().unwrap();
        assert_eq!(root, root_from_leaves(&hashes), "root of {n}");
        for index in indices {
            assert_eq!(tree.leaf_hash(index).unwrap(), hashes[index as usize]);
            let proof = tree.inclusion_proof(index).unwrap();
            verify_inclusion(index, n, &hashes[index as usize], &proof, &root)
                .unwrap_or_else(|e| panic!("size {n} index {index}: {e}"));
        }
    }

    #[test]
    fn index_encoding_examples() {
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(999), "999");
        assert_eq!(encode_index(1000), "x001/000");
        assert_eq!(encode_index(1_234_067), "x001/x234/067");
        let partial = TileRef {
            level: 1,
            index: 1234,
            width: 5,
        };
        assert_eq!(partial.path(), "tile/1/x001/234.p/5");
        assert_eq!(TileRef::parse("tile/1/x001/234.p/5").unwrap(), partial);
        assert_eq!(
            TileRef::parse("tile/0/x001/x234/067").unwrap().index,
            1_234_067
        );
    }

    #[test]
    fn non_canonical_paths_are_rejected() {
        for path in [
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/0/001/x234",
            "tile/0/x001/234.p/0",
            "tile/0/x001/234.p/256",
            "tile/0/x001/234.p/05",
            "tile/8/000",
            "tile/entries/000",
            "rekor/tile/0/000",
            "tile/0/000/",
        ] {
            assert!(TileRef::parse(path).is_err(), "{path}");
        }
        assert_eq!(
            TileError::BadPath(String::new()).code(),
            Code::RekorProofInvalid
        );
    }

    #[test]
    fn tiles_needed_by_tree_size() {
        let paths = |n| {
            tiles_for_tree(n)
                .iter()
                .map(TileRef::path)
                .collect::<Vec<_>>()
        };
        assert!(paths(0).is_empty());
        assert_eq!(paths(1), ["tile/0/000.p/1"]);
        assert_eq!(paths(256), ["tile/0/000", "tile/1/000.p/1"]);
        assert_eq!(
            paths(513),
            [
                "tile/0/000",
                "tile/0/001",
                "tile/0/002.p/1",
                "tile/1/000.p/2"
            ]
        );
        // 274 leaf tiles, 2 tiles of height 8, and tile/2/000.p/1.
        assert_eq!(tiles_for_tree(70_000).len(), 274 + 2 + 1);
        for n in [1, 255, 256, 257, 1000] {
            let built: Vec<String> = build_tiles(&leaves(n)).into_keys().collect();
            let mut expected = paths(n);
            expected.sort();
            assert_eq!(built, expected, "size {n}");
        }
    }

    #[test]
    fn proofs_from_tiles_small_trees_every_index() {
        for n in [1, 2, 3, 255, 256, 257, 511, 513] {
            check_indices(n, 0..n);
        }
    }

    #[test]
    fn proofs_from_tiles_70000_sampled_and_boundaries() {
        let n = 70_000;
        let boundaries = (0..=n / TILE_WIDTH).flat_map(|t| {
            let edge = t * TILE_WIDTH;
            [edge.saturating_sub(1), edge, edge + 1]
        });
        let extra = [65_535, 65_536, 65_537, n - 2, n - 1];
        let sample = (0..n).step_by(61).chain(boundaries).chain(extra);
        check_indices(n, sample.filter(|&i| i < n));
    }

    #[test]
    fn partial_tiles_fall_back_to_full_tiles() {
        // Tiles of a larger tree answer for a smaller one (full tiles cover partial needs).
        let hashes = leaves(600);
        let tiles = build_tiles(&hashes);
        for n in [300, 512] {
            let mut tree = reader(&tiles, n);
            assert_eq!(
                tree.root().unwrap(),
                root_from_leaves(&hashes[..n as usize])
            );
        }
        // For 300 neither tile/0/001.p/44 nor tile/1/000.p/1 exists; tile/0/001 and
        // tile/1/000.p/2 stand in.
        assert!(!tiles.contains_key("tile/0/001.p/44"));
        assert!(!tiles.contains_key("tile/1/000.p/1"));
    }

    #[test]
    fn missing_and_malformed_tiles_are_reported() {
        let hashes = leaves(300);
        let mut tiles = build_tiles(&hashes);
        tiles.remove("tile/0/001.p/44");
        let mut tree = reader(&tiles, 300);
        assert_eq!(tree.leaf_hash(3).unwrap(), hashes[3]);
        let err = tree.inclusion_proof(3).unwrap_err();
        assert_eq!(
            err,
            TileError::Missing {
                path: "tile/0/001.p/44".into()
            }
        );
        assert_eq!(err.code(), Code::RekorTileMissing);
        drop(tree);
        tiles.insert("tile/0/001.p/44".into(), vec![0; 43 * 32]);
        let mut tree = reader(&tiles, 300);
        assert!(matches!(
            tree.root(),
            Err(TileError::Malformed { actual: 1376, .. })
        ));
        assert!(matches!(
            tree.leaf_hash(300),
            Err(TileError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn find_leaf_scans_level_zero() {
        let hashes = leaves(700);
        let tiles = build_tiles(&hashes);
        let mut tree = reader(&tiles, 700);
        assert_eq!(tree.find_leaf(&hashes[0]).unwrap(), Some(0));
        assert_eq!(tree.find_leaf(&hashes[699]).unwrap(), Some(699));
        assert_eq!(tree.find_leaf(&leaf_hash(b"absent")).unwrap(), None);
        let mut empty = reader(&tiles, 0);
        assert_eq!(empty.root().unwrap(), empty_root());
        assert!(empty.inclusion_proof(0).is_err());
    }
}
