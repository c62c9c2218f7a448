//! Export shard reading and writing on the real DVID sample (258 one-row batches, 1.1 MB):
//! sequential streaming (MB/s, records/s), random access through CSV ranges, header scans.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use braid_core::dvid::export::{
    BatchDecoder, CsvIndex, DvidRecord, ExportStreamDecoder, ExportWriter, read_stream, scan_batch_ranges,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn data(name: &str) -> Vec<u8> {
    common::read_dvid_data(name)
}

/// Streams `bytes` through a push decoder in `slice`-byte pieces, as from a file or network.
fn push_in_slices(bytes: &[u8], slice: usize) -> usize {
    let mut decoder = ExportStreamDecoder::new();
    let mut records = 0;
    for piece in bytes.chunks(slice) {
        records += decoder.push(piece).unwrap().iter().map(|b| b.records.len()).sum::<usize>();
    }
    decoder.finish().unwrap();
    records
}

fn bench(c: &mut Criterion) {
    let arrow = data("30720_24576_28672.arrow");
    let csv = data("30720_24576_28672-newformat.csv");
    let records: Vec<DvidRecord> = read_stream(&arrow).unwrap();
    let n = records.len() as u64;

    let mut g = c.benchmark_group("arrow_shard_stream");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(arrow.len() as u64));
    g.bench_function("read_stream_MBps", |b| b.iter(|| read_stream(black_box(&arrow)).unwrap().len()));
    g.throughput(Throughput::Elements(n));
    g.bench_function("push_64KiB_slices_records_per_s", |b| {
        b.iter(|| push_in_slices(black_box(&arrow), 1 << 16))
    });
    g.throughput(Throughput::Bytes(arrow.len() as u64));
    g.bench_function("scan_batch_ranges_MBps", |b| b.iter(|| scan_batch_ranges(black_box(&arrow)).unwrap()));
    g.finish();

    let index = CsvIndex::parse(&csv).unwrap();
    let decoder = BatchDecoder::new(&arrow[..index.schema_size.unwrap() as usize]).unwrap();
    let mut g = c.benchmark_group("arrow_shard_random_access");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(n));
    g.bench_function("decode_every_csv_range_records_per_s", |b| {
        b.iter(|| {
            let mut blocks = 0;
            for row in &index.rows {
                let range = row.range.clone().unwrap();
                let message = &arrow[range.start as usize..range.end as usize];
                blocks += decoder.decode_row(black_box(message), row.batch_row).unwrap().block.len();
            }
            blocks
        })
    });
    g.bench_function("parse_csv_index_rows_per_s", |b| b.iter(|| CsvIndex::parse(black_box(&csv)).unwrap()));
    g.finish();

    let mut g = c.benchmark_group("arrow_shard_write");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(n));
    g.bench_function("shard_writer_batch_1_records_per_s", |b| {
        b.iter(|| {
            let mut w = ExportWriter::new(1).unwrap();
            let mut bytes = 0;
            for r in &records {
                bytes += w.append(r.clone()).unwrap().len();
            }
            let (tail, csv) = w.finish().unwrap();
            bytes + tail.len() + csv.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
