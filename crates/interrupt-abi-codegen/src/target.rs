//! Target predicates that select a convention variant.
//!
//! A proc macro cannot see the target it expands for, and stable rustc hides
//! most of the target features that decide the convention (`f`, `d`, `e` on
//! RISC-V, `mclass`, `fpregs`, `d32`, `v6` on ARM, `x87`) from `cfg`. So the
//! runtime crate's build script evaluates these predicates against the
//! compiler's full feature list for the target, and the macro emits one
//! trampoline per variant for the runtime crate to choose from.
//!
//! Features alone do not decide a convention where the target's float ABI
//! can differ from its hardware (RISC-V `ilp32` with `+d` treats every FP
//! register as caller-saved; `ilp32d` keeps fs0-fs11): the predicate also
//! names the ABIs it fits, as the target spec's `llvm-abiname` spells them.

/// `all(target_arch = ARCH, target_feature = ALL.., not(target_feature = NONE..))`,
/// on a target whose `llvm-abiname` is one of `ABI` (any if `ABI` is empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cfg {
    pub arch: &'static str,
    pub all: &'static [&'static str],
    pub none: &'static [&'static str],
    pub abi: &'static [&'static str],
}

impl Cfg {
    /// Whether a target with `arch`, `llvm-abiname` `abi` and `features`
    /// satisfies the predicate.
    pub fn matches(&self, arch: &str, abi: &str, features: &[&str]) -> bool {
        self.arch == arch
            && (self.abi.is_empty() || self.abi.contains(&abi))
            && self.all.iter().all(|f| features.contains(f))
            && !self.none.iter().any(|f| features.contains(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_and_none_features_decide() {
        let cfg = Cfg {
            arch: "riscv32",
            all: &["f"],
            none: &["d", "e"],
            abi: &[],
        };
        assert!(cfg.matches("riscv32", "ilp32f", &["m", "f"]));
        assert!(!cfg.matches("riscv32", "ilp32f", &["f", "d"]));
        assert!(!cfg.matches("riscv32", "ilp32f", &["m"]));
        assert!(!cfg.matches("riscv64", "lp64f", &["f"]));
    }

    #[test]
    fn listed_abis_restrict_and_an_empty_list_allows_any() {
        let any = Cfg {
            arch: "riscv32",
            all: &["f"],
            none: &[],
            abi: &[],
        };
        let hard = Cfg {
            abi: &["ilp32f"],
            ..any
        };
        assert!(any.matches("riscv32", "ilp32", &["f"]));
        assert!(hard.matches("riscv32", "ilp32f", &["f"]));
        assert!(!hard.matches("riscv32", "ilp32", &["f"]));
        assert!(!hard.matches("riscv32", "", &["f"]));
    }
}
