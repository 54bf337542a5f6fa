//! [`Shared`]: a static that a scenario, its interrupt handlers and the other
//! hart read and write.
//!
//! Accesses are volatile, so the compiler neither caches nor drops them
//! around an interrupt. Each value has a single writer, word-sized values are
//! read and written with single instructions, and QEMU runs the harts one at
//! a time (`-icount` forces round-robin TCG), so no further ordering is
//! needed. A `u64` on RV32 takes two instructions: only one context may touch
//! such a value.

use core::cell::UnsafeCell;

/// Laid out as `T`, so assembly may address it through `sym`.
#[repr(transparent)]
pub struct Shared<T>(UnsafeCell<T>);

// SAFETY: see the module comment; only `Copy` values, read and written whole.
unsafe impl<T: Copy + Send> Sync for Shared<T> {}

impl<T: Copy> Shared<T> {
    pub const fn new(value: T) -> Self {
        Shared(UnsafeCell::new(value))
    }

    pub fn get(&self) -> T {
        // SAFETY: the pointer is valid and aligned; see the module comment.
        unsafe { self.0.get().read_volatile() }
    }

    pub fn set(&self, value: T) {
        // SAFETY: as for `get`.
        unsafe { self.0.get().write_volatile(value) }
    }
}

impl Shared<usize> {
    /// `+= 1` by the value's single writer.
    pub fn increment(&self) -> usize {
        let value = self.get() + 1;
        self.set(value);
        value
    }
}
