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

/// The string value of `"key"` in a target spec as `rustc -Z unstable-options
/// --print target-spec-json` prints it (flat, no escaped quotes in values).
pub fn spec_value<'a>(spec: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = spec;
    while let Some(at) = rest.find(key) {
        let (before, after) = (&rest[..at], &rest[at + key.len()..]);
        if before.ends_with('"') && after.starts_with('"') {
            let value = after[1..].trim_start().strip_prefix(':')?.trim_start();
            let value = value.strip_prefix('"')?;
            return Some(&value[..value.find('"')?]);
        }
        rest = after;
    }
    None
}

/// Whether a target compiles floating point to library calls and so never
/// touches an FP register. x86 specs say it only here (`+soft-float` in
/// `features`, `rustc-abi` `x86-softfloat`): rustc does not print it as a
/// `target_feature`, while ARM targets do.
pub fn spec_is_soft_float(spec: &str) -> bool {
    spec_value(spec, "rustc-abi").is_some_and(|abi| abi.contains("softfloat"))
        || spec_value(spec, "features").is_some_and(|f| f.split(',').any(|f| f == "+soft-float"))
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

    #[test]
    fn spec_values_and_soft_float() {
        let uefi = r#"{
  "arch": "x86",
  "features": "-mmx,-sse,+soft-float",
  "rustc-abi": "x86-softfloat"
}"#;
        assert_eq!(spec_value(uefi, "arch"), Some("x86"));
        assert_eq!(spec_value(uefi, "llvm-abiname"), None);
        assert!(spec_is_soft_float(uefi));
        let riscv = r#"{"arch": "riscv64", "features": "+m,+a,+f,+d,+c", "llvm-abiname": "lp64d"}"#;
        assert_eq!(spec_value(riscv, "llvm-abiname"), Some("lp64d"));
        assert!(!spec_is_soft_float(riscv));
    }
}
