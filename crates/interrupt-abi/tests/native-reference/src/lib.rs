//! Reference point for `interrupt-abi`'s host test: the same register
//! torture (`../support/`, shared by `#[path]`) run against rustc's own
//! nightly-only `extern "x86-interrupt"` ABI. The tests are in `tests/`;
//! this library is empty and exists because a package needs a target.
#![no_std]
