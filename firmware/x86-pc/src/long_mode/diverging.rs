//! Diverging handlers in long mode (see `common/diverging.rs`): an NMI
//! handler on its own IST stack, raised with `int 2` (no error code), and
//! a #GP handler raised by a load from a non-canonical address (error code
//! 0), each checked word for word against the frame the CPU pushed: RIP,
//! CS, RFLAGS, RSP, SS, the error code, and the frame's address (16 below
//! the aligned stack top: 40 bytes, then the error code).

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::exceptions::{self, GENERAL_PROTECTION};
use super::gate;
use super::gdt::{KERNEL_CODE, nmi_stack};
use crate::abi_checks::{set_default_fp_environment, set_interrupted_fp_environment};
use crate::common::diverging::{
    self, EXPECTED_FRAME_AT, EXPECTED_IP, EXPECTED_SP, EXPECTED_SS, FLAGS, RESUME_IP, RESUME_SP,
    Seen,
};
use pc_machine::idt;

pub use crate::common::diverging::NMI;

static NMI_SEEN: Seen = Seen::new();
static GP_SEEN: Seen = Seen::new();

/// Long-mode frame size: RIP, CS, RFLAGS, RSP, SS.
const FRAME_BYTES: usize = 40;

#[interrupt]
pub extern "x86-interrupt" fn nmi(frame: &InterruptStackFrame) -> ! {
    NMI_SEEN.record(frame, 0);
    diverging::resume()
}

#[interrupt]
pub extern "x86-interrupt" fn general_protection_diverging(
    frame: &InterruptStackFrame,
    error_code: u64,
) -> ! {
    GP_SEEN.record(frame, error_code as usize);
    diverging::resume()
}

/// Where a frame lands on the current stack, as the raising code computed
/// it: 16-aligned below its RSP, minus the frame.
static SAME_STACK_FRAME: AtomicUsize = AtomicUsize::new(0);

/// Raises an exception with `$trigger` (lines around label `2:`, the
/// instruction pointer the frame must hold; `rax` holds a non-canonical
/// address) with DF and the arithmetic flags set, after noting RSP, SS and
/// where the frame lands on this stack; continues at label `3:` after the
/// handler's [`diverging::resume`].
macro_rules! raise {
    ($($trigger:literal),*) => {
        set_interrupted_fp_environment();
        // SAFETY: the handler of the raised vector comes back through
        // `resume` to label 3 with RSP as stored here; the callee-saved
        // registers are pushed before and popped after, every other one is
        // declared clobbered. Interrupts stay off throughout.
        unsafe {
            asm!(
                "push rbx",
                "push rbp",
                "push r12",
                "push r13",
                "push r14",
                "push r15",
                "lea rax, [rip + 3f]",
                "mov [rip + {resume_ip}], rax",
                "mov [rip + {resume_sp}], rsp",
                "mov [rip + {sp}], rsp",
                "mov rax, rsp",
                "and rax, -16",
                "sub rax, {frame_bytes}",
                "mov [rip + {same_stack}], rax",
                "mov eax, ss",
                "movzx eax, ax",
                "mov [rip + {ss}], rax",
                "lea rax, [rip + 2f]",
                "mov [rip + {ip}], rax",
                "mov rax, 0x8000000000000000",
                "push {flags}",
                "popfq",
                $($trigger,)*
                "ud2",
                "3:",
                "cld",
                "pop r15",
                "pop r14",
                "pop r13",
                "pop r12",
                "pop rbp",
                "pop rbx",
                resume_ip = sym RESUME_IP,
                resume_sp = sym RESUME_SP,
                sp = sym EXPECTED_SP,
                ss = sym EXPECTED_SS,
                ip = sym EXPECTED_IP,
                same_stack = sym SAME_STACK_FRAME,
                frame_bytes = const FRAME_BYTES,
                flags = const FLAGS,
                clobber_abi("C"),
            )
        };
        set_default_fp_environment();
    };
}

/// Both shapes, one report each.
pub fn diverging_scenario() -> bool {
    // The CPU switches to the IST stack's top (16-aligned) and pushes 40 bytes.
    EXPECTED_FRAME_AT.store(nmi_stack().end as usize - FRAME_BYTES, Relaxed);
    raise!("int 2", "2:");
    let nmi_ok = diverging::report("diverging-nmi", "nmi", &NMI_SEEN, KERNEL_CODE, None);

    idt::set(GENERAL_PROTECTION, gate(general_protection_diverging));
    raise!("2:", "mov rax, qword ptr [rax]");
    idt::set(GENERAL_PROTECTION, gate(exceptions::general_protection));
    EXPECTED_FRAME_AT.store(SAME_STACK_FRAME.load(Relaxed), Relaxed);
    let gp_ok = diverging::report(
        "diverging-error-code",
        "general_protection_diverging",
        &GP_SEEN,
        KERNEL_CODE,
        Some(0),
    );
    nmi_ok && gp_ok
}
