//! The ABI strings `#[interrupt]` accepts and, per ABI, its target variants.

/// An interrupt calling convention, named as in rustc where rustc has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Abi {
    X86Interrupt,
    RiscvInterruptM,
    RiscvInterruptS,
    ArmInterruptIrq,
    ArmInterruptFiq,
    ArmInterruptSvc,
    ArmInterruptAbort,
    ArmInterruptUndef,
    ArmInterruptIrqSystem,
    Aarch64Interrupt,
    CortexMInterrupt,
}

/// The arguments a handler of an ABI takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    None,
    /// x86: the hardware frame, then maybe the error code.
    FrameAndErrorCode,
    /// Nothing, or the saved frame.
    OptionalFrame,
}

impl Abi {
    pub const ALL: [Abi; 11] = [
        Abi::X86Interrupt,
        Abi::RiscvInterruptM,
        Abi::RiscvInterruptS,
        Abi::ArmInterruptIrq,
        Abi::ArmInterruptFiq,
        Abi::ArmInterruptSvc,
        Abi::ArmInterruptAbort,
        Abi::ArmInterruptUndef,
        Abi::ArmInterruptIrqSystem,
        Abi::Aarch64Interrupt,
        Abi::CortexMInterrupt,
    ];

    /// Parses the string written in `extern "..."`.
    pub fn from_name(name: &str) -> Option<Abi> {
        Self::ALL.into_iter().find(|abi| abi.name() == name)
    }

    /// The ABI string, as written in `extern "..."`.
    pub fn name(self) -> &'static str {
        match self {
            Abi::X86Interrupt => "x86-interrupt",
            Abi::RiscvInterruptM => "riscv-interrupt-m",
            Abi::RiscvInterruptS => "riscv-interrupt-s",
            Abi::ArmInterruptIrq => "arm-interrupt-irq",
            Abi::ArmInterruptFiq => "arm-interrupt-fiq",
            Abi::ArmInterruptSvc => "arm-interrupt-svc",
            Abi::ArmInterruptAbort => "arm-interrupt-abort",
            Abi::ArmInterruptUndef => "arm-interrupt-undef",
            Abi::ArmInterruptIrqSystem => "arm-interrupt-irq-system",
            Abi::Aarch64Interrupt => "aarch64-interrupt",
            Abi::CortexMInterrupt => "cortex-m-interrupt",
        }
    }

    /// The marker type under `interrupt_abi::abi`.
    pub fn marker(self) -> &'static str {
        match self {
            Abi::X86Interrupt => "X86Interrupt",
            Abi::RiscvInterruptM => "RiscvInterruptM",
            Abi::RiscvInterruptS => "RiscvInterruptS",
            Abi::ArmInterruptIrq => "ArmInterruptIrq",
            Abi::ArmInterruptFiq => "ArmInterruptFiq",
            Abi::ArmInterruptSvc => "ArmInterruptSvc",
            Abi::ArmInterruptAbort => "ArmInterruptAbort",
            Abi::ArmInterruptUndef => "ArmInterruptUndef",
            Abi::ArmInterruptIrqSystem => "ArmInterruptIrqSystem",
            Abi::Aarch64Interrupt => "Aarch64Interrupt",
            Abi::CortexMInterrupt => "CortexMInterrupt",
        }
    }

    /// Where the ABI exists, for diagnostics.
    pub fn targets(self) -> &'static str {
        match self {
            Abi::X86Interrupt => "x86 and x86_64 targets (`target_arch` `x86` or `x86_64`)",
            Abi::RiscvInterruptM | Abi::RiscvInterruptS => {
                "RISC-V targets (`target_arch` `riscv32` or `riscv64`)"
            }
            Abi::ArmInterruptIrqSystem => {
                "ARMv6 and later A/R-profile ARM targets (`target_arch` `arm`, `target_feature` \
                 `v6`, not `mclass`); on ARMv4T/v5 use `arm-interrupt-irq`"
            }
            Abi::Aarch64Interrupt => "AArch64 targets (`target_arch` `aarch64`)",
            Abi::CortexMInterrupt => {
                "Cortex-M targets (`target_arch` `arm` with `target_feature` `mclass`, \
                 e.g. `thumbv7m-none-eabi`)"
            }
            _ => {
                "A/R-profile ARM targets (`target_arch` `arm` without `mclass`); Cortex-M has \
                 no exception modes: use `cortex-m-interrupt` there"
            }
        }
    }

    /// Why a target of the right architecture matches no variant.
    pub fn unsupported_features_help(self) -> &'static str {
        match self {
            Abi::X86Interrupt => {
                "AVX-512 state (ZMM, K registers) and APX's r16-r31 are not saved yet"
            }
            Abi::RiscvInterruptM | Abi::RiscvInterruptS => {
                "the V extension's vector registers are not saved yet, and RV32E/RV64E \
                 with F or D is not supported"
            }
            Abi::Aarch64Interrupt => "SVE state is not saved yet",
            _ => self.targets(),
        }
    }

    /// Arguments the handler takes, as a sentence for diagnostics.
    pub fn signature_help(self) -> &'static str {
        match self.args() {
            Args::FrameAndErrorCode => {
                "`(frame: &InterruptStackFrame)` or `(frame: &InterruptStackFrame, error_code: u64)` \
                 (`u32` on 32-bit x86); `&mut` frames need an `unsafe fn`"
            }
            Args::OptionalFrame if self == Abi::Aarch64Interrupt => {
                "no arguments, or `(frame: &ExceptionFrame)` from `interrupt_abi::aarch64`; \
                 `&mut` frames need an `unsafe fn`"
            }
            Args::OptionalFrame => {
                "no arguments, or `(frame: &ExceptionFrame)` from `interrupt_abi::arm`; \
                 `&mut` frames need an `unsafe fn`"
            }
            Args::None if matches!(self, Abi::RiscvInterruptM | Abi::RiscvInterruptS) => {
                "no arguments (read `mcause`/`scause` in the body)"
            }
            Args::None => "no arguments",
        }
    }

    pub fn args(self) -> Args {
        match self {
            Abi::X86Interrupt => Args::FrameAndErrorCode,
            Abi::ArmInterruptSvc
            | Abi::ArmInterruptAbort
            | Abi::ArmInterruptUndef
            | Abi::Aarch64Interrupt => Args::OptionalFrame,
            _ => Args::None,
        }
    }

    /// Whether the CPU itself keeps enough state for nesting (x86 saves RIP
    /// and RFLAGS in the frame), which makes the `nested` option meaningless.
    pub fn nests_natively(self) -> bool {
        !matches!(self, Abi::RiscvInterruptM | Abi::RiscvInterruptS)
    }

    /// Classic ARM entries are A32 code whatever the target's default set.
    pub fn a32_entry(self) -> bool {
        matches!(
            self,
            Abi::ArmInterruptIrq
                | Abi::ArmInterruptFiq
                | Abi::ArmInterruptSvc
                | Abi::ArmInterruptAbort
                | Abi::ArmInterruptUndef
                | Abi::ArmInterruptIrqSystem
        )
    }

    /// Cortex-M exception entry is an ordinary call: the body is the entry.
    pub fn body_is_entry(self) -> bool {
        self == Abi::CortexMInterrupt
    }
}

#[cfg(feature = "emit")]
mod variants {
    use super::Abi;
    use crate::convention::{Convention, EmitError, Entry, SaveSet, Shape, Trampoline};
    use crate::target::Cfg;
    use crate::{aarch64, arm, riscv, x86};

    /// A convention and the target predicate that selects it.
    #[derive(Debug, Clone, Copy)]
    pub struct Variant {
        /// Identifier of the variant in the expansion (`rv32e`, `arm_vfp_d32`).
        pub id: &'static str,
        pub cfg: Cfg,
        pub convention: &'static Convention,
    }

    const fn v(
        id: &'static str,
        arch: &'static str,
        all: &'static [&'static str],
        none: &'static [&'static str],
        convention: &'static Convention,
    ) -> Variant {
        Variant {
            id,
            cfg: Cfg {
                arch,
                all,
                none,
                abi: &[],
            },
            convention,
        }
    }

    impl Variant {
        /// Restricts the variant to targets whose `llvm-abiname` is listed.
        const fn for_abi(mut self, abi: &'static [&'static str]) -> Variant {
            self.cfg.abi = abi;
            self
        }
    }

    // AVX-512 (ZMM, k0-k7) and APX (r16-r31) add caller-saved state we do
    // not save yet, so such targets get a compile error rather than silent
    // corruption. `fxsr` without SSE takes the `fnsave` entry: its body has
    // no MXCSR, and `ldmxcsr` would fault. A soft-float body (floats as
    // library calls) touches no x87 or SSE state, whatever the CPU has: its
    // entry must not either, since `fnsave` faults under CR0.EM or CR0.TS.
    const X86: &[Variant] = &[
        v(
            "x86_64_soft",
            "x86_64",
            &[],
            &["sse", "apxf"],
            &x86::X86_64_SOFT,
        ),
        v(
            "x86_64_sse",
            "x86_64",
            &["sse"],
            &["avx", "apxf"],
            &x86::X86_64_SSE,
        ),
        v(
            "x86_64_avx",
            "x86_64",
            &["avx"],
            &["avx512f", "apxf"],
            &x86::X86_64_AVX,
        ),
        v(
            "x86_fxsr",
            "x86",
            &["fxsr", "sse"],
            &["avx", "soft-float"],
            &x86::X86_FXSR,
        ),
        v("x86_x87", "x86", &[], &["sse", "soft-float"], &x86::X86_X87),
        v("x86_soft", "x86", &["soft-float"], &["sse"], &x86::X86_SOFT),
    ];
    // RISC-V: the FPU decides what FP state exists, the float ABI
    // (`llvm-abiname`) what the body preserves of it. Under `ilp32`/`lp64`,
    // and under `ilp32f`/`lp64f` with D, the body may overwrite any FP
    // register (or the upper half of fs0-fs11): those entries save all 32.
    // E has only x0-x15 and no FP ABI; E with an FPU is not supported.
    const RV_NONE: &[&str] = &["e", "v", "zve32x"];
    const RV_NONE_F: &[&str] = &["d", "e", "v", "zve32x"];
    const RISCV: &[Variant] = &[
        v(
            "rv32i",
            "riscv32",
            &[],
            &["e", "f", "v", "zve32x"],
            &riscv::RV32I,
        ),
        v("rv32if", "riscv32", &["f"], RV_NONE_F, &riscv::RV32IF).for_abi(&["ilp32f"]),
        v(
            "rv32if_all",
            "riscv32",
            &["f"],
            RV_NONE_F,
            &riscv::RV32IF_ALL,
        )
        .for_abi(&["ilp32"]),
        v("rv32id", "riscv32", &["d"], RV_NONE, &riscv::RV32ID).for_abi(&["ilp32d"]),
        v("rv32id_all", "riscv32", &["d"], RV_NONE, &riscv::RV32ID_ALL)
            .for_abi(&["ilp32", "ilp32f"]),
        v(
            "rv32e",
            "riscv32",
            &["e"],
            &["f", "v", "zve32x"],
            &riscv::RV32E,
        ),
        v(
            "rv64i",
            "riscv64",
            &[],
            &["e", "f", "v", "zve32x"],
            &riscv::RV64I,
        ),
        v("rv64if", "riscv64", &["f"], RV_NONE_F, &riscv::RV64IF).for_abi(&["lp64f"]),
        v(
            "rv64if_all",
            "riscv64",
            &["f"],
            RV_NONE_F,
            &riscv::RV64IF_ALL,
        )
        .for_abi(&["lp64"]),
        v("rv64id", "riscv64", &["d"], RV_NONE, &riscv::RV64ID).for_abi(&["lp64d"]),
        v("rv64id_all", "riscv64", &["d"], RV_NONE, &riscv::RV64ID_ALL).for_abi(&["lp64", "lp64f"]),
        v(
            "rv64e",
            "riscv64",
            &["e"],
            &["f", "v", "zve32x"],
            &riscv::RV64E,
        ),
    ];

    // A/R profile: `mclass` targets have no exception modes. A `soft-float`
    // target (`armv7a-none-eabi`) compiles floats to library calls and never
    // touches VFP, even where the core has it (`fpregs`): its entries leave
    // VFP alone, which also keeps them working with VFP disabled.
    const ARM: &[Variant] = &[
        v(
            "arm_soft",
            "arm",
            &[],
            &["mclass", "fpregs", "soft-float"],
            &arm::ARM_SOFT,
        ),
        v(
            "arm_soft_float",
            "arm",
            &["soft-float"],
            &["mclass"],
            &arm::ARM_SOFT,
        ),
        v(
            "arm_vfp_d16",
            "arm",
            &["fpregs"],
            &["mclass", "d32", "soft-float"],
            &arm::ARM_VFP_D16,
        ),
        v(
            "arm_vfp_d32",
            "arm",
            &["fpregs", "d32"],
            &["mclass", "soft-float"],
            &arm::ARM_VFP_D32,
        ),
    ];
    // SRS/CPS/RFE arrived with ARMv6.
    const ARM_V6: &[Variant] = &[
        v(
            "armv6_soft",
            "arm",
            &["v6"],
            &["mclass", "fpregs", "soft-float"],
            &arm::ARM_SOFT,
        ),
        v(
            "armv6_soft_float",
            "arm",
            &["v6", "soft-float"],
            &["mclass"],
            &arm::ARM_SOFT,
        ),
        v(
            "armv6_vfp_d16",
            "arm",
            &["v6", "fpregs"],
            &["mclass", "d32", "soft-float"],
            &arm::ARM_VFP_D16,
        ),
        v(
            "armv6_vfp_d32",
            "arm",
            &["v6", "fpregs", "d32"],
            &["mclass", "soft-float"],
            &arm::ARM_VFP_D32,
        ),
    ];
    const CORTEX_M: &[Variant] = &[v("cortex_m", "arm", &["mclass"], &[], &arm::CORTEX_M)];
    // SVE's z registers are caller-saved and not saved yet.
    const AARCH64: &[Variant] = &[
        v(
            "aarch64_soft",
            "aarch64",
            &[],
            &["neon", "fp-armv8", "sve"],
            &aarch64::AARCH64_SOFT,
        ),
        v(
            "aarch64_simd",
            "aarch64",
            &["neon"],
            &["sve"],
            &aarch64::AARCH64_SIMD,
        ),
    ];

    impl Abi {
        /// Every convention variant of the ABI, with mutually exclusive `cfg`s.
        pub fn variants(self) -> &'static [Variant] {
            match self {
                Abi::X86Interrupt => X86,
                Abi::RiscvInterruptM | Abi::RiscvInterruptS => RISCV,
                Abi::ArmInterruptIrqSystem => ARM_V6,
                Abi::Aarch64Interrupt => AARCH64,
                Abi::CortexMInterrupt => CORTEX_M,
                _ => ARM,
            }
        }

        /// How the CPU enters a handler of this ABI.
        pub fn entry(self) -> Entry {
            match self {
                Abi::X86Interrupt => Entry::X86,
                Abi::RiscvInterruptM => Entry::RiscvMachine,
                Abi::RiscvInterruptS => Entry::RiscvSupervisor,
                Abi::ArmInterruptIrq => Entry::ArmIrq,
                Abi::ArmInterruptFiq => Entry::ArmFiq,
                Abi::ArmInterruptSvc => Entry::ArmSvc,
                Abi::ArmInterruptAbort => Entry::ArmAbort,
                Abi::ArmInterruptUndef => Entry::ArmUndef,
                Abi::ArmInterruptIrqSystem => Entry::ArmIrqSystem,
                Abi::Aarch64Interrupt => Entry::Aarch64,
                Abi::CortexMInterrupt => Entry::CortexM,
            }
        }

        /// The variant of this ABI a target selects, if any; `abi` is the
        /// target's `llvm-abiname`.
        pub fn select(self, arch: &str, abi: &str, features: &[&str]) -> Option<&'static Variant> {
            self.variants()
                .iter()
                .find(|v| v.cfg.matches(arch, abi, features))
        }

        /// Emits the trampoline of `variant` with the convention's full save set.
        pub fn emit(self, variant: &Variant, shape: Shape) -> Result<Trampoline, EmitError> {
            let conv = variant.convention;
            self.emit_with(conv, &conv.full_save_set(), shape)
        }

        /// Emits a trampoline with an explicit save set.
        pub fn emit_with(
            self,
            conv: &Convention,
            save: &SaveSet,
            shape: Shape,
        ) -> Result<Trampoline, EmitError> {
            match self.entry() {
                Entry::X86 => x86::emit(conv, save, shape),
                Entry::RiscvMachine | Entry::RiscvSupervisor => {
                    riscv::emit(conv, self.entry(), save, shape)
                }
                Entry::Aarch64 => aarch64::emit(conv, save, shape),
                // The body is the entry: nothing to emit.
                Entry::CortexM => Err(EmitError::EntryMismatch),
                entry => arm::emit(conv, entry, save, shape),
            }
        }
    }

    /// Every variant id, of every ABI, that a target selects; `abi` is the
    /// target's `llvm-abiname`.
    pub fn selected_ids(arch: &str, abi: &str, features: &[&str]) -> alloc::vec::Vec<&'static str> {
        let mut ids: alloc::vec::Vec<&str> = Abi::ALL
            .iter()
            .filter_map(|a| a.select(arch, abi, features))
            .map(|v| v.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::abi::Args;
        extern crate std;
        use std::vec::Vec;

        fn selected(abi: Abi, arch: &str, features: &[&str]) -> Vec<&'static str> {
            selected_for(abi, arch, builtin_abiname(arch, features), features)
        }

        fn selected_for(
            abi: Abi,
            arch: &str,
            abiname: &str,
            features: &[&str],
        ) -> Vec<&'static str> {
            abi.variants()
                .iter()
                .filter(|v| v.cfg.matches(arch, abiname, features))
                .map(|v| v.convention.name)
                .collect()
        }

        /// The `llvm-abiname` built-in targets with these features have (the
        /// float ABI follows the hardware); ABIs that RISC-V alone names.
        fn builtin_abiname(arch: &str, features: &[&str]) -> &'static str {
            let has = |f| features.contains(&f);
            match (arch, has("e"), has("d"), has("f")) {
                ("riscv32", true, ..) => "ilp32e",
                ("riscv32", _, true, _) => "ilp32d",
                ("riscv32", _, _, true) => "ilp32f",
                ("riscv32", ..) => "ilp32",
                ("riscv64", true, ..) => "lp64e",
                ("riscv64", _, true, _) => "lp64d",
                ("riscv64", _, _, true) => "lp64f",
                ("riscv64", ..) => "lp64",
                _ => "",
            }
        }

        #[test]
        fn real_targets_select_exactly_one_variant() {
            // Feature sets as `rustc --print cfg` reports them with unstable
            // features listed (rustc 1.96, RUSTC_BOOTSTRAP=1), as build.rs asks.
            let cases: &[(Abi, &str, &[&str], &str)] = &[
                (
                    Abi::X86Interrupt,
                    "x86_64",
                    &["fxsr", "x87"],
                    "x86_64, no SSE",
                ),
                (
                    Abi::X86Interrupt,
                    "x86_64",
                    &["fxsr", "sse", "sse2", "x87"],
                    "x86_64, SSE",
                ),
                (
                    Abi::X86Interrupt,
                    "x86_64",
                    &["avx", "avx2", "fxsr", "sse", "sse2"],
                    "x86_64, AVX",
                ),
                (
                    Abi::X86Interrupt,
                    "x86",
                    &["fxsr", "sse", "sse2", "x87"],
                    "x86, x87 + SSE (fxsave)",
                ),
                (Abi::X86Interrupt, "x86", &["x87"], "x86, x87 (fnsave)"),
                (
                    Abi::RiscvInterruptM,
                    "riscv32",
                    &["a", "c", "m", "zca"],
                    "RV32I ilp32",
                ),
                (
                    Abi::RiscvInterruptM,
                    "riscv32",
                    &["a", "c", "f", "m"],
                    "RV32IF ilp32f",
                ),
                (
                    Abi::RiscvInterruptS,
                    "riscv64",
                    &["a", "c", "d", "f", "m"],
                    "RV64ID lp64d",
                ),
                (Abi::RiscvInterruptM, "riscv32", &["e"], "RV32E ilp32e"),
                (Abi::RiscvInterruptS, "riscv64", &["e", "m"], "RV64E lp64e"),
                (Abi::ArmInterruptIrq, "arm", &[], "ARM A/R, no FPU"),
                (
                    Abi::ArmInterruptIrq,
                    "arm",
                    &["thumb-mode"],
                    "ARM A/R, no FPU",
                ),
                (
                    Abi::ArmInterruptFiq,
                    "arm",
                    &["aclass", "d32", "fpregs", "v6", "v7", "vfp3"],
                    "ARM A/R, VFP d0-d31",
                ),
                // armv7a-none-eabi: VFP hardware, floats as library calls.
                (
                    Abi::ArmInterruptFiq,
                    "arm",
                    &["aclass", "d32", "fpregs", "soft-float", "v6", "v7", "vfp3"],
                    "ARM A/R, no FPU",
                ),
                (
                    Abi::ArmInterruptSvc,
                    "arm",
                    &["dsp", "fpregs", "rclass", "v6", "v7", "vfp2"],
                    "ARM A/R, VFP d0-d15",
                ),
                (
                    Abi::ArmInterruptIrqSystem,
                    "arm",
                    &["aclass", "d32", "fpregs", "v6"],
                    "ARM A/R, VFP d0-d31",
                ),
                (
                    Abi::CortexMInterrupt,
                    "arm",
                    &["mclass", "thumb-mode", "v6", "v7"],
                    "Cortex-M (hardware-stacked)",
                ),
                (
                    Abi::Aarch64Interrupt,
                    "aarch64",
                    &["neon"],
                    "AArch64, FP/SIMD",
                ),
                (Abi::Aarch64Interrupt, "aarch64", &[], "AArch64, no FP/SIMD"),
            ];
            for (abi, arch, features, want) in cases {
                assert_eq!(
                    selected(*abi, arch, features),
                    [*want],
                    "{arch} {features:?}"
                );
            }
        }

        #[test]
        fn unsupported_features_select_nothing() {
            assert!(selected(Abi::X86Interrupt, "x86_64", &["sse", "avx", "avx512f"]).is_empty());
            assert!(
                selected(Abi::RiscvInterruptM, "riscv64", &["d", "f", "v", "zve32x"]).is_empty()
            );
            assert!(selected(Abi::RiscvInterruptM, "x86_64", &[]).is_empty());
            // ilp32e/lp64e with an FPU: no variant keeps to x0-x15 and saves FP.
            assert!(selected(Abi::RiscvInterruptM, "riscv32", &["e", "f"]).is_empty());
            assert!(selected(Abi::RiscvInterruptM, "riscv64", &["d", "e", "f"]).is_empty());
            assert!(selected(Abi::ArmInterruptIrq, "arm", &["mclass", "v7"]).is_empty());
            assert!(selected(Abi::ArmInterruptIrqSystem, "arm", &["v5te"]).is_empty());
            assert!(selected(Abi::CortexMInterrupt, "arm", &["aclass", "v7"]).is_empty());
            assert!(selected(Abi::Aarch64Interrupt, "aarch64", &["neon", "sve"]).is_empty());
        }

        /// State the x86_64 entries do not save yet must stop the build:
        /// feature lists as `rustc --print cfg` gives them for
        /// `-C target-feature=+apxf` or `+avx512f` (implied features
        /// included), on hard- and soft-float targets.
        #[test]
        fn x86_64_apx_and_avx512_select_nothing() {
            let cases: &[&[&str]] = &[
                &["apxf", "fxsr", "sse", "sse2", "x87"],
                &["apxf", "fxsr", "x87"],
                &["apxf", "avx", "avx2", "fxsr", "sse", "sse2", "x87"],
                &[
                    "avx", "avx2", "avx512f", "f16c", "fma", "fxsr", "sse", "sse2", "sse3",
                    "sse4.1", "sse4.2", "ssse3", "x87",
                ],
            ];
            for features in cases {
                assert_eq!(
                    selected(Abi::X86Interrupt, "x86_64", features),
                    Vec::<&str>::new(),
                    "{features:?}"
                );
            }
            assert!(
                Abi::X86Interrupt
                    .unsupported_features_help()
                    .contains("APX")
            );
        }

        /// `ldmxcsr` faults without SSE, so an `fxsr` target without it (e.g.
        /// `-C target-cpu=pentium2`) takes the `fnsave` entry: its body has
        /// no MXCSR to set up.
        #[test]
        fn x86_fxsr_without_sse_uses_fnsave() {
            assert_eq!(
                selected(Abi::X86Interrupt, "x86", &["fxsr", "x87"]),
                ["x86, x87 (fnsave)"]
            );
        }

        /// RISC-V: the float ABI the body is compiled with, not the FPU
        /// alone, decides which FP registers it may clobber. `llvm-abiname`
        /// as `--print target-spec-json` gives it, features as `--print cfg`
        /// with `-C target-feature` (e.g. `riscv32imac` with `+d`).
        #[test]
        fn riscv_variant_follows_the_float_abi() {
            let cases: &[(&str, &str, &[&str], &str)] = &[
                ("riscv32", "ilp32", &["a", "c", "m"], "RV32I ilp32"),
                ("riscv32", "ilp32f", &["c", "f", "m"], "RV32IF ilp32f"),
                ("riscv32", "ilp32d", &["d", "f"], "RV32ID ilp32d"),
                // Soft-float ABI with the FPU: all of f0-f31 caller-saved.
                ("riscv32", "ilp32", &["c", "f", "m"], "RV32IF ilp32"),
                ("riscv32", "ilp32", &["d", "f"], "RV32ID ilp32/ilp32f"),
                // ilp32f keeps only the low 32 bits of fs0-fs11.
                ("riscv32", "ilp32f", &["d", "f"], "RV32ID ilp32/ilp32f"),
                ("riscv32", "ilp32e", &["e"], "RV32E ilp32e"),
                ("riscv64", "lp64", &["a", "c", "m"], "RV64I lp64"),
                ("riscv64", "lp64f", &["f"], "RV64IF lp64f"),
                (
                    "riscv64",
                    "lp64d",
                    &["a", "c", "d", "f", "m"],
                    "RV64ID lp64d",
                ),
                ("riscv64", "lp64", &["f"], "RV64IF lp64"),
                (
                    "riscv64",
                    "lp64",
                    &["a", "c", "d", "f", "m"],
                    "RV64ID lp64/lp64f",
                ),
                ("riscv64", "lp64f", &["d", "f"], "RV64ID lp64/lp64f"),
                ("riscv64", "lp64e", &["e", "m"], "RV64E lp64e"),
            ];
            for (arch, abiname, features, want) in cases {
                for abi in [Abi::RiscvInterruptM, Abi::RiscvInterruptS] {
                    assert_eq!(
                        selected_for(abi, arch, abiname, features),
                        [*want],
                        "{arch} {abiname} {features:?}"
                    );
                }
            }
        }

        #[test]
        fn every_variant_emits_every_shape() {
            for abi in Abi::ALL.into_iter().filter(|a| !a.body_is_entry()) {
                for variant in abi.variants() {
                    for error_code in [false, abi == Abi::X86Interrupt] {
                        for diverges in [false, true] {
                            for nested in [false, !abi.nests_natively()] {
                                let shape = Shape {
                                    error_code,
                                    diverges,
                                    nested,
                                    frame: abi.args() == Args::OptionalFrame,
                                    ..Shape::default()
                                };
                                let t = abi.emit(variant, shape).unwrap();
                                let calls = t.lines.iter().filter(|l| l.contains("{body}"));
                                assert_eq!(calls.count(), 1, "{abi:?} {variant:?} {shape:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(feature = "emit")]
pub use variants::{Variant, selected_ids};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for abi in Abi::ALL {
            assert_eq!(Abi::from_name(abi.name()), Some(abi));
        }
        assert_eq!(Abi::from_name("C"), None);
        assert_eq!(Abi::from_name("riscv-interrupt-u"), None);
    }
}
