//! Ending the QEMU run with an exit status, through semihosting
//! (`-semihosting-config enable=on,target=native`).
//!
//! On 32-bit ARM only `SYS_EXIT_EXTENDED` (0x20) carries a status code; plain
//! `SYS_EXIT` (0x18) only says "application exit" or not. The call is
//! `svc 0x123456` in A32 state, which QEMU consumes when semihosting is on (so
//! the firmware's own SVC tests use other immediates). It must not be issued
//! from User mode, which QEMU refuses semihosting to by default.

use core::arch::naked_asm;

/// `ADP_Stopped_ApplicationExit`: with `SYS_EXIT_EXTENDED`, QEMU exits with
/// the given subcode as its status.
const APPLICATION_EXIT: u32 = 0x20026;
const SYS_EXIT_EXTENDED: u32 = 0x20;

/// Exit statuses, shared by every board.
pub use fw_common::exit as status;

/// A semihosting call: operation in r0, parameter in r1, result in r0.
/// A32 whatever the target's default set, so that one immediate works.
#[unsafe(naked)]
#[instruction_set(arm::a32)]
unsafe extern "C" fn call(op: u32, param: *const u32) -> u32 {
    naked_asm!("svc 0x123456", "bx lr")
}

/// Ends the run: QEMU exits with `code` (a failure code of 0 is turned into
/// 1 by the callers, so that a failure never looks like a pass).
pub fn exit(code: u32) -> ! {
    let block = [APPLICATION_EXIT, code];
    // SAFETY: a valid parameter block for SYS_EXIT_EXTENDED.
    unsafe { call(SYS_EXIT_EXTENDED, block.as_ptr()) };
    // QEMU without semihosting would take the SVC as an ordinary exception;
    // never fall through.
    loop {
        core::hint::spin_loop();
    }
}

/// Ends the run with a failure status.
pub fn exit_failure(code: u32) -> ! {
    exit(code.max(1))
}

/// Prints `FAIL: <message>` and ends the run with status `code`.
#[macro_export]
macro_rules! fail {
    ($code:expr, $($arg:tt)*) => {{
        $crate::println!("FAIL: {}", format_args!($($arg)*));
        $crate::semihosting::exit_failure($code)
    }};
}
