//! Off-main-thread execution on the libuv pool. Inputs are copied before the task starts:
//! JS may mutate a typed array at any time, so borrowing it across threads would race.

use napi::bindgen_prelude::{BigUint64Array, Uint8Array, Uint32Array};
use napi::{Env, Task};

type Job<T> = Box<dyn FnOnce() -> napi::Result<T> + Send>;

macro_rules! typed_task {
    ($(#[$doc:meta])* $name:ident, $out:ty, $js:ty, $wrap:expr) => {
        $(#[$doc])*
        pub struct $name(Option<Job<$out>>);

        impl $name {
            pub(crate) fn new(job: impl FnOnce() -> napi::Result<$out> + Send + 'static) -> Self {
                $name(Some(Box::new(job)))
            }
        }

        impl Task for $name {
            type Output = $out;
            type JsValue = $js;

            fn compute(&mut self) -> napi::Result<$out> {
                let job = self.0.take().ok_or_else(|| napi::Error::from_reason("task already ran"))?;
                job()
            }

            fn resolve(&mut self, _env: Env, output: $out) -> napi::Result<$js> {
                Ok($wrap(output))
            }
        }
    };
}

typed_task!(
    /// Resolves to a `Uint8Array` or `null`.
    BytesTask,
    Option<Vec<u8>>,
    Option<Uint8Array>,
    |o: Option<Vec<u8>>| o.map(Uint8Array::new)
);
typed_task!(
    /// Resolves to a `Uint32Array`.
    WordsTask,
    Vec<u32>,
    Uint32Array,
    Uint32Array::new
);
typed_task!(
    /// Resolves to a `BigUint64Array`.
    LabelsTask,
    Vec<u64>,
    BigUint64Array,
    BigUint64Array::new
);
typed_task!(
    /// Resolves to a decoded volume.
    VolumeTask,
    (Vec<u64>, [usize; 3]),
    crate::codec::DecodedVolume,
    crate::codec::DecodedVolume::from
);
