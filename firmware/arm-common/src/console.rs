//! `print!`/`println!` on a PL011 UART (the serial console QEMU connects to
//! stdout with `-nographic`).
//!
//! The board tells [`init`] where its UART is; QEMU's PL011 needs no baud
//! rate or enable bits set up, only the data register written while the
//! transmit FIFO is not full.

use fw_common::Shared;

/// Data register; the flag register's TXFF bit says the FIFO is full.
const DR: usize = 0x00;
const FR: usize = 0x18;
const FR_TXFF: u32 = 1 << 5;

static BASE: Shared<usize> = Shared::new(0);

/// Selects the PL011 at `base` for all further output.
pub fn init(base: usize) {
    BASE.set(base);
}

/// Writes a byte to the PL011 selected by [`init`], waiting while its
/// transmit FIFO is full; dropped before [`init`].
pub fn put_byte(byte: u8) {
    let base = BASE.get();
    if base == 0 {
        return;
    }
    // SAFETY: `base` is the board's PL011 (see `init`).
    unsafe {
        while ((base + FR) as *const u32).read_volatile() & FR_TXFF != 0 {}
        ((base + DR) as *mut u32).write_volatile(u32::from(byte));
    }
}

#[doc(hidden)]
pub fn _print(args: core::fmt::Arguments) {
    fw_common::console::print(put_byte, args);
}

/// Prints to the serial console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::_print(format_args!($($arg)*)) };
}

/// Prints a line to the serial console.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{
        $crate::console::_print(format_args!($($arg)*));
        $crate::print!("\n");
    }};
}
