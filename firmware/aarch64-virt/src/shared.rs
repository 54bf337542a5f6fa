//! [`Shared`]: a static that a scenario and its exception handlers both read
//! and write.
//!
//! Accesses are volatile, so the compiler neither caches nor drops them
//! around an exception. There is one CPU, every value has a single writer at
//! a time (the handlers run with IRQs masked), and 64-bit values are read and
//! written with single instructions.

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

impl Shared<u64> {
    /// `+= 1` by the value's single writer; returns the new value.
    pub fn increment(&self) -> u64 {
        let value = self.get() + 1;
        self.set(value);
        value
    }
}
