//! Links with `link.ld` and tells the program its target triple and ARM
//! features (`cfg(arm_v6)`, ..., see `../arm-common/target_features.rs`).

include!("../link_script.rs");
include!("../arm-common/target_features.rs");

fn main() {
    link_with_own_script();
    println!("cargo:rerun-if-changed=../arm-common/target_features.rs");
    emit_arm_cfgs();
}
