//! Console output on COM1, the 16550 UART at port 0x3F8 (QEMU's
//! `-nographic` stdio).

use crate::port::{inb, outb};

const COM1: u16 = 0x3F8;
/// Line status register; bit 5 = transmit holding register empty.
const LSR: u16 = COM1 + 5;
const LSR_THR_EMPTY: u8 = 1 << 5;

/// Writes a byte, waiting until the UART can take it. QEMU's UART needs no
/// setup (baud rate, FIFO) before the first byte.
pub fn put_byte(byte: u8) {
    // SAFETY: COM1's transmit and status registers; no memory is involved.
    unsafe {
        while inb(LSR) & LSR_THR_EMPTY == 0 {}
        outb(COM1, byte);
    }
}
