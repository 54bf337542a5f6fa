//! Links with `link.ld` and tells the program its target and whether the
//! hart has an FPU.

use std::env;

include!("../link_script.rs");

fn main() {
    link_with_own_script();
    let target = env::var("TARGET").unwrap();

    // `cfg(fpu)`: an RV64 target with the D extension, so the torture loop
    // also checks f0-f31 and fcsr (moving them through 64-bit registers). Decided from the triple as well as from
    // `target_feature`: a stable rustc hides the (unstable) `d` feature from
    // `cfg`, and a torture that silently skipped the FPU would prove nothing.
    println!("cargo::rustc-check-cfg=cfg(fpu)");
    let features = env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let isa = target.split('-').next().unwrap_or_default();
    let isa_letters = isa
        .trim_start_matches("riscv32")
        .trim_start_matches("riscv64");
    let has_d = features.split(',').any(|f| f == "d") || isa_letters.contains(['g', 'd']);
    if isa.starts_with("riscv64") && has_d {
        println!("cargo:rustc-cfg=fpu");
    }
}
