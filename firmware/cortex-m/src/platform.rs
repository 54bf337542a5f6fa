//! Ending the run: QEMU's exit status through Arm semihosting
//! (`-semihosting-config enable=on,target=native`).
//!
//! On M-profile a semihosting call is `bkpt 0xab` with the operation in r0
//! and its parameter in r1. `SYS_EXIT_EXTENDED` (0x20) takes a pointer to
//! two words, the reason and a subcode; for `ADP_Stopped_ApplicationExit`
//! QEMU exits with the subcode as its status. (Plain `SYS_EXIT` on 32-bit
//! ARM takes the reason itself and cannot pass a status.)

use core::arch::asm;

const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x2_0026;

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
    let block: [u32; 2] = [ADP_STOPPED_APPLICATION_EXIT, code];
    // SAFETY: the semihosting call reads `block` and ends the emulation.
    unsafe {
        asm!("bkpt 0xab", in("r0") SYS_EXIT_EXTENDED, in("r1") block.as_ptr(), options(nostack))
    };
    // Without a debugger or semihosting `bkpt` escalates to HardFault; never
    // fall through.
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
