//! Read buffers handed back once a file's bytes are released, for the next file to be read
//! into. A large bundle streams a gigabyte of SBOMs through buffers of about a megabyte; taking
//! fresh memory for each file means the operating system zeroes every page of it, which on a
//! virtual machine costs about as much as hashing the bytes.

use std::sync::{Arc, Mutex, PoisonError};

/// Buffers kept at most: the files in flight (read ahead, being processed) never need more.
const KEPT_BUFFERS: usize = 32;
/// Larger buffers are not kept: a rare huge file should not pin its memory.
const KEPT_CAPACITY: usize = 64 * 1024 * 1024;

/// A bounded stack of empty byte buffers, shared by the reader and the workers.
#[derive(Debug, Clone, Default)]
pub struct BufferPool(Arc<Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// An empty buffer, reused when one was given back.
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
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

    /// Number of buffers kept.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_empty_with_their_memory_and_the_pool_stays_bounded() {
        let pool = BufferPool::default();
        assert_eq!(pool.take().capacity(), 0);
        let mut buffer = Vec::with_capacity(4096);
        buffer.extend_from_slice(b"old content");
        pool.give(buffer);
        let again = pool.take();
        assert!(again.is_empty() && again.capacity() >= 4096);
        for _ in 0..KEPT_BUFFERS + 5 {
            pool.give(Vec::with_capacity(16));
        }
        pool.give(Vec::new());
        assert_eq!(pool.len(), KEPT_BUFFERS);
    }
}
