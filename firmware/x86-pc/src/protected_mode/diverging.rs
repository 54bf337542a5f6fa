//! Diverging handlers in protected mode (see `common/diverging.rs`): an
//! NMI handler raised with `int 2` (no error code) and a #GP handler raised
//! by loading DS with a selector beyond the GDT (error code: the selector),
//! each checked word for word against the frame the CPU pushed: EIP, CS,
//! EFLAGS, the error code, and the frame's address (12 bytes below ESP, no
//! realignment in protected mode, then the error code).

use core::arch::asm;

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::exceptions::{self, GENERAL_PROTECTION};
use super::idt::{self, Gate, KERNEL_CODE};
use crate::abi_checks::{set_default_fp_environment, set_interrupted_fp_environment};
use crate::common::diverging::{
    self, EXPECTED_FRAME_AT, EXPECTED_IP, FLAGS, RESUME_IP, RESUME_SP, Seen,
};

pub use crate::common::diverging::NMI;

static NMI_SEEN: Seen = Seen::new();
static GP_SEEN: Seen = Seen::new();

/// EIP, CS, EFLAGS.
const FRAME_BYTES: usize = 12;
/// Beyond the boot GDT's limit: #GP with this error code.
const SELECTOR: u32 = 0x1230;

#[interrupt]
pub extern "x86-interrupt" fn nmi(frame: &InterruptStackFrame) -> ! {
    NMI_SEEN.record(frame, 0);
    diverging::resume()
}

#[interrupt]
pub extern "x86-interrupt" fn general_protection_diverging(
    frame: &InterruptStackFrame,
    error_code: u32,
) -> ! {
    GP_SEEN.record(frame, error_code as usize);
    diverging::resume()
}

/// Raises an exception with `$trigger` (lines around label `2:`, the
/// instruction pointer the frame must hold; `eax` holds [`SELECTOR`]) with
/// DF and the arithmetic flags set, after noting where the frame lands;
/// continues at label `3:` after the handler's [`diverging::resume`].
macro_rules! raise {
    ($($trigger:literal),*) => {
        set_interrupted_fp_environment();
        // SAFETY: the handler of the raised vector comes back through
        // `resume` to label 3 with ESP as stored here; the callee-saved
        // registers are pushed before and popped after, every other one is
        // declared clobbered. Interrupts stay off throughout.
        unsafe {
            asm!(
                "push ebx",
                "push ebp",
                "push esi",
                "push edi",
                "lea eax, [3f]",
                "mov [{resume_ip}], eax",
                "mov [{resume_sp}], esp",
                "lea eax, [esp - {frame_bytes}]",
                "mov [{frame_at}], eax",
                "lea eax, [2f]",
                "mov [{ip}], eax",
                "mov eax, {selector}",
                "push {flags}",
                "popfd",
                $($trigger,)*
                "ud2",
                "3:",
                "cld",
                "pop edi",
                "pop esi",
                "pop ebp",
                "pop ebx",
                resume_ip = sym RESUME_IP,
                resume_sp = sym RESUME_SP,
                frame_at = sym EXPECTED_FRAME_AT,
                ip = sym EXPECTED_IP,
                frame_bytes = const FRAME_BYTES,
                selector = const SELECTOR,
                flags = const FLAGS,
                clobber_abi("C"),
            )
        };
        set_default_fp_environment();
    };
}

/// Both shapes, one report each.
pub fn diverging_scenario() -> bool {
    raise!("int 2", "2:");
    let nmi_ok = diverging::report("diverging-nmi", "nmi", &NMI_SEEN, KERNEL_CODE, None);

    idt::set(GENERAL_PROTECTION, Gate::new(general_protection_diverging));
    raise!("2:", "mov ds, ax");
    idt::set(
        GENERAL_PROTECTION,
        Gate::new(exceptions::general_protection),
    );
    let gp_ok = diverging::report(
        "diverging-error-code",
        "general_protection_diverging",
        &GP_SEEN,
        KERNEL_CODE,
        Some(SELECTOR as usize),
    );
    nmi_ok && gp_ok
}
