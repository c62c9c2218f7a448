//! Mode downsampling on arbitrary small requests: never panics, refuses exactly the invalid
//! ones, and agrees with a naive per-voxel vote on the valid ones.
#![no_main]

use braid_core::downsample::{
    DownsampleError, MAX_FACTOR, Method, downsample, downsample_into, output_domain,
};
use braid_core::label::Label;
use libfuzzer_sys::fuzz_target;

#[path = "../../crates/braid-core/tests/reference/mode.rs"]
mod reference;
use reference::naive;

fuzz_target!(|data: &[u8]| {
    let Some((header, body)) = data.split_first_chunk::<12>() else { return };
    let flags = header[0];
    let shape = [header[1], header[2], header[3]].map(|b| usize::from(b % 10));
    // Factor 0 and MAX_FACTOR + 1 are reachable on purpose: they must be refused.
    let factors = [header[4], header[5], header[6]].map(|b| usize::from(b) % (MAX_FACTOR + 2));
    let mut origin = [header[7], header[8], header[9]].map(|b| i64::from(b as i8));
    if flags & 0x40 != 0 {
        // Near the ends of i64: overflow must be an error, not a wrap.
        origin[usize::from(header[10]) % 3] =
            if header[11] & 1 == 0 { i64::MAX - i64::from(header[11]) } else { i64::MIN };
    }
    let method = if flags & 1 == 0 { Method::Mode } else { Method::ModeNonzero };
    let n = shape.iter().product::<usize>();
    // Mostly exact lengths; sometimes one off to exercise the length check.
    let len = if flags & 0x80 != 0 { n + usize::from(header[10] & 1) } else { n };
    // A small alphabet forces ties and zeros; bit 2 spreads values over the high bits.
    let value = |i: usize| -> u64 {
        let b = body.get(i % body.len().max(1)).copied().unwrap_or(0);
        if flags & 4 == 0 { u64::from(b % 4) } else { u64::from(b).rotate_right(u32::from(b % 7) * 9) }
    };
    let values: Vec<u64> = (0..len).map(value).collect();
    if flags & 2 == 0 {
        check(&values, origin, shape, factors, method);
    } else {
        let narrow: Vec<u32> = values.iter().map(|&v| v as u32).collect();
        check(&narrow, origin, shape, factors, method);
    }
});

fn check<T: Label>(input: &[T], origin: [i64; 3], shape: [usize; 3], factors: [usize; 3], method: Method) {
    let fits = (0..3).all(|d| origin[d].checked_add(shape[d] as i64).is_some());
    let factors_ok = factors.iter().all(|&f| (1..=MAX_FACTOR).contains(&f));
    let result = downsample(input, origin, shape, factors, method);
    match result {
        Err(DownsampleError::InvalidFactor { .. }) => assert!(!factors_ok),
        Err(DownsampleError::InvalidDomain(_)) => assert!(!fits),
        Err(DownsampleError::LengthMismatch { .. }) => {
            assert_ne!(input.len(), shape.iter().product::<usize>())
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(got) => {
            assert!(fits && factors_ok && input.len() == shape.iter().product::<usize>());
            let domain = output_domain(origin, shape, factors).expect("valid request");
            assert_eq!((got.origin, got.shape), (domain.origin, domain.shape));
            let mut out = vec![T::default(); got.data.len()];
            assert_eq!(downsample_into(input, origin, shape, factors, method, &mut out), Ok(domain));
            assert_eq!(out, got.data);
            assert_eq!(got, naive(input, origin, shape, factors, method));
        }
    }
}
