//! The few instructions every body of the suite shares with `c/handlers.c`,
//! written as assembly so that Rust and C execute the same ones.
//!
//! - `probe_entry!()` / `probe_exit!()`: the body's first and last
//!   instructions in `probe` builds: they leave the instruction counter and
//!   the body's stack pointer where the target's harness reads them after
//!   the interrupt (below). Without `probe` they are empty, and the ELF is
//!   what the static metrics describe. Neither is `nomem`: the compiler must
//!   not move the body's memory accesses across them (register-only
//!   instructions it may still move).
//! - `ack!(BIT)`: what ends the handler's interrupt at its source.
//! - `nest_enter!()` / `nest_leave!(saved)`: what a nested handler must do
//!   around re-enabling `mstatus.MIE`. With `#[interrupt(nested)]` the entry
//!   saves `mepc`/`mstatus` and masks interrupts before restoring them, so
//!   the body has nothing to do; every other contender does it in the body.
//!
//! On RISC-V the entry probe copies `minstret` to `mscratch` and `sp` to
//! `mtval`, the exit probe `minstret` to `sscratch`; `ack!` clears the
//! interrupt's bit in `mip`.
//!
//! On x86_64 the probes store the TSC (the instruction counter under
//! `-icount shift=0`) in `bench_at_entry`/`bench_at_exit` and the stack
//! pointer in `bench_body_sp` (see `x86::harness`). They keep the two
//! registers `rdtsc` writes in `bench_scratch` meanwhile, not on the stack:
//! an `asm!` that may push makes the compiler realign the stack around
//! it, which would change the handler being measured. `ack!` and the
//! nesting macros are empty there.
//!
//! On classic ARM (`virt`, A32) the probes read the PMU's instruction
//! counter (`arm_common::pmu`) and leave it, and the stack pointer, in CP15
//! registers nothing else uses here (TPIDRURW at entry, TPIDRURO at exit,
//! the body's SP in DFAR), keeping `r0` in TPIDRPRW meanwhile: no memory,
//! no stack, no register of the compiler's. `ack!` acknowledges and ends
//! the interrupt at the GIC, in assembly so that the compiler cannot hoist
//! the register's address above the entry probe. Cortex-M is only
//! disassembled: all empty.

/// `mip` bits M-mode software can set and clear with `csrs`/`csrc`.
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod bits {
    pub const SSIP: usize = 1 << 1;
    pub const STIP: usize = 1 << 5;
    pub const SEIP: usize = 1 << 9;
}

#[cfg(all(
    feature = "probe",
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! probe_entry {
    () => {
        // SAFETY: M-mode scratch CSRs that only the harness reads.
        unsafe {
            core::arch::asm!(
                "csrr {t}, minstret",
                "csrw mscratch, {t}",
                "csrw mtval, sp",
                t = out(reg) _,
                options(nostack),
            )
        }
    };
}

#[cfg(all(
    feature = "probe",
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! probe_exit {
    () => {
        // SAFETY: as for `probe_entry!`.
        unsafe {
            core::arch::asm!(
                "csrr {t}, minstret",
                "csrw sscratch, {t}",
                t = out(reg) _,
                options(nostack),
            )
        }
    };
}

/// The x86_64 probes' instructions, shared with the harness's fixed
/// handlers: `rdtsc` is their third instruction.
#[cfg(target_arch = "x86_64")]
macro_rules! x86_probe_entry {
    () => {
        concat!(
            "mov qword ptr [rip + bench_scratch], rax\n",
            "mov qword ptr [rip + bench_scratch + 8], rdx\n",
            "rdtsc\n",
            "mov dword ptr [rip + bench_at_entry], eax\n",
            "mov dword ptr [rip + bench_at_entry + 4], edx\n",
            "mov qword ptr [rip + bench_body_sp], rsp\n",
            "mov rdx, qword ptr [rip + bench_scratch + 8]\n",
            "mov rax, qword ptr [rip + bench_scratch]\n",
        )
    };
}

#[cfg(target_arch = "x86_64")]
macro_rules! x86_probe_exit {
    () => {
        concat!(
            "mov qword ptr [rip + bench_scratch], rax\n",
            "mov qword ptr [rip + bench_scratch + 8], rdx\n",
            "rdtsc\n",
            "mov dword ptr [rip + bench_at_exit], eax\n",
            "mov dword ptr [rip + bench_at_exit + 4], edx\n",
            "mov rdx, qword ptr [rip + bench_scratch + 8]\n",
            "mov rax, qword ptr [rip + bench_scratch]\n",
        )
    };
}

/// The classic-ARM probes' instructions, shared with the harness's fixed
/// handlers: the counter read is their second instruction.
#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
macro_rules! arm_probe_entry {
    () => {
        concat!(
            "mcr p15, 0, r0, c13, c0, 4\n",
            "mrc p15, 0, r0, c9, c13, 2\n",
            "mcr p15, 0, r0, c13, c0, 2\n",
            "mov r0, sp\n",
            "mcr p15, 0, r0, c6, c0, 0\n",
            "mrc p15, 0, r0, c13, c0, 4\n",
        )
    };
}

#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
macro_rules! arm_probe_exit {
    () => {
        concat!(
            "mcr p15, 0, r0, c13, c0, 4\n",
            "mrc p15, 0, r0, c9, c13, 2\n",
            "mcr p15, 0, r0, c13, c0, 3\n",
            "mrc p15, 0, r0, c13, c0, 4\n",
        )
    };
}

#[cfg(all(feature = "probe", target_arch = "arm", not(bench_cortex_m)))]
macro_rules! probe_entry {
    () => {
        // SAFETY: CP15 scratch registers only the harness reads; r0 is
        // restored.
        unsafe { core::arch::asm!(arm_probe_entry!(), options(nostack, preserves_flags)) }
    };
}

#[cfg(all(feature = "probe", target_arch = "arm", not(bench_cortex_m)))]
macro_rules! probe_exit {
    () => {
        // SAFETY: as for `probe_entry!`.
        unsafe { core::arch::asm!(arm_probe_exit!(), options(nostack, preserves_flags)) }
    };
}

#[cfg(all(feature = "probe", bench_cortex_m))]
compile_error!("Cortex-M is only disassembled: no probe builds");

#[cfg(all(feature = "probe", target_arch = "x86_64"))]
macro_rules! probe_entry {
    () => {
        // SAFETY: writes the harness's statics; every register is restored.
        unsafe { core::arch::asm!(x86_probe_entry!(), options(nostack, preserves_flags)) }
    };
}

#[cfg(all(feature = "probe", target_arch = "x86_64"))]
macro_rules! probe_exit {
    () => {
        // SAFETY: as for `probe_entry!`.
        unsafe { core::arch::asm!(x86_probe_exit!(), options(nostack, preserves_flags)) }
    };
}

#[cfg(not(feature = "probe"))]
macro_rules! probe_entry {
    () => {};
}

#[cfg(not(feature = "probe"))]
macro_rules! probe_exit {
    () => {};
}

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
macro_rules! ack {
    ($bit:ident) => {
        // SAFETY: clears this handler's own pending bit.
        unsafe {
            core::arch::asm!(
                "csrc mip, {bit}",
                bit = in(reg) $crate::probe::bits::$bit,
                options(nostack),
            )
        }
    };
}

/// GICC_IAR of `virt`'s GICv2; GICC_EOIR follows it.
#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
pub const GICC_IAR: usize = 0x0801_000c;

/// Reads GICC_IAR and writes the value to GICC_EOIR, with scratch
/// registers `$a` and `$v`; shared with the harness's fixed handlers.
#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
macro_rules! arm_ack {
    ($a:literal, $v:literal) => {
        concat!(
            "movw ",
            $a,
            ", #{iar_low}\n",
            "movt ",
            $a,
            ", #{iar_high}\n",
            "ldr ",
            $v,
            ", [",
            $a,
            "]\n",
            "str ",
            $v,
            ", [",
            $a,
            ", #4]\n",
        )
    };
}

#[cfg(all(target_arch = "arm", not(bench_cortex_m)))]
macro_rules! ack {
    ($bit:ident) => {
        // SAFETY: GIC CPU interface registers: acknowledge the interrupt,
        // then end it.
        unsafe {
            core::arch::asm!(
                arm_ack!("{a}", "{v}"),
                a = out(reg) _,
                v = out(reg) _,
                iar_low = const $crate::probe::GICC_IAR & 0xffff,
                iar_high = const $crate::probe::GICC_IAR >> 16,
                options(nostack, preserves_flags),
            )
        }
    };
}

#[cfg(not(any(
    target_arch = "riscv32",
    target_arch = "riscv64",
    all(target_arch = "arm", not(bench_cortex_m))
)))]
macro_rules! ack {
    ($bit:ident) => {};
}

/// `mstatus.MIE` on (`true`) or off.
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
macro_rules! machine_interrupts {
    (true) => {
        // SAFETY: the handler has acknowledged its interrupt and saved what
        // a nested trap overwrites.
        unsafe { core::arch::asm!("csrsi mstatus, 8", options(nostack)) }
    };
    (false) => {
        // SAFETY: masking interrupts is always sound.
        unsafe { core::arch::asm!("csrci mstatus, 8", options(nostack)) }
    };
}

#[cfg(all(
    not(feature = "ours"),
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! nest_enter {
    () => {{
        let (epc, status): (usize, usize);
        // SAFETY: reads the CSRs a nested trap overwrites.
        unsafe {
            core::arch::asm!("csrr {}, mepc", out(reg) epc, options(nostack));
            core::arch::asm!("csrr {}, mstatus", out(reg) status, options(nostack));
        }
        (epc, status)
    }};
}

#[cfg(all(
    not(feature = "ours"),
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! nest_leave {
    ($saved:expr) => {{
        let (epc, status): (usize, usize) = $saved;
        machine_interrupts!(false);
        // SAFETY: puts back what `nest_enter!` read, with interrupts masked.
        unsafe {
            core::arch::asm!("csrw mepc, {}", in(reg) epc, options(nostack));
            core::arch::asm!("csrw mstatus, {}", in(reg) status, options(nostack));
        }
    }};
}

#[cfg(all(
    feature = "ours",
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! nest_enter {
    () => {
        ()
    };
}

#[cfg(all(
    feature = "ours",
    any(target_arch = "riscv32", target_arch = "riscv64")
))]
macro_rules! nest_leave {
    ($saved:expr) => {
        let () = $saved;
    };
}
