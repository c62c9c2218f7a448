//! braid-core errors → JS `Error`s whose message starts with the stable code.

use wasm_bindgen::JsError;

/// Shorthand for fallible core calls: `"[CODE] message"` errors.
pub(crate) trait OrJs<T> {
    fn or_js(self) -> Result<T, JsError>;
}

impl<T, E: Into<braid_core::Error>> OrJs<T> for Result<T, E> {
    fn or_js(self) -> Result<T, JsError> {
        self.map_err(|e| {
            let e: braid_core::Error = e.into();
            JsError::new(&format!("[{}] {e}", e.code()))
        })
    }
}

/// Every code a core error can carry (`braid_core::ERROR_CODES`).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    braid_core::boundary::error_codes()
}
