//! The PC around the CPU: QEMU's `isa-debug-exit` device and the legacy
//! 8259 PICs, which must not deliver anything while the local APIC drives
//! the tests.

use crate::port::outb;

/// `-device isa-debug-exit,iobase=0xf4,iosize=0x04`: writing `v` ends QEMU
/// with exit status `(v << 1) | 1`.
const DEBUG_EXIT: u16 = 0xF4;
/// Written on success: QEMU exits with status 33 (xtask's pass status for
/// this machine). Status 0 is impossible with this device, so the pass code
/// is an odd one that no crash produces.
const EXIT_PASS: u8 = 0x10;

/// Ends the QEMU run with the pass status (33).
pub fn exit_success() -> ! {
    exit(EXIT_PASS)
}

/// Ends the QEMU run with status `(code << 1) | 1`; `code` is never the
/// pass code (it is replaced by 1 if it is), so a failure never looks like
/// a pass.
pub fn exit_failure(code: u8) -> ! {
    exit(if code == EXIT_PASS { 1 } else { code })
}

fn exit(code: u8) -> ! {
    // SAFETY: the debug-exit port; QEMU stops at the write.
    unsafe { outb(DEBUG_EXIT, code) };
    // Without the device (a QEMU started by hand) the write does nothing:
    // stop here with interrupts off.
    loop {
        // SAFETY: `cli; hlt` only stops this CPU.
        unsafe { core::arch::asm!("cli", "hlt", options(nomem, nostack)) };
    }
}

/// Remaps the two 8259 PICs to vectors 0xE0-0xEF and masks every line.
///
/// The firmware that ran before us (SeaBIOS, under PVH or multiboot) left
/// them at the BIOS vectors 0x08-0x0F, where IRQ 0 (the PIT, still ticking
/// at 18.2 Hz) would arrive as a double fault. Remapped out of the way of
/// every vector the tests use and masked, they deliver nothing; the local
/// APIC timer is the tests' interrupt source.
pub fn disable_pic() {
    const PIC1_CMD: u16 = 0x20;
    const PIC1_DATA: u16 = 0x21;
    const PIC2_CMD: u16 = 0xA0;
    const PIC2_DATA: u16 = 0xA1;
    // SAFETY: the standard 8259 initialisation sequence on the PC's ports.
    unsafe {
        outb(PIC1_CMD, 0x11); // ICW1: edge triggered, cascade, ICW4 follows
        outb(PIC2_CMD, 0x11);
        outb(PIC1_DATA, 0xE0); // ICW2: vector base
        outb(PIC2_DATA, 0xE8);
        outb(PIC1_DATA, 0x04); // ICW3: slave on IRQ 2
        outb(PIC2_DATA, 0x02);
        outb(PIC1_DATA, 0x01); // ICW4: 8086 mode
        outb(PIC2_DATA, 0x01);
        outb(PIC1_DATA, 0xFF); // mask all lines
        outb(PIC2_DATA, 0xFF);
    }
}
