//! Compile-time selection of a convention variant.
//!
//! A proc macro cannot see the target it expands for, so the macro emits one
//! trampoline per variant, each under the `cfg` predicate written here, plus a
//! `compile_error!` under the negation of all of them.

use core::fmt;

/// `all(target_arch = ARCH, target_feature = ALL.., not(target_feature = NONE..))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cfg {
    pub arch: &'static str,
    pub all: &'static [&'static str],
    pub none: &'static [&'static str],
}

impl fmt::Display for Cfg {
    /// Renders the predicate in `#[cfg(..)]` syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "all(target_arch = \"{}\"", self.arch)?;
        for feature in self.all {
            write!(f, ", target_feature = \"{feature}\"")?;
        }
        for feature in self.none {
            write!(f, ", not(target_feature = \"{feature}\")")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn renders_cfg_syntax() {
        let cfg = Cfg {
            arch: "riscv32",
            all: &["f"],
            none: &["d", "e"],
        };
        assert_eq!(
            cfg.to_string(),
            "all(target_arch = \"riscv32\", target_feature = \"f\", \
             not(target_feature = \"d\"), not(target_feature = \"e\"))"
        );
    }
}
