//! RFC 6962 / RFC 9162 Merkle trees over SHA-256: hashing, proof generation and proof
//! verification (RFC 9162 §2.1.3.2 inclusion, §2.1.4.2 consistency).

use crate::diag::Code;
use sha2::{Digest, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// The proof has the wrong number of hashes for the given index/sizes.
    #[error("proof has {actual} hashes, expected {expected}")]
    WrongProofLength { expected: usize, actual: usize },
    /// A hash is not 32 bytes.
    #[error("{what} is {len} bytes, expected 32")]
    HashLength { what: String, len: usize },
    /// The proof does not reproduce the expected root.
    #[error("proof does not reproduce the expected root hash")]
    RootMismatch,
    /// Consistency between a larger first and a smaller second tree was requested.
    #[error("first tree size {size1} is larger than second tree size {size2}")]
    SizeOrder { size1: u64, size2: u64 },
    /// Consistency from an empty tree proves nothing and is rejected.
    #[error("consistency proof from an empty tree is not accepted")]
    EmptyFirstTree,
}

impl ProofError {
    /// Stable code: always `ERR_REKOR_PROOF_INVALID`.
    pub fn code(&self) -> Code {
        Code::RekorProofInvalid
    }
}

/// RFC 6962 leaf hash: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// RFC 6962 interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    // One contiguous buffer: a single digest call is markedly faster in debug builds.
    let mut input = [0u8; 65];
    input[0] = 0x01;
    input[1..33].copy_from_slice(left);
    input[33..].copy_from_slice(right);
    Sha256::digest(input).into()
}

/// Root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The Merkle tree hash (MTH) over leaf hashes; the empty tree hashes to [`empty_root`].
pub fn root_from_leaves(leaf_hashes: &[Hash]) -> Hash {
    TreeLevels::new(leaf_hashes).root()
}

/// Every level of a tree, computed once, so proofs for all leaves are cheap.
///
/// Level 0 holds the leaf hashes. Level `l + 1` pairs up level `l`; an unpaired last node is
/// carried up unchanged, which yields exactly the RFC 6962 shape (left subtree = largest power
/// of two). Hence node `j` of level `l` is the complete subtree over leaves
/// `[j << l, (j + 1) << l)` for every `j < size >> l`, and only the last node of a level may
/// be an incomplete right edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLevels {
    levels: Vec<Vec<Hash>>,
}

impl TreeLevels {
    /// Builds all levels from the leaf hashes.
    pub fn new(leaf_hashes: &[Hash]) -> Self {
        let mut levels = vec![leaf_hashes.to_vec()];
        while let Some(top) = levels.last().filter(|level| level.len() > 1) {
            let next = top
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(left, right),
                    _ => pair[0],
                })
                .collect();
            levels.push(next);
        }
        TreeLevels { levels }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// The tree root.
    pub fn root(&self) -> Hash {
        match self.levels.last() {
            Some(top) if top.len() == 1 => top[0],
            _ => empty_root(),
        }
    }

    /// Hashes of the complete subtrees of height `level`, left to right (`size >> level` of
    /// them). These are what C2SP tiles store.
    pub fn complete_nodes(&self, level: usize) -> &[Hash] {
        let count = self.size().checked_shr(level as u32).unwrap_or(0) as usize;
        self.levels.get(level).map_or(&[], |nodes| &nodes[..count])
    }

    /// The RFC 9162 inclusion proof for leaf `index`.
    pub fn inclusion_proof(&self, index: u64) -> Result<Vec<Hash>, ProofError> {
        let size = self.size();
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        for (height, nodes) in self.levels.iter().enumerate() {
            let sibling = (index >> height) ^ 1;
            // A missing sibling means our node is carried up unchanged: no proof entry.
            if let Some(hash) = nodes.get(sibling as usize).filter(|_| nodes.len() > 1) {
                proof.push(*hash);
            }
        }
        Ok(proof)
    }
}

/// The RFC 9162 inclusion proof for leaf `index` in the tree over `leaf_hashes`.
pub fn inclusion_proof(leaf_hashes: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    TreeLevels::new(leaf_hashes).inclusion_proof(index)
}

/// The RFC 6962 §2.1.2 consistency proof from the first `size1` leaves to all of
/// `leaf_hashes`. Meant for tests and generators (it rehashes subtrees).
pub fn consistency_proof(leaf_hashes: &[Hash], size1: u64) -> Result<Vec<Hash>, ProofError> {
    let size2 = leaf_hashes.len() as u64;
    if size1 == 0 {
        return Err(ProofError::EmptyFirstTree);
    }
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    let mut proof = Vec::new();
    subproof(size1 as usize, leaf_hashes, true, &mut proof);
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], complete_first: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete_first {
            proof.push(root_from_leaves(leaves));
        }
        return;
    }
    let k = largest_power_of_two_below(n as u64) as usize;
    if m <= k {
        subproof(m, &leaves[..k], complete_first, proof);
        proof.push(root_from_leaves(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root_from_leaves(&leaves[..k]));
    }
}

/// Largest power of two strictly below `n` (`n >= 2`).
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Number of hashes in a valid inclusion proof for `index` in a tree of `size` (0 when
/// `index >= size`, where no proof is valid).
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = (index.checked_shr(inner).unwrap_or(0)).count_ones();
    (inner + border) as usize
}

fn to_hash(bytes: &[u8], what: impl FnOnce() -> String) -> Result<Hash, ProofError> {
    bytes.try_into().map_err(|_| ProofError::HashLength {
        what: what(),
        len: bytes.len(),
    })
}

fn proof_hashes<P: AsRef<[u8]>>(proof: &[P]) -> Result<Vec<Hash>, ProofError> {
    proof
        .iter()
        .enumerate()
        .map(|(i, entry)| to_hash(entry.as_ref(), || format!("proof[{i}]")))
        .collect()
}

/// Recomputes the root from an inclusion proof (RFC 9162 §2.1.3.2 steps 1–4).
pub fn root_from_inclusion_proof<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[P],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let mut r = to_hash(leaf_hash, || "leaf hash".into())?;
    let (mut fnode, mut snode) = (index, size - 1);
    for p in proof_hashes(proof)? {
        if snode == 0 {
            return Err(ProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(&p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, &p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    Ok(r)
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of `size` with root `root`.
pub fn verify_inclusion<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), ProofError> {
    let expected_root = to_hash(root, || "root hash".into())?;
    if root_from_inclusion_proof(index, size, leaf_hash, proof)? == expected_root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Number of hashes in a valid consistency proof for `0 < size1 < size2` (0 otherwise).
pub fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    if size1 == 0 || size1 >= size2 {
        return 0;
    }
    let (mut fnode, mut snode) = start_nodes(size1, size2);
    let mut count = 0;
    while snode != 0 {
        count += 1;
        if fnode & 1 == 1 || fnode == snode {
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // The path's first element is root1 itself when size1 is a power of two, and then it is
    // not transmitted.
    if size1.is_power_of_two() {
        count
    } else {
        count + 1
    }
}

/// RFC 9162 §2.1.4.2 steps 3–4.
fn start_nodes(size1: u64, size2: u64) -> (u64, u64) {
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    (fnode, snode)
}

/// Verifies that the tree of `size2` with root `root2` extends the tree of `size1` with root
/// `root1`.
///
/// Policy (matching the transparency-dev vectors): `size1 == 0` is rejected; equal sizes need
/// an empty proof and byte-identical roots.
pub fn verify_consistency<P: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    root1: &[u8],
    root2: &[u8],
    proof: &[P],
) -> Result<(), ProofError> {
    if size1 == 0 {
        return Err(ProofError::EmptyFirstTree);
    }
    if size2 < size1 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let expected = consistency_proof_len(size1, size2);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let first = to_hash(root1, || "first root hash".into())?;
    let second = to_hash(root2, || "second root hash".into())?;
    let mut path = proof_hashes(proof)?;
    if size1.is_power_of_two() {
        path.insert(0, first);
    }
    let (fr, sr) = consistency_roots(size1, size2, &path)?;
    if fr == first && sr == second {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// RFC 9162 §2.1.4.2 steps 5–6: the two roots the path reproduces.
fn consistency_roots(size1: u64, size2: u64, path: &[Hash]) -> Result<(Hash, Hash), ProofError> {
    let (mut fnode, mut snode) = start_nodes(size1, size2);
    let Some((&seed, rest)) = path.split_first() else {
        return Err(ProofError::WrongProofLength {
            expected: consistency_proof_len(size1, size2),
            actual: 0,
        });
    };
    let (mut fr, mut sr) = (seed, seed);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongProofLength {
                expected: consistency_proof_len(size1, size2),
                actual: path.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::RootMismatch);
    }
    Ok((fr, sr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// MTH straight from the RFC 6962 §2.1 recursion, independent of [`TreeLevels`].
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = largest_power_of_two_below(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    /// Checks every leaf's proof in a tree of `n` leaves, and that every `tamper_every`-th
    /// proof fails for a neighbouring leaf.
    fn check_all_inclusion_proofs(n: u64, tamper_every: u64) {
        let hashes = leaves(n);
        let tree = TreeLevels::new(&hashes);
        let root = tree.root();
        for index in 0..n {
            let proof = tree.inclusion_proof(index).unwrap();
            assert_eq!(proof.len(), inclusion_proof_len(index, n));
            verify_inclusion(index, n, &hashes[index as usize], &proof, &root).unwrap();
            let other = hashes[((index + 1) % n) as usize];
            if n > 1 && index % tamper_every == 0 {
                assert!(verify_inclusion(index, n, &other, &proof, &root).is_err());
            }
        }
    }

    #[test]
    fn hashes_match_known_values() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // RFC 6962 leaf hash of the empty string (transparency-dev test data).
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let mut manual = vec![1u8];
        manual.extend_from_slice(&a);
        manual.extend_from_slice(&b);
        assert_eq!(node_hash(&a, &b), <Hash>::from(Sha256::digest(&manual)));
    }

    #[test]
    fn levels_root_matches_reference_recursion() {
        for n in 0..70u64 {
            let hashes = leaves(n);
            assert_eq!(
                root_from_leaves(&hashes),
                reference_root(&hashes),
                "size {n}"
            );
        }
    }

    #[test]
    fn inclusion_small_trees_every_index() {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257] {
            check_all_inclusion_proofs(n, 1);
        }
    }

    #[test]
    fn inclusion_70000_leaves_every_index() {
        // Tampering is sampled: each SHA-256 costs ~2 µs in the dev profile.
        check_all_inclusion_proofs(70_000, 97);
    }

    #[test]
    fn inclusion_rejects_bad_inputs() {
        let hashes = leaves(5);
        let root = root_from_leaves(&hashes);
        let proof = inclusion_proof(&hashes, 1).unwrap();
        let leaf = hashes[1];
        assert_eq!(
            verify_inclusion(5, 5, &leaf, &proof, &root),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert!(matches!(
            verify_inclusion(1, 5, &leaf, &proof[..2], &root),
            Err(ProofError::WrongProofLength {
                expected: 3,
                actual: 2
            })
        ));
        let mut long = proof.clone();
        long.push(leaf);
        assert!(matches!(
            verify_inclusion(1, 5, &leaf, &long, &root),
            Err(ProofError::WrongProofLength { .. })
        ));
        let short: Vec<Vec<u8>> = vec![
            proof[0].to_vec(),
            proof[1][..31].to_vec(),
            proof[2].to_vec(),
        ];
        assert!(matches!(
            verify_inclusion(1, 5, &leaf, &short, &root),
            Err(ProofError::HashLength { len: 31, .. })
        ));
        assert!(matches!(
            verify_inclusion(1, 5, &leaf[..5], &proof, &root),
            Err(ProofError::HashLength { len: 5, .. })
        ));
        assert_eq!(
            verify_inclusion(1, 5, &leaf, &proof, &root_from_leaves(&leaves(6))),
            Err(ProofError::RootMismatch)
        );
        let mut flipped = proof.clone();
        flipped[2][0] ^= 0x80;
        assert_eq!(
            verify_inclusion(1, 5, &leaf, &flipped, &root),
            Err(ProofError::RootMismatch)
        );
        assert!(inclusion_proof(&hashes, 5).is_err());
        assert_eq!(ProofError::RootMismatch.code(), Code::RekorProofInvalid);
    }

    #[test]
    fn consistency_all_pairs_up_to_40() {
        let hashes = leaves(40);
        for size2 in 1..=40u64 {
            let big = &hashes[..size2 as usize];
            let root2 = root_from_leaves(big);
            for size1 in 1..=size2 {
                let root1 = root_from_leaves(&big[..size1 as usize]);
                let proof = consistency_proof(big, size1).unwrap();
                verify_consistency(size1, size2, &root1, &root2, &proof)
                    .unwrap_or_else(|e| panic!("{size1}->{size2}: {e}"));
                if size1 < size2 {
                    assert_eq!(proof.len(), consistency_proof_len(size1, size2));
                    assert!(verify_consistency(size1, size2, &root2, &root2, &proof).is_err());
                    let mut bad = proof.clone();
                    let last = bad.len() - 1;
                    bad[last][31] ^= 1;
                    assert!(verify_consistency(size1, size2, &root1, &root2, &bad).is_err());
                    assert!(verify_consistency(size1, size2, &root1, &root2, &proof[1..]).is_err());
                }
            }
        }
    }

    #[test]
    fn consistency_policy_edges() {
        let root = root_from_leaves(&leaves(3));
        let none: [Hash; 0] = [];
        assert_eq!(
            verify_consistency(0, 0, &root, &root, &none),
            Err(ProofError::EmptyFirstTree)
        );
        assert_eq!(
            verify_consistency(3, 2, &root, &root, &none),
            Err(ProofError::SizeOrder { size1: 3, size2: 2 })
        );
        assert_eq!(verify_consistency(3, 3, &root, &root, &none), Ok(()));
        assert!(verify_consistency(3, 3, &root, &root, &[root]).is_err());
        assert!(verify_consistency(2, 3, &root, &root, &none).is_err());
        assert!(consistency_proof(&leaves(3), 0).is_err());
        assert!(consistency_proof(&leaves(3), 4).is_err());
    }
}
