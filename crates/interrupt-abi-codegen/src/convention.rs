//! What a trampoline must save, and the shapes of handlers it wraps.
//!
//! A [`Convention`] describes the psABI the handler body is compiled with: the
//! registers a call may clobber and the FP/vector state. The [`SaveSet`] the
//! emitters take starts as the convention's full caller-saved set, but is a
//! parameter so later analyses can shrink it.

use alloc::string::String;
use alloc::vec::Vec;

/// Instruction set of a convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    X86_64,
    X86,
    Riscv32,
    Riscv64,
    /// Classic ARM (A/R profile) entered in A32 state.
    Arm,
    /// M profile: the hardware saves the caller-saved registers itself.
    CortexM,
    Aarch64,
}

/// FP and vector state a call may clobber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FpState {
    /// Soft-float target: the body never touches FP registers.
    None,
    /// x86_64 SSE: all sixteen XMM registers are caller-saved.
    Xmm,
    /// x86_64 AVX: the upper halves are caller-saved too, so save YMM.
    Ymm,
    /// 32-bit x86 with `fxsr`: x87, MMX and XMM0-7 in one `fxsave` image.
    Fxsave,
    /// 32-bit x86 with an x87 FPU only: `fnsave` image.
    Fnsave,
    /// RISC-V F or D: the listed registers (`width` bytes each) plus `fcsr`.
    Riscv {
        regs: &'static [&'static str],
        width: u32,
    },
    /// ARM VFP: d0-d7 (and d16-d31 with `d32`) plus FPSCR.
    ArmVfp { d32: bool },
    /// AArch64 FP/SIMD: q0-q31 (AAPCS64 keeps only the low halves of
    /// v8-v15) plus FPCR and FPSR.
    Aarch64Simd,
}

/// The psABI a handler body is compiled with, on one target variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    /// Human-readable variant name, e.g. `"RV32I ilp32f"`.
    pub name: &'static str,
    pub isa: Isa,
    /// Caller-saved general-purpose registers, in save order.
    pub gprs: &'static [&'static str],
    pub fp: FpState,
    /// Stack alignment the psABI requires at a call, in bytes.
    pub stack_align: u32,
}

impl Convention {
    /// Bytes of one general-purpose register.
    pub fn xlen(&self) -> u32 {
        match self.isa {
            Isa::X86_64 | Isa::Riscv64 | Isa::Aarch64 => 8,
            Isa::X86 | Isa::Riscv32 | Isa::Arm | Isa::CortexM => 4,
        }
    }

    /// Everything a call may clobber: what an opaque body forces us to save.
    pub fn full_save_set(&self) -> SaveSet {
        SaveSet {
            gprs: self.gprs.to_vec(),
            fp: self.fp,
        }
    }
}

/// The registers one trampoline saves and restores around the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveSet {
    pub gprs: Vec<&'static str>,
    pub fp: FpState,
}

/// How the CPU enters the handler and how the trampoline returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// x86 interrupt/trap gate: hardware frame on the stack, `iretq`/`iretd`.
    X86,
    /// RISC-V trap into M-mode: `mepc`/`mstatus`, `mret`.
    RiscvMachine,
    /// RISC-V trap into S-mode: `sepc`/`sstatus`, `sret`.
    RiscvSupervisor,
    /// ARM exception modes; all return with an `ldm .., pc}^`.
    ArmIrq,
    ArmFiq,
    ArmSvc,
    ArmAbort,
    ArmUndef,
    /// IRQ that switches to System mode to run the body (ARMv6+: SRS/RFE).
    ArmIrqSystem,
    /// AArch64 exception vector entry, returning with `eret`.
    Aarch64,
    /// Cortex-M: the exception entry is an ordinary AAPCS call.
    CortexM,
}

/// The handler signature the trampoline adapts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// x86: the CPU pushed an error code below the frame.
    pub error_code: bool,
    /// The body returns `!`: nothing needs restoring.
    pub diverges: bool,
    /// RISC-V: save `xepc`/`xstatus` so the body may re-enable interrupts.
    pub nested: bool,
    /// ARM abort, AArch64: the body takes the saved frame as its argument.
    pub frame: bool,
    /// ARM abort: a data abort (LR is 8 past the access, not 4).
    pub data_abort: bool,
    /// AArch64: the vector is taken to EL2 (`ELR_EL2`, ...), not EL1.
    pub el2: bool,
}

/// An emitted trampoline: `naked_asm!` template lines and its stack use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trampoline {
    /// Assembly lines; the body's symbol appears as the operand `{body}`.
    pub lines: Vec<String>,
    /// Bytes the trampoline itself pushes below the hardware frame.
    pub stack_bytes: u32,
}

impl Trampoline {
    /// The template passed to `naked_asm!`: braces of the assembly itself
    /// (ARM register lists) are escaped, the `{body}` operand is not.
    pub fn template(&self) -> String {
        self.lines
            .join("\n")
            .replace('{', "{{")
            .replace('}', "}}")
            .replace("{{body}}", "{body}")
    }

    /// The lines that are instructions: not directives (but `.inst`, which
    /// is one) and not labels.
    pub fn instructions(&self) -> impl Iterator<Item = &str> {
        self.lines
            .iter()
            .map(String::as_str)
            .filter(|l| (!l.starts_with('.') || l.starts_with(".inst ")) && !l.ends_with(':'))
    }

    /// How many instructions the template holds, every path counted.
    pub fn instruction_count(&self) -> usize {
        self.instructions().count()
    }
}

/// A save set the trampoline cannot work with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The trampoline itself needs this register (argument passing, CSR
    /// shuffling, the return address), so it must be in the save set.
    ScratchNotSaved(&'static str),
    /// A register the convention does not have.
    UnknownRegister(&'static str),
    /// FP state that does not exist on this ISA.
    FpMismatch,
    /// An entry kind this ISA's emitter does not produce.
    EntryMismatch,
}

impl core::fmt::Display for EmitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EmitError::ScratchNotSaved(r) => write!(
                f,
                "the entry itself uses `{r}`, so the save set must include it"
            ),
            EmitError::UnknownRegister(r) => {
                write!(f, "`{r}` is not a caller-saved register of this convention")
            }
            EmitError::FpMismatch => f.write_str("the save set names FP state this target lacks"),
            EmitError::EntryMismatch => {
                f.write_str("this instruction set has no entry of that kind")
            }
        }
    }
}

/// Checks the save set against the convention and the registers the
/// trampoline needs as scratch.
pub(crate) fn check_save_set(
    conv: &Convention,
    save: &SaveSet,
    scratch: &[&'static str],
) -> Result<(), EmitError> {
    if let Some(r) = save.gprs.iter().find(|r| !conv.gprs.contains(r)) {
        return Err(EmitError::UnknownRegister(r));
    }
    if let Some(r) = scratch.iter().find(|r| !save.gprs.contains(r)) {
        return Err(EmitError::ScratchNotSaved(r));
    }
    if save.fp != FpState::None && save.fp != conv.fp {
        return Err(EmitError::FpMismatch);
    }
    Ok(())
}

/// Rounds `n` up to a multiple of `align` (a power of two).
pub(crate) fn align_up(n: u32, align: u32) -> u32 {
    (n + align - 1) & !(align - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn template_escapes_assembly_braces_but_not_the_operand() {
        let t = Trampoline {
            lines: vec!["push {r0, lr}".into(), "bl {body}".into()],
            stack_bytes: 8,
        };
        assert_eq!(t.template(), "push {{r0, lr}}\nbl {body}");
    }

    #[test]
    fn errors_read_as_sentences() {
        use alloc::string::ToString;
        assert_eq!(
            EmitError::ScratchNotSaved("t0").to_string(),
            "the entry itself uses `t0`, so the save set must include it"
        );
    }
}
