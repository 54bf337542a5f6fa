//! Console output on the NS16550A UART of `virt` (QEMU's `-nographic` stdio).

const UART_BASE: usize = 0x1000_0000;
/// Transmit holding register (write).
const THR: usize = 0;
/// Line status register; bit 5 = transmit holding register empty.
const LSR: usize = 5;
const LSR_THR_EMPTY: u8 = 1 << 5;

/// Writes a byte, waiting until the UART can take it. QEMU needs no setup
/// (baud rate, FIFO) before the first byte.
pub fn put_byte(byte: u8) {
    let base = UART_BASE as *mut u8;
    // SAFETY: UART_BASE is the UART's MMIO block on `virt`; byte accesses only.
    unsafe {
        while base.add(LSR).read_volatile() & LSR_THR_EMPTY == 0 {}
        base.add(THR).write_volatile(byte);
    }
}

// Stateless, so handlers and the second hart may print too (their output
// may interleave with the interrupted code's).
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
