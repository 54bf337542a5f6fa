//! [`Shared`]: a static that the interrupted code and its handlers both read
//! and write.
//!
//! Accesses are volatile, so the compiler neither caches nor drops them
//! around an interrupt. Each value has one writer per moment (a handler, or
//! the interrupted code while that handler's interrupt is masked), and
//! word-sized values are read and written with one instruction each, so no
//! further synchronisation is needed on these single-core boards.

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

    /// The address, for assembly and for comparisons with frame contents.
    pub fn as_ptr(&self) -> *mut T {
        self.0.get()
    }
}

impl Shared<u32> {
    /// `+= 1` by the value's single writer; returns the new value.
    pub fn increment(&self) -> u32 {
        let value = self.get().wrapping_add(1);
        self.set(value);
        value
    }
}
