//! Compile-fail and compile-pass tests of `#[interrupt]`, with the exact
//! diagnostics checked in. `TRYBUILD=overwrite` regenerates the `.stderr`
//! files; review them like code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
