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
}
