//! Console output on the PL011 UART of `virt` at 0x0900_0000 (QEMU's
//! `-nographic` stdio). QEMU needs no setup before the first byte.

use core::fmt;

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

/// `core::fmt` sink for `print!`; stateless, so handlers may print too.
pub struct Uart;

impl fmt::Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(put_byte);
        Ok(())
    }
}

macro_rules! print {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        // Uart::write_str never fails.
        let _ = write!($crate::uart::Uart, $($arg)*);
    }};
}

macro_rules! println {
    () => {
        print!("\n")
    };
    ($($arg:tt)*) => {{
        print!("{}\n", format_args!($($arg)*));
    }};
}
