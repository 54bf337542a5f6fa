// Shared by the build scripts of `riscv-virt` and `bench/` (`include!`d).
//
// Whether the RISC-V target `target` has the D extension. It is read from
// the triple (`riscv64gc`, `...d...`) as well as from `target_feature`,
// because a stable rustc hides the (unstable) `d` feature from `cfg`, and
// FP state left out of a check would pass silently.
fn riscv_has_d(target: &str) -> bool {
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let isa = target.split('-').next().unwrap_or_default();
    let letters = isa
        .trim_start_matches("riscv32")
        .trim_start_matches("riscv64");
    isa.starts_with("riscv")
        && (features.split(',').any(|f| f == "d") || letters.contains(['g', 'd']))
}
