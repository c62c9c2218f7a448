//! Mode downsampling against docs/formats/downsampling.md §4.5, TensorStore digests of real DVID volumes and
//! a naive sort-and-count reference.

mod common;
#[path = "reference/mode.rs"]
mod reference;

use reference::naive;

use braid_core::compress::gunzip;
use braid_core::downsample::{
    Domain, DownsampleError, Downsampled, MAX_FACTOR, Method, downsample, downsample_into, output_domain,
};
use braid_core::label::Label;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const BOTH: [Method; 2] = [Method::Mode, Method::ModeNonzero];

fn run<T: Label>(
    input: &[T],
    origin: [i64; 3],
    shape: [usize; 3],
    f: [usize; 3],
    m: Method,
) -> Downsampled<T> {
    downsample(input, origin, shape, f, m).unwrap()
}

// ---- downsampling.md §4.5 -------------------------------------------------------------------

#[test]
fn one_dimensional_factor_four() {
    for m in BOTH {
        let d = run(&[100u64, 99, 99, 99, 3, 3, 2, 2], [0; 3], [8, 1, 1], [4, 1, 1], m);
        assert_eq!(d.data, [99, 2], "tie 3 vs 2 goes to 2 ({m:?})");
        let d = run(&[100u32, 99, 99, 99, 3, 3, 2], [0; 3], [7, 1, 1], [4, 1, 1], m);
        assert_eq!((d.data, d.origin, d.shape), (vec![99, 3], [0; 3], [2, 1, 1]));
    }
}

#[test]
fn two_dimensional_example_with_origin() {
    // TS dims (3 rows, 5 columns) at origin (3, 8), factors (2, 3): columns are x, rows y.
    let rows: [u64; 15] = [1, 2, 3, 3, 5, 6, 4, 5, 5, 10, 11, 6, 6, 6, 15];
    for m in BOTH {
        let d = run(&rows, [8, 3, 0], [5, 3, 1], [3, 2, 1], m);
        assert_eq!(d.origin, [2, 1, 0]);
        assert_eq!(d.shape, [3, 2, 1]);
        assert_eq!(d.data, [1, 3, 5, 6, 6, 10]);
    }
}

#[test]
fn eight_voxel_windows_ts_vs_dvid() {
    let table: [([u64; 8], u64, u64); 5] = [
        ([0, 0, 0, 0, 0, 7, 7, 7], 0, 7),
        ([0, 0, 0, 0, 7, 7, 7, 7], 0, 7),
        ([7, 0, 0, 0, 0, 0, 0, 0], 0, 7),
        ([5, 5, 9, 9, 3, 3, 8, 8], 3, 3),
        ([2, 2, 1, 1, 1, 2, 0, 0], 1, 1),
    ];
    for (window, ts, dvid) in table {
        // Every permutation of positions must give the same winner; rotations cover the
        // pairing of values into x-pairs and rows.
        for rot in 0..8 {
            let mut w = window;
            w.rotate_left(rot);
            assert_eq!(run(&w, [0; 3], [2, 2, 2], [2; 3], Method::Mode).data, [ts], "{w:?}");
            assert_eq!(run(&w, [0; 3], [2, 2, 2], [2; 3], Method::ModeNonzero).data, [dvid], "{w:?}");
            let w32 = w.map(|v| v as u32);
            assert_eq!(run(&w32, [0; 3], [2, 2, 2], [2; 3], Method::Mode).data, [ts as u32]);
            assert_eq!(run(&w32, [0; 3], [2, 2, 2], [2; 3], Method::ModeNonzero).data, [dvid as u32]);
        }
    }
}

#[test]
fn three_by_two_by_two_volume() {
    // Per x-plane (y0z0, y0z1, y1z0, y1z1): x=0 1,1,1,2; x=1 2,2,2,1; x=2 3,4,4,4.
    let planes = [[1u64, 1, 1, 2], [2, 2, 2, 1], [3, 4, 4, 4]];
    let mut v = vec![0u64; 12];
    for (x, p) in planes.iter().enumerate() {
        for (k, &val) in p.iter().enumerate() {
            let (y, z) = (k / 2, k % 2);
            v[x + 3 * (y + 2 * z)] = val;
        }
    }
    for m in BOTH {
        let d = run(&v, [0; 3], [3, 2, 2], [2; 3], m);
        assert_eq!((d.data, d.shape), (vec![1, 4], [2, 1, 1]));
    }
}

#[test]
fn pyramid_sizes() {
    for (s, expect) in [(94088, 47044), (78317, 39159), (134576, 67288), (7, 4), (1, 1)] {
        assert_eq!(output_domain([0; 3], [s, 1, 1], [2; 3]).unwrap().shape[0], expect);
    }
}

// ---- Real DVID volumes vs TensorStore 0.1.86 ----------------------------------------------

fn fib19(name: &str) -> Vec<u64> {
    let path = format!("fib19-64x64x64-{name}.dat.gz");
    let raw = gunzip(&common::read_dvid_data(&path)).unwrap();
    assert_eq!(raw.len(), 64 * 64 * 64 * 8);
    raw.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
}

fn crop<T: Copy>(v: &[T], s: [usize; 3]) -> Vec<T> {
    braid_core::volume::crop(v, [64; 3], s).unwrap()
}

fn sha_u64(v: &[u64]) -> String {
    hex(Sha256::digest(v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>()))
}

fn sha_u32(v: &[u32]) -> String {
    hex(Sha256::digest(v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>()))
}

fn hex(d: impl AsRef<[u8]>) -> String {
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// (origin, input shape, factors, output origin, output shape, TS sha256 u64, TS sha256 u32)
/// for each sample; produced by `test/oracle/downsample_reference.py` (u32 = labels mod 2³²).
type Case = ([i64; 3], [usize; 3], [usize; 3], [i64; 3], [usize; 3], &'static str, &'static str);

const SAMPLE1: [Case; 7] = [
    (
        [0, 0, 0],
        [64; 3],
        [2, 2, 2],
        [0, 0, 0],
        [32, 32, 32],
        "3b19b4440d872cdf66790a765eb5ab964dbff3c263e33786fddf63bc94df6d45",
        "7d9e2889a0f9023540ac6f9b157557af2833993dc844cecb5a61885bec5c8da4",
    ),
    (
        [0, 0, 0],
        [63; 3],
        [2, 2, 2],
        [0, 0, 0],
        [32, 32, 32],
        "8f297c85f004d7fc70930f5fc4a25ab948ec7b8b94129daf1bb7e9445c2f2405",
        "2b6db296543e493df0c938256a153b2d252a57ac200239c7b38532a04c986b2c",
    ),
    (
        [1, -3, 5],
        [64; 3],
        [2, 2, 2],
        [0, -2, 2],
        [33, 33, 33],
        "cc186a729f5ef463a843674a0cfc328719f0397c30abd33977347e6237a15e63",
        "6b6efff4b09db5a2dd944cdbcc698089469d0a1671e3e81e909d1bd9d5ac1df9",
    ),
    (
        [-7, 2, 3],
        [64; 3],
        [3, 4, 2],
        [-3, 0, 1],
        [22, 17, 33],
        "f40e31e3b390426a5b14d96215269ba79e2044200679cd14bd6c5d664f1f376c",
        "8675d32b8682c0047462b467dc8d1682156cfebb02289c92ca8c6929bc59518d",
    ),
    (
        [2, 1, 3],
        [61, 64, 62],
        [4, 4, 4],
        [0, 0, 0],
        [16, 17, 17],
        "01bbae9427b15809fc4a53110c60bb21f45d75c120d6797ea1d1322645f9165d",
        "d758bf505aab182f92a3d58e953979bfd0a2e9ccf9a4776f98a97b355d0e3bdf",
    ),
    (
        [5, 0, -1],
        [64; 3],
        [2, 2, 1],
        [2, 0, -1],
        [33, 32, 64],
        "b48929e66144bbf6fb400bd4e0ec67d57b279b7bf3a709592708b2d137d7c918",
        "173894a36249f9695f04eaad4521fe27e84ca1969fc5911633b30ab9e923871b",
    ),
    (
        [0, 0, 0],
        [64; 3],
        [1, 3, 2],
        [0, 0, 0],
        [64, 22, 32],
        "da3b13391233ba1f2f911349f168b159196e9508a0e0d62a060ea43bccaec83d",
        "34ac8ad06d67d112a19fdfea4d86ffddc2d6d9143d90c608862b763158d870a6",
    ),
];

const SAMPLE2: [(&str, &str); 7] = [
    (
        "0975e15948431ebb61262a6f5a1600e20a20cb2d90b3fa5ccf4971aa94ae8f21",
        "abf53d10bec1b6a53653261cfcd5f6959da1e750db023435d9683f0cc28f58bd",
    ),
    (
        "a4b33fa581e804366e6f3d458e759adb593c96b8c29b14472de9650dbb03919d",
        "97aeb99a3955a70553ed5703968d28add1244caf008dfac70a1147c9b9fd3803",
    ),
    (
        "a1d5d5d66fae70f7dd9a0fba5c4dae1fdd07817b13f917754a52fbde0414903a",
        "1608aeb44d0c683a991b98d068dcc31250a54b99c0d2f0dde03d23747c59263a",
    ),
    (
        "f4c8dfe32e5d4ab6bbd894f8f4c18f813aa23a5ce585e50277965695239672e6",
        "f0d6e4a19fe8fa8fc937634b9ba3b8d16b9387d77def37cf5ec80f68d8cb79b5",
    ),
    (
        "7736a1fcf3eb39cea9aaa5f72be97e695d96178d70b40dbd679e9deed8db4af0",
        "9d868ab9bb958d79a2b69ec7efbdd35d9a57256837fd8b19bd7549c6510eeb7e",
    ),
    (
        "c9f3efba54275178167938eb79606e282a412ad2cde7af96c8acc077026b9f0d",
        "da07f6fea525e459bada3fd065bcacdd2b20c5ca9cebd9d80ebc37a8d232373b",
    ),
    (
        "b2436971020c00f7ba91e802b426c5f5634579c8b0dae42bc8a1eb16ed29bb22",
        "2f8305561fd4966a0be18983d53d57b71cfc42ff279d47dcc63be4309822f03d",
    ),
];

fn check_against_tensorstore(volume: &[u64], cases: impl Iterator<Item = Case>) {
    for (origin, shape, f, out_origin, out_shape, sha64, sha32) in cases {
        let v64 = crop(volume, shape);
        let v32: Vec<u32> = v64.iter().map(|&x| x as u32).collect();
        // These volumes have no zeros, so DVID's rule must agree with TensorStore's.
        for m in BOTH {
            let d = run(&v64, origin, shape, f, m);
            assert_eq!((d.origin, d.shape), (out_origin, out_shape), "{origin:?} {shape:?} {f:?}");
            assert_eq!(sha_u64(&d.data), sha64, "u64 {origin:?} {shape:?} {f:?} {m:?}");
            let d = run(&v32, origin, shape, f, m);
            assert_eq!(sha_u32(&d.data), sha32, "u32 {origin:?} {shape:?} {f:?} {m:?}");
        }
    }
}

#[test]
fn fib19_sample1_matches_tensorstore() {
    check_against_tensorstore(&fib19("sample1"), SAMPLE1.into_iter());
}

#[test]
fn fib19_sample2_matches_tensorstore() {
    let cases = SAMPLE1.into_iter().zip(SAMPLE2).map(|(c, (a, b))| (c.0, c.1, c.2, c.3, c.4, a, b));
    check_against_tensorstore(&fib19("sample2"), cases);
}

#[test]
fn fib19_with_background_matches_tensorstore_and_dvid_rule() {
    // The label of voxel 0 becomes background, so zeros vote (TS) or abstain (DVID).
    let expected = [
        (
            "sample1",
            "4fdb9d3ceb228daa48b7a6917669b77929cc60b887a28a125805873350d0a8f1",
            "e2db954668e872331917ce6e648b746dfc0692a3d4af67c7bb9be091335bcf30",
        ),
        (
            "sample2",
            "e059c363e28ce449e3ad27b1fbbd3c2bafd94519429f31f136976b279d59d30f",
            "1a4b34091e4996f109924cd9d323e4ef03d7b82acd883aa0cbcbc8c837950711",
        ),
    ];
    for (name, at_zero, at_odd) in expected {
        let mut v = fib19(name);
        let bg = v[0];
        v.iter_mut().filter(|x| **x == bg).for_each(|x| *x = 0);
        for (origin, sha) in [([0, 0, 0], at_zero), ([1, -3, 5], at_odd)] {
            let ts = run(&v, origin, [64; 3], [2; 3], Method::Mode);
            assert_eq!(sha_u64(&ts.data), sha, "{name} {origin:?}");
            let dvid = run(&v, origin, [64; 3], [2; 3], Method::ModeNonzero);
            assert_eq!(dvid, naive(&v, origin, [64; 3], [2; 3], Method::ModeNonzero));
            assert_ne!(dvid.data, ts.data, "background must lose somewhere under the DVID rule");
            assert!(
                dvid.data.iter().filter(|x| **x == 0).count() < ts.data.iter().filter(|x| **x == 0).count()
            );
        }
    }
}

/// Inputs past the kernel's streaming threshold (4 MiB) take its two-pass row kernel: blobs of
/// a few labels with noise, odd sizes and every phase, against the naive reference.
#[test]
fn volumes_streamed_from_memory_match_the_reference() {
    let shape = [131, 67, 61]; // 535,697 voxels: 4.1 MiB of u64
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let v: Vec<u64> = (0..shape.iter().product::<usize>())
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let (x, y, z) = (i % shape[0], i / shape[0] % shape[1], i / (shape[0] * shape[1]));
            let blob = (x / 11 + 3 * (y / 7) + 5 * (z / 5)) as u64 % 4;
            if state % 16 == 0 { state % 3 } else { blob * 1_000_003 }
        })
        .collect();
    assert!(std::mem::size_of_val(&v[..]) > 4 << 20);
    let wide: Vec<u32> = v.iter().flat_map(|&x| [x as u32, x as u32]).collect();
    for origin in [[0, 0, 0], [1, -1, 3], [-3, 2, -5]] {
        for f in [[2, 2, 2], [2, 2, 1], [1, 2, 2], [2, 1, 1]] {
            for m in BOTH {
                assert_eq!(
                    run(&v, origin, shape, f, m),
                    naive(&v, origin, shape, f, m),
                    "u64 {origin:?} {f:?} {m:?}"
                );
            }
        }
        // u32 at twice the x extent to cross the same byte threshold.
        let s32 = [2 * shape[0], shape[1], shape[2]];
        let m = Method::Mode;
        assert_eq!(
            run(&wide, origin, s32, [2; 3], m),
            naive(&wide, origin, s32, [2; 3], m),
            "u32 {origin:?}"
        );
    }
}

// ---- Domains, slabs, errors -----------------------------------------------------------------

#[test]
fn odd_shapes_and_origins_match_the_reference() {
    let v: Vec<u64> = (0..7 * 5 * 9).map(|i: u64| (i * 2_654_435_761) % 5).collect();
    for origin in [[0, 0, 0], [1, 1, 1], [-1, -2, -3], [-7, 3, 5], [5, -5, 2]] {
        for f in [[2, 2, 2], [3, 1, 4], [4, 4, 4], [1, 1, 1], [2, 3, 1]] {
            for m in BOTH {
                let got = run(&v, origin, [7, 5, 9], f, m);
                assert_eq!(got, naive(&v, origin, [7, 5, 9], f, m), "{origin:?} {f:?} {m:?}");
            }
        }
    }
}

#[test]
fn factor_one_is_the_identity() {
    let v: Vec<u32> = (0..60).collect();
    for m in BOTH {
        let d = run(&v, [-3, 4, 11], [5, 4, 3], [1, 1, 1], m);
        assert_eq!((d.data, d.origin, d.shape), (v.clone(), [-3, 4, 11], [5, 4, 3]));
    }
}

#[test]
fn empty_inputs_give_empty_outputs() {
    for shape in [[0, 4, 4], [4, 0, 4], [4, 4, 0], [0, 0, 0]] {
        let d = run::<u64>(&[], [3, 3, 3], shape, [2; 3], Method::Mode);
        assert!(d.data.is_empty());
        assert_eq!(d.origin, [1, 1, 1]);
        assert_eq!(d.shape, shape.map(|s| if s == 0 { 0 } else { 3 }));
    }
}

#[test]
fn slabs_concatenate_to_the_whole() {
    let v = fib19("sample2");
    let v: Vec<u64> = v.iter().map(|x| x % 3).collect();
    let origin = [3, -1, 0];
    let whole = run(&v, origin, [64; 3], [2; 3], Method::Mode);
    let mut out = vec![u64::MAX; whole.data.len()];
    let plane_out = whole.shape[0] * whole.shape[1];
    for slab in 0..4 {
        let input = &v[slab * 16 * 4096..(slab + 1) * 16 * 4096];
        let dst = &mut out[slab * 8 * plane_out..(slab + 1) * 8 * plane_out];
        let dom = downsample_into(input, [3, -1, slab as i64 * 16], [64, 64, 16], [2; 3], Method::Mode, dst)
            .unwrap();
        assert_eq!(dom, Domain { origin: [1, -1, slab as i64 * 8], shape: [33, 33, 8] });
    }
    assert_eq!(out, whole.data);
}

#[test]
fn bad_requests_are_typed_errors() {
    let v = vec![0u64; 8];
    let e = downsample(&v, [0; 3], [2; 3], [2, 2, MAX_FACTOR + 1], Method::Mode).unwrap_err();
    assert_eq!(e, DownsampleError::InvalidFactor { axis: 2, factor: 5 });
    let e = downsample(&v, [0; 3], [2; 3], [0, 2, 2], Method::Mode).unwrap_err();
    assert_eq!(e, DownsampleError::InvalidFactor { axis: 0, factor: 0 });
    let e = downsample(&v, [0; 3], [2, 2, 3], [2; 3], Method::Mode).unwrap_err();
    assert_eq!(e, DownsampleError::LengthMismatch { what: "input", len: 8, expected: 12 });
    let e = downsample(&v, [i64::MAX, 0, 0], [2; 3], [2; 3], Method::Mode).unwrap_err();
    assert!(matches!(e, DownsampleError::InvalidDomain(_)));
    let e = downsample(&v, [0; 3], [1 << 20, 1 << 20, 2], [2; 3], Method::Mode).unwrap_err();
    assert!(matches!(e, DownsampleError::InvalidDomain(_)), "{e}");
    let mut out = vec![0u64; 2];
    let e = downsample_into(&v, [0; 3], [2; 3], [2; 3], Method::Mode, &mut out).unwrap_err();
    assert_eq!(e, DownsampleError::LengthMismatch { what: "output", len: 2, expected: 1 });
    for e in [e, DownsampleError::InvalidFactor { axis: 0, factor: 9 }] {
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        assert_eq!(braid_core::Error::from(e).code(), "INVALID_ARGUMENT");
    }
}

// ---- Property: the fast kernels equal the naive reference ---------------------------------

/// Labels from a tiny alphabet (many ties and zeros) or spread over the whole range (the
/// high bit exercises unsigned order).
fn values(n: usize) -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        proptest::collection::vec(0u64..3, n),
        proptest::collection::vec(
            prop_oneof![Just(0u64), Just(1), Just(u64::MAX), Just(1 << 63), any::<u64>()],
            n
        ),
    ]
}

fn request() -> impl Strategy<Value = ([i64; 3], [usize; 3], [usize; 3], Vec<u64>)> {
    (
        proptest::array::uniform3(-9i64..9),
        (0usize..19, 0usize..7, 0usize..7),
        proptest::array::uniform3(1usize..=MAX_FACTOR),
    )
        .prop_flat_map(|(origin, (sx, sy, sz), f)| {
            values(sx * sy * sz).prop_map(move |v| (origin, [sx, sy, sz], f, v))
        })
}

fn twos_biased() -> impl Strategy<Value = [usize; 3]> {
    prop_oneof![
        Just([2, 2, 2]),
        Just([2, 2, 1]),
        Just([2, 1, 1]),
        proptest::array::uniform3(1usize..=MAX_FACTOR)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn fast_kernel_equals_naive((origin, shape, f, v) in request(), f2 in twos_biased()) {
        let v32: Vec<u32> = v.iter().map(|&x| x as u32).collect();
        for f in [f, f2] {
            for m in BOTH {
                prop_assert_eq!(run(&v, origin, shape, f, m), naive(&v, origin, shape, f, m));
                prop_assert_eq!(run(&v32, origin, shape, f, m), naive(&v32, origin, shape, f, m));
            }
        }
    }
}
