//! Diverging (`-> !`) handlers, the shape NMI, machine-check and
//! double-fault handlers have: the trampoline restores nothing, but the
//! body must get the very frame the CPU pushed, the psABI's entry state
//! (DF clear, aligned stack) and the default FP environment, like any
//! other body.
//!
//! Each mode's scenario (`long_mode/diverging.rs`,
//! `protected_mode/diverging.rs`) notes what the CPU is about to push
//! (`EXPECTED_*`), runs in a non-default FP environment with DF and every
//! arithmetic flag set, and raises the exception; the handler records what
//! it got ([`Seen`]) and, since it cannot return, jumps back into the
//! scenario ([`resume`]), which then reports. Without error code: `int 2`
//! to the NMI vector. With one: a #GP, whose gate the scenario borrows.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::{HEX_WIDTH, InterruptStackFrame};
use crate::abi_checks::{default_fp_environment, direction_flag_clear, stack_aligned};
use crate::report::Report;

pub const NMI: u8 = 2;

/// RFLAGS/EFLAGS while the exception is raised: CF PF AF ZF SF DF OF and
/// the reserved bit 1; IF clear.
pub const FLAGS: usize = 0xCD7;

/// What the interrupted code knows the CPU will push, and where: the
/// frame's address, its instruction pointer, and (long mode only) its
/// stack pointer and stack segment.
pub static EXPECTED_FRAME_AT: AtomicUsize = AtomicUsize::new(0);
pub static EXPECTED_IP: AtomicUsize = AtomicUsize::new(0);
pub static EXPECTED_SP: AtomicUsize = AtomicUsize::new(0);
pub static EXPECTED_SS: AtomicUsize = AtomicUsize::new(0);

/// Where the interrupted code continues once the handler is done: its
/// stack pointer and a label after the faulting instruction.
pub static RESUME_SP: AtomicUsize = AtomicUsize::new(0);
pub static RESUME_IP: AtomicUsize = AtomicUsize::new(0);

/// What a diverging body got.
pub struct Seen {
    pub count: AtomicUsize,
    pub frame_at: AtomicUsize,
    pub ip: AtomicUsize,
    pub cs: AtomicUsize,
    pub flags: AtomicUsize,
    pub sp: AtomicUsize,
    pub ss: AtomicUsize,
    pub error_code: AtomicUsize,
    pub abi_violations: AtomicUsize,
    pub fp_environment: AtomicUsize,
}

impl Seen {
    pub const fn new() -> Seen {
        Seen {
            count: AtomicUsize::new(0),
            frame_at: AtomicUsize::new(0),
            ip: AtomicUsize::new(0),
            cs: AtomicUsize::new(0),
            flags: AtomicUsize::new(0),
            sp: AtomicUsize::new(0),
            ss: AtomicUsize::new(0),
            error_code: AtomicUsize::new(0),
            abi_violations: AtomicUsize::new(0),
            fp_environment: AtomicUsize::new(0),
        }
    }

    /// Records the frame, where it lies, the error code and the entry state.
    #[inline(always)]
    pub fn record(&self, frame: &InterruptStackFrame, error_code: usize) {
        if !direction_flag_clear() || !stack_aligned() {
            self.abi_violations.fetch_add(1, Relaxed);
        }
        if !default_fp_environment() {
            self.fp_environment.fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.frame_at.store(frame as *const _ as usize, Relaxed);
        self.ip.store(frame.instruction_pointer as usize, Relaxed);
        self.cs.store(frame.code_segment as usize & 0xFFFF, Relaxed);
        self.flags.store(frame.cpu_flags as usize, Relaxed);
        #[cfg(target_arch = "x86_64")]
        {
            self.sp.store(frame.stack_pointer as usize, Relaxed);
            self.ss
                .store(frame.stack_segment as usize & 0xFFFF, Relaxed);
        }
        self.error_code.store(error_code, Relaxed);
    }
}

/// Back into the scenario, from the body: its stack pointer, its label. The
/// body's and the trampoline's frames are abandoned; the scenario's asm
/// declares every register but the stack pointer clobbered.
pub fn resume() -> ! {
    let (sp, ip) = (RESUME_SP.load(Relaxed), RESUME_IP.load(Relaxed));
    // SAFETY: the scenario stored both right before raising the exception,
    // from inside the asm block that continues at `ip`.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        asm!("mov rsp, {sp}", "jmp {ip}", sp = in(reg) sp, ip = in(reg) ip, options(noreturn));
        #[cfg(target_arch = "x86")]
        asm!("mov esp, {sp}", "jmp {ip}", sp = in(reg) sp, ip = in(reg) ip, options(noreturn));
    }
}

/// The report of one diverging shape: `seen` against `EXPECTED_*`, our code
/// segment `kernel_code`, the error code if the shape has one.
pub fn report(
    scenario: &str,
    handler: &str,
    seen: &Seen,
    kernel_code: u16,
    error_code: Option<usize>,
) -> bool {
    let long_mode = cfg!(target_arch = "x86_64");
    let report = Report::new(scenario, handler)
        .field("interrupts", seen.count.load(Relaxed))
        .field(
            "checks",
            7 + 2 * usize::from(long_mode) + usize::from(error_code.is_some()),
        )
        .field(
            "frame_at",
            format_args!("{:#0HEX_WIDTH$x}", seen.frame_at.load(Relaxed)),
        )
        .check(seen.count.load(Relaxed) == 1, "count")
        .check(
            seen.frame_at.load(Relaxed) == EXPECTED_FRAME_AT.load(Relaxed),
            "frame_address",
        )
        .check(seen.ip.load(Relaxed) == EXPECTED_IP.load(Relaxed), "ip")
        .check(seen.cs.load(Relaxed) == usize::from(kernel_code), "cs")
        .check(seen.flags.load(Relaxed) == FLAGS, "flags")
        .check(seen.abi_violations.load(Relaxed) == 0, "body_entry_state")
        .check(
            seen.fp_environment.load(Relaxed) == 0,
            "fp_environment_in_body",
        );
    let report = if long_mode {
        report
            .check(seen.sp.load(Relaxed) == EXPECTED_SP.load(Relaxed), "sp")
            .check(seen.ss.load(Relaxed) == EXPECTED_SS.load(Relaxed), "ss")
    } else {
        report
    };
    match error_code {
        Some(code) => report.check(seen.error_code.load(Relaxed) == code, "error_code"),
        None => report,
    }
    .finish()
}
