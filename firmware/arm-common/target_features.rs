// Shared by the build scripts of `arm-common`, `arm-versatile` and
// `armv7-gic` (`include!`d): tells the code which ARM features its target
// has, as `cfg(arm_v6)`, `cfg(arm_fpregs)`, ...
//
// Stable rustc hides most ARM features (`v6`, `v7`, `fpregs`, `d32`,
// `thumb2`, ...) from `cfg(target_feature)`. The compiler knows them: ask it
// with `--print cfg` and `RUSTC_BOOTSTRAP=1` (printing only; nothing is
// compiled with unstable features), as `crates/interrupt-abi/build.rs`
// does. A firmware that silently skipped its VFP torture or its ARMv6
// scenario would prove nothing, so the answer must not depend on whether the
// build happens to run on a nightly-capable compiler.

/// The features the firmware asks about; `thumb-mode` becomes
/// `cfg(arm_thumb_mode)`.
const ARM_FEATURES: &[&str] = &["v5te", "v6", "v7", "thumb2", "thumb-mode", "fpregs", "d32"];

fn emit_arm_cfgs() {
    let target = std::env::var("TARGET").unwrap();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--print", "cfg", "--target", &target])
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("rustc runs");
    assert!(out.status.success(), "rustc --print cfg failed");
    let cfg = String::from_utf8_lossy(&out.stdout);
    for feature in ARM_FEATURES {
        let name = format!("arm_{}", feature.replace('-', "_"));
        println!("cargo::rustc-check-cfg=cfg({name})");
        if cfg.lines().any(|l| l == format!("target_feature=\"{feature}\"")) {
            println!("cargo:rustc-cfg={name}");
        }
    }
}
