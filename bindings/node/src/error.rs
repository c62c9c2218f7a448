//! braid-core errors → JS errors whose message starts with the stable code.

/// Shorthand for fallible core calls: `"[CODE] message"` errors.
pub(crate) trait OrJs<T> {
    fn or_js(self) -> napi::Result<T>;
}

impl<T, E: Into<braid_core::Error>> OrJs<T> for Result<T, E> {
    fn or_js(self) -> napi::Result<T> {
        self.map_err(|e| {
            let e: braid_core::Error = e.into();
            napi::Error::new(napi::Status::GenericFailure, format!("[{}] {e}", e.code()))
        })
    }
}

/// Every code a core error can carry (`braid_core::ERROR_CODES`).
#[napi_derive::napi]
pub fn error_codes() -> Vec<String> {
    braid_core::boundary::error_codes()
}
