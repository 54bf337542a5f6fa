//! [`Shared`]: a static that a scenario (the interrupted code) and its
//! interrupt or exception handlers both read and write.
//!
//! Accesses are volatile, so the compiler neither caches nor drops them
//! around an interrupt. Every value has one writer per moment (a handler, or
//! the interrupted code while that handler's interrupt is masked), and
//! word-sized values are read and written with single instructions, so no
//! further synchronisation is needed on these boards:
//!
//! - AArch64 `virt`: one CPU; the handlers run with IRQs masked, and 64-bit
//!   values are read and written with single instructions.
//! - Cortex-M: one CPU; a value may also be a counter written only by
//!   handlers of one priority (which cannot preempt each other); 32-bit
//!   values are read and written with single instructions.
//! - Classic ARM (`versatilepb`, ARM `virt`): single-core boards.
//! - RISC-V `virt`: the other hart reads and writes them too, but QEMU runs
//!   the harts one at a time (`-icount` forces round-robin TCG), so no
//!   further ordering is needed. A `u64` on RV32 takes two instructions:
//!   only one context may touch such a value.

use core::cell::UnsafeCell;

/// Laid out as `T`, so assembly may address it through `sym`.
#[repr(transparent)]
pub struct Shared<T>(UnsafeCell<T>);

// SAFETY: see the module comment; only `Copy` values, read and written whole.
unsafe impl<T: Copy + Send> Sync for Shared<T> {}

impl<T: Copy> Shared<T> {
    #[inline]
    pub const fn new(value: T) -> Self {
        Shared(UnsafeCell::new(value))
    }

    #[inline]
    pub fn get(&self) -> T {
        // SAFETY: the pointer is valid and aligned; see the module comment.
        unsafe { self.0.get().read_volatile() }
    }

    #[inline]
    pub fn set(&self, value: T) {
        // SAFETY: as for `get`.
        unsafe { self.0.get().write_volatile(value) }
    }

    /// The address, for assembly and for comparisons with frame contents.
    #[inline]
    pub fn as_ptr(&self) -> *mut T {
        self.0.get()
    }
}

macro_rules! increment {
    ($($t:ty),*) => {$(
        impl Shared<$t> {
            /// `+= 1` (wrapping) by the value's single writer; returns the
            /// new value.
            // Inlined as it was when each board had its own copy: the
            // handlers' cost, and so the storms' timing, depends on it.
            #[inline]
            pub fn increment(&self) -> $t {
                let value = self.get().wrapping_add(1);
                self.set(value);
                value
            }
        }
    )*};
}

increment!(u32, u64, usize);
