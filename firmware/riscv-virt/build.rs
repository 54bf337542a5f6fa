//! Links with `link.ld` and tells the program its target and whether the
//! hart has an FPU.

use std::env;

include!("../link_script.rs");
include!("../riscv_features.rs");

fn main() {
    link_with_own_script();
    let target = env::var("TARGET").unwrap();

    // `cfg(fpu)`: an RV64 target with the D extension, so the torture loop
    // also checks f0-f31 and fcsr (moving them through 64-bit registers).
    println!("cargo::rustc-check-cfg=cfg(fpu)");
    println!("cargo:rerun-if-changed=../riscv_features.rs");
    if target.starts_with("riscv64") && riscv_has_d(&target) {
        println!("cargo:rustc-cfg=fpu");
    }

    // `cfg(soft_float_abi)`: D enabled by `-C target-feature` on a target
    // whose float ABI is `lp64` (no `d` or `g` in the triple; flags do not
    // change the ABI). Its code may clobber fs0-fs11 too, so the handler
    // bodies do.
    println!("cargo::rustc-check-cfg=cfg(soft_float_abi)");
    let isa = target.split('-').next().unwrap_or_default();
    let abi_has_d = isa.trim_start_matches("riscv64").contains(['g', 'd']);
    if target.starts_with("riscv64") && riscv_has_d(&target) && !abi_has_d {
        println!("cargo:rustc-cfg=soft_float_abi");
    }
}
