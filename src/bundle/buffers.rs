//! Read buffers handed back once a file's bytes are released, for the next file to be read
//! into. A large bundle streams a gigabyte of SBOMs through buffers of about a megabyte; taking
//! fresh memory for each file means the operating system zeroes every page of it, which on a
//! virtual machine costs about as much as hashing the bytes.

use std::sync::{Arc, Mutex, PoisonError};

/// Buffers kept at most: the files in flight (read ahead, being processed) never need more.
const KEPT_BUFFERS: usize = 32;
/// Larger buffers are not kept: a rare huge file should not pin its memory.
const KEPT_CAPACITY: usize = 64 * 1024 * 1024;
/// Files smaller than this are read into fresh memory: the allocator recycles small blocks
/// well by itself, and a small file must not take (and keep, if its bytes stay) a large buffer.
const SMALLEST_REUSED: usize = 64 * 1024;

/// A bounded stack of empty byte buffers, shared by the reader and the workers.
#[derive(Debug, Clone, Default)]
pub struct BufferPool(Arc<Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// An empty buffer for `expected` bytes: one given back whose capacity fits (at least
    /// `expected`, at most twice that), else a new one. A file whose bytes are kept then never
    /// holds much more memory than it fills.
    pub fn take(&self, expected: usize) -> Vec<u8> {
        if expected < SMALLEST_REUSED {
            return Vec::new();
        }
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let fits = |b: &Vec<u8>| (expected..=expected.saturating_mul(2)).contains(&b.capacity());
        match kept.iter().rposition(fits) {
            Some(i) => kept.swap_remove(i),
            None => Vec::new(),
        }
    }

    /// Keeps `buffer` (emptied) for a later [`BufferPool::take`], unless enough are kept.
    pub fn give(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() == 0 || buffer.capacity() > KEPT_CAPACITY {
            return;
        }
        buffer.clear();
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() < KEPT_BUFFERS {
            kept.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl BufferPool {
        fn len(&self) -> usize {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
        }
    }

    #[test]
    fn buffers_come_back_empty_with_their_memory_and_the_pool_stays_bounded() {
        let pool = BufferPool::default();
        assert_eq!(pool.take(SMALLEST_REUSED).capacity(), 0);
        let mut buffer = Vec::with_capacity(SMALLEST_REUSED * 3);
        buffer.extend_from_slice(b"old content");
        pool.give(buffer);
        // Too small a file for it, then too large a file for it: not handed out.
        assert_eq!(pool.take(100).capacity(), 0);
        assert_eq!(pool.take(SMALLEST_REUSED * 4).capacity(), 0);
        let again = pool.take(SMALLEST_REUSED * 2);
        assert!(again.is_empty() && again.capacity() >= SMALLEST_REUSED * 3);
        assert_eq!(pool.len(), 0);
        for _ in 0..KEPT_BUFFERS + 5 {
            pool.give(Vec::with_capacity(16));
        }
        pool.give(Vec::new());
        assert_eq!(pool.len(), KEPT_BUFFERS);
    }
}
