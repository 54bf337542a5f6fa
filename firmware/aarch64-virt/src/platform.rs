//! Ending the run: QEMU's exit status through Arm semihosting
//! (`-semihosting-config enable=on,target=native`).
//!
//! On AArch64 a semihosting call is `hlt #0xf000` with the operation in `w0`
//! and its parameter in `x1`. `SYS_EXIT` (0x18) takes a pointer to a block
//! of two words, the reason and a subcode; for the reason
//! `ADP_Stopped_ApplicationExit` QEMU exits with the subcode as its status.

use core::arch::asm;

const SYS_EXIT: u64 = 0x18;
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

/// Exit statuses, shared by every board.
pub use fw_common::exit;

/// Ends the QEMU run with exit status 0.
pub fn exit_success() -> ! {
    semihosting_exit(0)
}

/// Ends the QEMU run with exit status `code` (0 is turned into 1, so that a
/// failure never looks like a pass).
pub fn exit_failure(code: u32) -> ! {
    semihosting_exit(code.max(1))
}

fn semihosting_exit(code: u32) -> ! {
    let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
    // SAFETY: the semihosting call reads `block` and ends the emulation.
    unsafe { asm!("hlt #0xf000", in("x0") SYS_EXIT, in("x1") block.as_ptr(), options(nostack)) };
    // Without semihosting `hlt` is undefined and traps; never fall through.
    loop {
        core::hint::spin_loop();
    }
}

/// Prints `FAIL: <message>` and ends the run with exit status `code`.
macro_rules! fail {
    ($code:expr, $($arg:tt)*) => {{
        println!("FAIL: {}", format_args!($($arg)*));
        $crate::platform::exit_failure($code)
    }};
}
pub(crate) use fail;
