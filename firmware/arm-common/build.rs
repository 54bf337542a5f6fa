//! Tells the library its target's ARM features (see `target_features.rs`).

include!("target_features.rs");

fn main() {
    println!("cargo:rerun-if-changed=target_features.rs");
    emit_arm_cfgs();
}
