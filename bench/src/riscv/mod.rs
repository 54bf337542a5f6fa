//! RISC-V firmware for QEMU `virt` (`-bios none`, M-mode): riscv-rt starts
//! it, [`harness`] measures the suite, the test finisher ends the run.

pub mod harness;

use core::fmt::{self, Write};

/// 16550 UART of `virt`; QEMU needs no initialisation to transmit.
const UART: *mut u8 = 0x1000_0000 as *mut u8;
/// SiFive test finisher: 0x5555 exits QEMU with 0, `code << 16 | 0x3333`
/// with `code`.
const FINISHER: *mut u32 = 0x10_0000 as *mut u32;

pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            // SAFETY: the UART's transmit register on `virt`.
            unsafe { UART.write_volatile(byte) };
        }
        Ok(())
    }
}

macro_rules! println {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::riscv::Console, $($arg)*);
    }};
}
pub(crate) use println;

pub fn exit(code: u16) -> ! {
    let value = if code == 0 {
        0x5555
    } else {
        (u32::from(code) << 16) | 0x3333
    };
    // SAFETY: the finisher's MMIO register on `virt`.
    unsafe { FINISHER.write_volatile(value) };
    loop {
        core::hint::spin_loop();
    }
}

#[riscv_rt::entry]
fn main() -> ! {
    harness::run();
    exit(0)
}

/// Exceptions go to riscv-rt's `_start_trap` (the harness points `mtvec`
/// there between measurements), which calls this: none is expected.
#[unsafe(export_name = "ExceptionHandler")]
extern "C" fn exception_handler(frame: &riscv_rt::TrapFrame) -> ! {
    let (cause, epc): (usize, usize);
    // SAFETY: reading trap CSRs.
    unsafe {
        core::arch::asm!("csrr {}, mcause", out(reg) cause);
        core::arch::asm!("csrr {}, mepc", out(reg) epc);
    }
    println!(
        "FAIL: exception cause={cause:#x} epc={epc:#x} ra={:#x}",
        frame.ra
    );
    exit(2)
}

#[unsafe(export_name = "DefaultHandler")]
extern "C" fn default_handler() {
    println!("FAIL: unexpected interrupt");
    exit(3)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("FAIL: {info}");
    exit(1)
}
