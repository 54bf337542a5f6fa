//! Target predicates that select a convention variant.
//!
//! A proc macro cannot see the target it expands for, and stable rustc hides
//! most of the target features that decide the convention (`f`, `d`, `e` on
//! RISC-V, `mclass`, `fpregs`, `d32`, `v6` on ARM, `x87`) from `cfg`. So the
//! runtime crate's build script evaluates these predicates against the
//! compiler's full feature list for the target, and the macro emits one
//! trampoline per variant for the runtime crate to choose from.

/// `all(target_arch = ARCH, target_feature = ALL.., not(target_feature = NONE..))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cfg {
    pub arch: &'static str,
    pub all: &'static [&'static str],
    pub none: &'static [&'static str],
}

impl Cfg {
    /// Whether a target with `arch` and `features` satisfies the predicate.
    pub fn matches(&self, arch: &str, features: &[&str]) -> bool {
        self.arch == arch
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
        };
        assert!(cfg.matches("riscv32", &["m", "f"]));
        assert!(!cfg.matches("riscv32", &["f", "d"]));
        assert!(!cfg.matches("riscv32", &["m"]));
        assert!(!cfg.matches("riscv64", &["f"]));
    }
}
