//! The ABI strings `#[interrupt]` accepts and, per ABI, its target variants.

/// An interrupt calling convention, named as in rustc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Abi {
    X86Interrupt,
    RiscvInterruptM,
    RiscvInterruptS,
}

impl Abi {
    pub const ALL: [Abi; 3] = [
        Abi::X86Interrupt,
        Abi::RiscvInterruptM,
        Abi::RiscvInterruptS,
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
        }
    }

    /// The marker type under `interrupt_abi::abi`.
    pub fn marker(self) -> &'static str {
        match self {
            Abi::X86Interrupt => "X86Interrupt",
            Abi::RiscvInterruptM => "RiscvInterruptM",
            Abi::RiscvInterruptS => "RiscvInterruptS",
        }
    }

    /// `target_arch` values the ABI exists on.
    pub fn arches(self) -> &'static [&'static str] {
        match self {
            Abi::X86Interrupt => &["x86", "x86_64"],
            Abi::RiscvInterruptM | Abi::RiscvInterruptS => &["riscv32", "riscv64"],
        }
    }

    /// Arguments the handler takes, as a sentence for diagnostics.
    pub fn signature_help(self) -> &'static str {
        match self {
            Abi::X86Interrupt => {
                "`extern \"x86-interrupt\" fn NAME(frame: &InterruptStackFrame)` or \
                 `fn NAME(frame: &InterruptStackFrame, error_code: u64)` (`u32` on 32-bit x86), \
                 the frame may be `&mut`, returning `()` or `!`"
            }
            Abi::RiscvInterruptM | Abi::RiscvInterruptS => {
                "no arguments (read `mcause`/`scause` in the body), returning `()` or `!`"
            }
        }
    }

    /// Most arguments a handler of this ABI takes.
    pub fn max_args(self) -> usize {
        match self {
            Abi::X86Interrupt => 2,
            Abi::RiscvInterruptM | Abi::RiscvInterruptS => 0,
        }
    }

    /// Whether the CPU itself keeps enough state for nesting (x86 saves RIP
    /// and RFLAGS in the frame), which makes the `nested` option meaningless.
    pub fn nests_natively(self) -> bool {
        matches!(self, Abi::X86Interrupt)
    }
}

#[cfg(feature = "emit")]
mod variants {
    use super::Abi;
    use crate::convention::{Convention, EmitError, Entry, SaveSet, Shape, Trampoline};
    use crate::target::Cfg;
    use crate::{riscv, x86};

    /// A convention and the `cfg` predicate that selects it.
    #[derive(Debug, Clone, Copy)]
    pub struct Variant {
        pub cfg: Cfg,
        pub convention: &'static Convention,
    }

    const fn v(
        arch: &'static str,
        all: &'static [&'static str],
        none: &'static [&'static str],
        convention: &'static Convention,
    ) -> Variant {
        Variant {
            cfg: Cfg { arch, all, none },
            convention,
        }
    }

    // Vector extensions make v0-v31 caller-saved; we do not save them yet, so
    // such targets get a compile error rather than silent corruption.
    const X86: &[Variant] = &[
        v("x86_64", &[], &["sse"], &x86::X86_64_SOFT),
        v("x86_64", &["sse"], &["avx"], &x86::X86_64_SSE),
        v("x86_64", &["avx"], &["avx512f"], &x86::X86_64_AVX),
        v("x86", &["fxsr"], &["avx"], &x86::X86_FXSR),
        v("x86", &["x87"], &["fxsr", "sse"], &x86::X86_X87),
        v("x86", &[], &["x87", "fxsr", "sse"], &x86::X86_SOFT),
    ];
    const RISCV: &[Variant] = &[
        v("riscv32", &[], &["e", "f", "v", "zve32x"], &riscv::RV32I),
        v(
            "riscv32",
            &["f"],
            &["d", "e", "v", "zve32x"],
            &riscv::RV32IF,
        ),
        v("riscv32", &["d"], &["e", "v", "zve32x"], &riscv::RV32ID),
        v("riscv32", &["e"], &["f", "v", "zve32x"], &riscv::RV32E),
        v("riscv64", &[], &["f", "v", "zve32x"], &riscv::RV64I),
        v("riscv64", &["f"], &["d", "v", "zve32x"], &riscv::RV64IF),
        v("riscv64", &["d"], &["v", "zve32x"], &riscv::RV64ID),
    ];

    impl Abi {
        /// Every convention variant of the ABI, with mutually exclusive `cfg`s.
        pub fn variants(self) -> &'static [Variant] {
            match self {
                Abi::X86Interrupt => X86,
                Abi::RiscvInterruptM | Abi::RiscvInterruptS => RISCV,
            }
        }

        /// How the CPU enters a handler of this ABI.
        pub fn entry(self) -> Entry {
            match self {
                Abi::X86Interrupt => Entry::X86,
                Abi::RiscvInterruptM => Entry::RiscvMachine,
                Abi::RiscvInterruptS => Entry::RiscvSupervisor,
            }
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
                entry => riscv::emit(conv, entry, save, shape),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        extern crate std;
        use std::vec::Vec;

        /// Evaluates a `Cfg` against a feature set, as rustc would.
        fn selects(cfg: &Cfg, arch: &str, features: &[&str]) -> bool {
            cfg.arch == arch
                && cfg.all.iter().all(|f| features.contains(f))
                && !cfg.none.iter().any(|f| features.contains(f))
        }

        fn selected(abi: Abi, arch: &str, features: &[&str]) -> Vec<&'static str> {
            abi.variants()
                .iter()
                .filter(|v| selects(&v.cfg, arch, features))
                .map(|v| v.convention.name)
                .collect()
        }

        #[test]
        fn real_targets_select_exactly_one_variant() {
            // Feature sets as `rustc --print cfg` reports them (rustc 1.96).
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
        }

        #[test]
        fn every_variant_emits_every_shape() {
            for abi in Abi::ALL {
                for variant in abi.variants() {
                    for error_code in [false, abi == Abi::X86Interrupt] {
                        for diverges in [false, true] {
                            for nested in [false, abi != Abi::X86Interrupt] {
                                let shape = Shape {
                                    error_code,
                                    diverges,
                                    nested,
                                };
                                let t = abi.emit(variant, shape).unwrap();
                                assert_eq!(
                                    t.lines.iter().filter(|l| *l == "call {body}").count(),
                                    1
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(feature = "emit")]
pub use variants::Variant;

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
