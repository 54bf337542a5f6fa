//! Console output on UART0 (`-nographic` puts it on stdio): on the
//! LM3S6965 a PL011 at 0x4000_C000, which QEMU lets transmit without
//! setup; on MPS2 an Arm CMSDK APB UART at 0x4000_4000, which drops bytes
//! until its transmitter is enabled ([`init`]).

fn reg(offset: usize) -> *mut u32 {
    (UART_BASE + offset) as *mut u32
}

#[cfg(not(feature = "mps2-an385"))]
const UART_BASE: usize = 0x4000_c000;

/// Nothing to do on the LM3S6965.
#[cfg(not(feature = "mps2-an385"))]
pub fn init() {}

/// Writes a byte, waiting while the transmit FIFO is full (PL011: flag
/// register bit 5).
#[cfg(not(feature = "mps2-an385"))]
pub fn put_byte(byte: u8) {
    // SAFETY: UART0's MMIO block: data register 0x00, flag register 0x18.
    unsafe {
        while reg(0x18).read_volatile() & (1 << 5) != 0 {}
        reg(0x00).write_volatile(u32::from(byte));
    }
}

#[cfg(feature = "mps2-an385")]
const UART_BASE: usize = 0x4000_4000;

/// Enables the CMSDK UART's transmitter, with the smallest baud divider
/// it accepts.
#[cfg(feature = "mps2-an385")]
pub fn init() {
    // SAFETY: UART0's MMIO block: BAUDDIV 0x10, CTRL 0x08 (bit 0 TX enable).
    unsafe {
        reg(0x10).write_volatile(16);
        reg(0x08).write_volatile(1);
    }
}

/// Writes a byte, waiting while the transmit buffer is full (STATE bit 0).
#[cfg(feature = "mps2-an385")]
pub fn put_byte(byte: u8) {
    // SAFETY: UART0's MMIO block: DATA 0x00, STATE 0x04.
    unsafe {
        while reg(0x04).read_volatile() & 1 != 0 {}
        reg(0x00).write_volatile(u32::from(byte));
    }
}

macro_rules! print {
    ($($arg:tt)*) => {
        fw_common::print_to!($crate::uart::put_byte, $($arg)*)
    };
}

macro_rules! println {
    ($($arg:tt)*) => {
        fw_common::println_to!($crate::uart::put_byte, $($arg)*)
    };
}
