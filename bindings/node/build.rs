//! Generates the napi registration glue.
fn main() {
    napi_build::setup();
}
