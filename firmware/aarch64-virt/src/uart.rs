//! Console output on the PL011 UART of `virt` at 0x0900_0000 (QEMU's
//! `-nographic` stdio). QEMU needs no setup before the first byte.

const UART_BASE: usize = 0x0900_0000;
/// Data register.
const DR: usize = 0x00;
/// Flag register; bit 5 = transmit FIFO full.
const FR: usize = 0x18;
const FR_TXFF: u32 = 1 << 5;

/// Writes a byte, waiting while the transmit FIFO is full.
pub fn put_byte(byte: u8) {
    // SAFETY: UART_BASE is the PL011's MMIO block on `virt`.
    unsafe {
        while ((UART_BASE + FR) as *const u32).read_volatile() & FR_TXFF != 0 {}
        ((UART_BASE + DR) as *mut u32).write_volatile(u32::from(byte));
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
