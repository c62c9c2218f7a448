//! 2×2×2 mode downsampling throughput in input voxels per second.
//!
//! Inputs: a real 64³ DVID volume (fib19), synthetic "blobs" (a Voronoi tessellation with
//! ~20-voxel cells, so most windows are uniform as in segmentation) and uniformly random
//! labels (every window has 8 distinct values: the worst case for the vote).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::downsample::{Method, downsample_into, output_domain};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// SplitMix64: deterministic labels without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Voronoi cells of one seed per `cell`³ grid box, jittered; labels are large random ids.
fn blobs(n: usize, cell: usize, seed: u64) -> Vec<u64> {
    let g = n.div_ceil(cell);
    let mut rng = Rng(seed);
    let seeds: Vec<([i64; 3], u64)> = (0..g * g * g)
        .map(|i| {
            let c = [i % g, (i / g) % g, i / (g * g)];
            let p = c.map(|k| (k * cell) as i64 + (rng.next() % cell as u64) as i64);
            (p, rng.next() >> 8)
        })
        .collect();
    let mut v = Vec::with_capacity(n * n * n);
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                let here = [x as i64, y as i64, z as i64];
                let cell_of = [x / cell, y / cell, z / cell];
                let mut best = (i64::MAX, 0);
                for dz in 0..3 {
                    for dy in 0..3 {
                        for dx in 0..3 {
                            let c = [cell_of[0] + dx, cell_of[1] + dy, cell_of[2] + dz];
                            if c.iter().any(|&k| k == 0 || k > g) {
                                continue;
                            }
                            let (p, label) = seeds[(c[0] - 1) + g * ((c[1] - 1) + g * (c[2] - 1))];
                            let d: i64 = (0..3).map(|k| (p[k] - here[k]).pow(2)).sum();
                            if d < best.0 {
                                best = (d, label);
                            }
                        }
                    }
                }
                v.push(best.1);
            }
        }
    }
    v
}

fn random(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng(seed);
    (0..n * n * n).map(|_| rng.next()).collect()
}

fn fib19() -> Vec<u64> {
    let path = "fib19-64x64x64-sample1.dat.gz";
    let raw = braid_core::compress::gunzip(&common::read_dvid_data(path)).expect("gzip");
    raw.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
}

fn bench(c: &mut Criterion) {
    let volumes = [
        ("fib19", 64, fib19()),
        ("blobs", 64, blobs(64, 20, 1)),
        ("random", 64, random(64, 2)),
        ("blobs", 128, blobs(128, 20, 5)),
        ("blobs", 256, blobs(256, 20, 3)),
        ("random", 256, random(256, 4)),
    ];
    let mut group = c.benchmark_group("downsample_2x2x2_u64");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200));
    for (name, n, v) in &volumes {
        let shape = [*n; 3];
        let out_len = output_domain([0; 3], shape, [2; 3]).ok().and_then(|d| d.voxel_count()).unwrap_or(0);
        let mut out = vec![0u64; out_len];
        group.throughput(Throughput::Elements(v.len() as u64));
        for (label, method) in [("mode", Method::Mode), ("nonzero", Method::ModeNonzero)] {
            group.bench_function(format!("{label}/{name}/{n}"), |b| {
                b.iter(|| downsample_into(black_box(v), [0; 3], shape, [2; 3], method, &mut out).map(|_| ()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
