//! Real-data tests of `braid_core::dvid::export` on the DVID export sample in
//! `shared/data/dvid` (docs/formats/dvid.md §6.3, §6.4), plus error handling on damaged inputs.

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::{DataType, Field, Schema};
use braid_core::compress::zstd_decompress;
use braid_core::dvid::block::{DvidBlock, decode_block};
use braid_core::dvid::export::{
    BatchDecoder, CsvIndex, CsvVariant, DvidRecord, ExportError, ExportStreamDecoder, ExportWriter,
    FileFooter, build_export_batch, read_file_format, read_stream, scan_batch_ranges,
};
use sha2::{Digest, Sha256};

const FILE_LEN: usize = 1_131_168;

fn data(name: &str) -> Vec<u8> {
    common::read_dvid_data(name)
}

fn arrow_bytes() -> Vec<u8> {
    data("30720_24576_28672.arrow")
}

fn records() -> Vec<DvidRecord> {
    read_stream(&arrow_bytes()).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn code<T: std::fmt::Debug>(r: Result<T, ExportError>) -> &'static str {
    r.unwrap_err().code()
}

/// A small deterministic generator for shuffles and mutations.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Writes `records` as a stream with arrow-rs directly, for schemas `ExportWriter` refuses.
fn arrow_stream(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

fn write_shard(records: &[DvidRecord], batch_size: usize) -> (Vec<u8>, String, Vec<usize>) {
    let mut w = ExportWriter::new(batch_size).unwrap();
    let mut stream = Vec::new();
    let mut chunk_lens = Vec::new();
    for r in records {
        let ready = w.append(r.clone()).unwrap();
        chunk_lens.push(ready.len());
        stream.extend(ready);
    }
    let schema_size = w.schema_size() as usize;
    let (tail, csv) = w.finish().unwrap();
    stream.extend(tail);
    assert!(csv.starts_with(&format!("# schema_size={schema_size}\nx,y,z,offset,size,batch_idx\n")));
    (stream, csv, chunk_lens)
}

// Inside a module so that `cargo test dvid_export` selects these tests by path.
mod dvid_export {
    use super::*;

    #[test]
    fn stream_holds_258_records_with_the_documented_row_0() {
        let bytes = arrow_bytes();
        assert_eq!(bytes.len(), FILE_LEN);
        let records = records();
        assert_eq!(records.len(), 258);
        let r0 = &records[0];
        assert_eq!(r0.chunk, [509, 413, 469]);
        assert_eq!(r0.labels, [0, 1_497_920_602]);
        assert_eq!(r0.supervoxels, [0, 1_497_920_602]);
        assert_eq!(r0.uncompressed_size, 3648);
        assert_eq!(r0.block.len(), 155);
        assert_eq!(&r0.block[..5], [0x28, 0xb5, 0x2f, 0xfd, 0x64]);
        assert_eq!(records[1].chunk, [511, 413, 469]);
        assert_eq!(records[2].chunk, [510, 413, 469]);
        for r in &records {
            assert!((480..512).contains(&r.chunk[0]) && (384..416).contains(&r.chunk[1]), "{:?}", r.chunk);
            assert!((448..480).contains(&r.chunk[2]), "{:?}", r.chunk);
        }
        assert_eq!(records.iter().map(|r| r.block.len()).sum::<usize>(), 874_477);
        assert_eq!(records.iter().map(|r| r.uncompressed_size as usize).sum::<usize>(), 6_323_692);
    }

    #[test]
    fn supervoxels_are_the_block_label_lists_and_row_0_decodes_to_the_documented_hash() {
        let records = records();
        let mut remapped = 0;
        for r in &records {
            let raw = zstd_decompress(&r.block, Some(r.uncompressed_size as usize), 1 << 24).unwrap();
            let block = DvidBlock::parse(&raw).unwrap();
            assert_eq!(block.labels().collect::<Vec<_>>(), r.supervoxels, "chunk {:?}", r.chunk);
            remapped += usize::from(r.labels != r.supervoxels);
        }
        assert_eq!(remapped, 197);
        let r0 = &records[0];
        let (volume, shape) = decode_block(&r0.block, Some(&r0.labels)).unwrap();
        assert_eq!(shape, [64, 64, 64]);
        let bytes: Vec<u8> = volume.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(sha256_hex(&bytes), "5f63c539d483d1e147776a8fed1097b472745a649397be9078234d4f564ac1f1");
    }

    #[test]
    fn push_decoder_in_small_slices_matches_whole_reads_with_bounded_buffering() {
        let bytes = arrow_bytes();
        let expected = records();
        let scan = scan_batch_ranges(&bytes).unwrap();
        let largest = scan.batches.iter().map(|b| b.range.end - b.range.start).max().unwrap() as usize;
        for slice in [1, 7, 4096, 65_536, FILE_LEN] {
            let mut decoder = ExportStreamDecoder::new();
            let mut got = Vec::new();
            let mut max_buffered = 0;
            for piece in bytes.chunks(slice) {
                for batch in decoder.push(piece).unwrap() {
                    let i = got.len();
                    assert_eq!(batch.range, scan.batches[i].range, "slice {slice}");
                    got.extend(batch.records);
                }
                max_buffered = max_buffered.max(decoder.buffered());
            }
            assert!(decoder.is_finished());
            let summary = decoder.finish().unwrap();
            assert_eq!((summary.batches, summary.records, summary.bytes), (258, 258, FILE_LEN as u64));
            assert!(!summary.file_format);
            assert_eq!(got, expected, "slice {slice}");
            assert!(max_buffered < largest.max(slice), "slice {slice}: buffered {max_buffered}");
            assert_eq!(decoder.schema().unwrap().fields().len(), 7);
        }
    }

    #[test]
    fn scan_finds_schema_and_batch_ranges_from_headers() {
        let bytes = arrow_bytes();
        let scan = scan_batch_ranges(&bytes).unwrap();
        assert_eq!(scan.schema, 0..688);
        assert_eq!(scan.batches.len(), 258);
        assert_eq!(scan.batches[0].range, 688..1480);
        assert_eq!(scan.batches[1].range, 1480..4104);
        assert!(scan.batches.iter().all(|b| b.rows == 1));
        assert!(scan.finished);
        assert_eq!(scan.next_offset, FILE_LEN as u64);
        assert_eq!(scan.batches.last().unwrap().range.end, FILE_LEN as u64 - 8);

        // A prefix lists every batch whose header it holds, bodies or not.
        let prefix = scan_batch_ranges(&bytes[..1480 + 8 + 536 + 10]).unwrap();
        assert!(!prefix.finished);
        assert_eq!(prefix.batches.len(), 2);
        assert_eq!(prefix.next_offset, 4104);
        assert_eq!(code(scan_batch_ranges(&bytes[..600])), "ARROW_TRUNCATED");
    }

    #[test]
    fn the_three_csv_variants_agree_with_each_other_and_the_stream() {
        let bytes = arrow_bytes();
        let records = records();
        let scan = scan_batch_ranges(&bytes).unwrap();
        let mut legacy = CsvIndex::parse(&data("30720_24576_28672.csv")).unwrap();
        let mut transitional = CsvIndex::parse(&data("30720_24576_28672-offsets.csv")).unwrap();
        let mut current = CsvIndex::parse(&data("30720_24576_28672-newformat.csv")).unwrap();
        assert_eq!(
            (legacy.variant, transitional.variant, current.variant),
            (CsvVariant::Legacy, CsvVariant::Transitional, CsvVariant::Current)
        );
        assert_eq!(
            (legacy.schema_size, transitional.schema_size, current.schema_size),
            (None, Some(688), Some(688))
        );
        for idx in [&legacy, &transitional, &current] {
            assert_eq!(idx.rows.len(), 258);
            let chunks: Vec<_> = idx.rows.iter().map(|r| r.chunk).collect();
            assert_eq!(chunks, records.iter().map(|r| r.chunk).collect::<Vec<_>>());
        }
        assert!(legacy.rows.iter().enumerate().all(|(i, r)| r.record == Some(i as u64) && r.range.is_none()));
        assert_eq!(current.rows[0].range, Some(688..1480));
        assert_eq!(current.rows[1].range, Some(1480..4104));

        let before = current.clone();
        for idx in [&mut legacy, &mut transitional, &mut current] {
            idx.resolve_ranges(&scan).unwrap();
        }
        assert_eq!(current, before, "resolving an already complete index changes nothing");
        for (i, row) in current.rows.iter().enumerate() {
            assert_eq!(legacy.rows[i].range, row.range);
            assert_eq!(transitional.rows[i].range, row.range);
            assert_eq!((legacy.rows[i].batch_row, transitional.rows[i].batch_row, row.batch_row), (0, 0, 0));
        }
        assert_eq!(legacy.schema_size, Some(688));
        assert_eq!(legacy.to_csv().unwrap().as_bytes(), data("30720_24576_28672-newformat.csv"));
    }

    #[test]
    fn every_csv_range_decodes_to_its_record() {
        let bytes = arrow_bytes();
        let records = records();
        let index = CsvIndex::parse(&data("30720_24576_28672-newformat.csv")).unwrap();
        let decoder = BatchDecoder::new(&bytes[..index.schema_size.unwrap() as usize]).unwrap();
        let by_chunk = index.by_chunk();
        for record in &records {
            let row = by_chunk[&record.chunk];
            assert_eq!(index.lookup(record.chunk).unwrap(), row);
            let range = row.range.clone().unwrap();
            let message = &bytes[range.start as usize..range.end as usize];
            assert_eq!(&decoder.decode_row(message, row.batch_row).unwrap(), record);
            assert_eq!(decoder.decode(message).unwrap(), std::slice::from_ref(record));
        }
        assert_eq!(code(index.lookup([0, 0, 0])), "CHUNK_NOT_IN_SHARD");
        assert_eq!(code(decoder.decode_row(&bytes[688..1480], 1)), "INVALID_ARGUMENT");
    }

    #[test]
    fn schema_size_zero_ranges_that_start_with_the_schema_decode() {
        let bytes = arrow_bytes();
        let first = records().remove(0);
        let csv = "# schema_size=0\nx,y,z,offset,size,batch_idx\n509,413,469,0,1480,0\n";
        let index = CsvIndex::parse(csv.as_bytes()).unwrap();
        assert_eq!(index.schema_size, Some(0));
        // With no schema size, the schema is parsed from a prefix of the file.
        let decoder = BatchDecoder::new(&bytes[..4096]).unwrap();
        let row = index.lookup([509, 413, 469]).unwrap();
        assert_eq!(row.range, Some(0..1480));
        assert_eq!(decoder.decode_row(&bytes[..1480], row.batch_row).unwrap(), first);
        let mut resolved = index.clone();
        resolved.resolve_ranges(&scan_batch_ranges(&bytes).unwrap()).unwrap();
        match BatchDecoder::new(&bytes[..100]).unwrap_err() {
            ExportError::Truncated { needed, available, .. } => {
                assert_eq!((needed, available), (688, 100))
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn lazy_schema_index_matches_dvid_and_every_range_decodes() {
        let records: Vec<DvidRecord> = records().into_iter().take(20).collect();
        let mut w = ExportWriter::new(3).unwrap().with_lazy_schema_index();
        let mut stream = Vec::new();
        for r in &records {
            stream.extend(w.append(r.clone()).unwrap());
        }
        let (tail, csv) = w.finish().unwrap();
        stream.extend(tail);
        assert!(csv.starts_with("# schema_size=0\nx,y,z,offset,size,batch_idx\n"), "{csv}");
        let index = CsvIndex::parse(csv.as_bytes()).unwrap();
        assert_eq!(index.rows[0].range.as_ref().unwrap().start, 0);
        let decoder = BatchDecoder::new(&stream).unwrap();
        for r in &records {
            let row = index.lookup(r.chunk).unwrap();
            let range = row.range.clone().unwrap();
            let got =
                decoder.decode_row(&stream[range.start as usize..range.end as usize], row.batch_row).unwrap();
            assert_eq!(&got, r);
        }
    }

    /// The same stream framed with pre-0.15 4-byte length prefixes (no continuation marker).
    fn legacy_framing(bytes: &[u8]) -> Vec<u8> {
        let scan = scan_batch_ranges(bytes).unwrap();
        let mut out = Vec::new();
        let messages =
            std::iter::once(scan.schema.clone()).chain(scan.batches.iter().map(|b| b.range.clone()));
        for r in messages {
            out.extend_from_slice(&bytes[r.start as usize + 4..r.end as usize]);
        }
        out.extend_from_slice(&[0; 4]);
        out
    }

    #[test]
    fn legacy_length_prefixes_are_read() {
        let bytes = arrow_bytes();
        let legacy = legacy_framing(&bytes);
        assert_eq!(legacy.len(), FILE_LEN - 4 * 259 - 4);
        assert_eq!(read_stream(&legacy).unwrap(), records());
        let scan = scan_batch_ranges(&legacy).unwrap();
        assert_eq!(scan.schema, 0..684);
        assert_eq!(scan.batches[0].range, 684..1472);
        let decoder = BatchDecoder::new(&legacy).unwrap();
        assert_eq!(decoder.decode(&legacy[684..1472]).unwrap()[0], records()[0]);
    }

    #[test]
    fn ipc_file_format_is_read_whole_sequentially_and_by_footer() {
        let records = records();
        let mut file = Vec::new();
        let mut w =
            FileWriter::try_new(&mut file, &build_export_batch(&records[..1]).unwrap().schema()).unwrap();
        for chunk in records.chunks(50) {
            w.write(&build_export_batch(chunk).unwrap()).unwrap();
        }
        w.finish().unwrap();
        drop(w);
        assert_eq!(&file[..6], b"ARROW1");
        assert_eq!(read_file_format(&file).unwrap(), records);
        assert_eq!(read_stream(&file).unwrap(), records);

        let footer = FileFooter::parse(&file, file.len() as u64).unwrap();
        assert_eq!(footer.batches.len(), 6);
        let decoder = footer.decoder().unwrap();
        let third = &footer.batches[2];
        let batch = decoder.decode(&file[third.start as usize..third.end as usize]).unwrap();
        assert_eq!(batch, records[100..150]);
        // A tail holding only the trailer says how much tail is needed.
        let needed = match FileFooter::parse(&file[file.len() - 10..], file.len() as u64).unwrap_err() {
            ExportError::Truncated { needed, .. } => needed as usize,
            e => panic!("{e}"),
        };
        assert_eq!(FileFooter::parse(&file[file.len() - needed..], file.len() as u64).unwrap(), footer);
        assert_eq!(code(FileFooter::parse(&arrow_bytes(), FILE_LEN as u64)), "ARROW_CORRUPT");
        assert_eq!(code(read_file_format(&arrow_bytes())), "ARROW_CORRUPT");
    }

    #[test]
    fn rewritten_real_records_round_trip_and_csv_offsets_address_their_batches() {
        let records = records();
        let (stream, csv, chunk_lens) = write_shard(&records, 1);
        assert_eq!(read_stream(&stream).unwrap(), records);
        // With batch_size 1 every append emits one message (the first also the schema).
        assert!(chunk_lens.iter().all(|&n| n > 0));
        let index = CsvIndex::parse(csv.as_bytes()).unwrap();
        assert_eq!(index.variant, CsvVariant::Current);
        let chunks: Vec<_> = index.rows.iter().map(|r| r.chunk).collect();
        assert_eq!(chunks, records.iter().map(|r| r.chunk).collect::<Vec<_>>());
        let scan = scan_batch_ranges(&stream).unwrap();
        assert_eq!(index.schema_size, Some(scan.schema.end));
        assert_eq!(chunk_lens[0] as u64, scan.batches[0].range.end);
        let decoder = BatchDecoder::new(&stream[..index.schema_size.unwrap() as usize]).unwrap();
        for (row, record) in index.rows.iter().zip(&records) {
            let range = row.range.clone().unwrap();
            assert_eq!(
                &decoder
                    .decode_row(&stream[range.start as usize..range.end as usize], row.batch_row)
                    .unwrap(),
                record
            );
        }
        // Record batch messages come out exactly as long as Go's; arrow-rs lays out the schema
        // flatbuffer 16 bytes longer (704 vs 688 bytes).
        let real = CsvIndex::parse(&data("30720_24576_28672-newformat.csv")).unwrap();
        assert_eq!(index.schema_size, Some(704));
        assert_eq!(stream.len(), FILE_LEN + 16);
        for (ours, theirs) in index.rows.iter().zip(&real.rows) {
            let (a, b) = (ours.range.clone().unwrap(), theirs.range.clone().unwrap());
            assert_eq!((ours.chunk, a.end - a.start, a.start - 16), (theirs.chunk, b.end - b.start, b.start));
        }
    }

    #[test]
    fn shuffled_records_in_multi_row_batches_round_trip() {
        let mut records = records();
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for i in (1..records.len()).rev() {
            records.swap(i, rng.below(i + 1));
        }
        let (stream, csv, chunk_lens) = write_shard(&records, 7);
        // The first append emits the schema, then every seventh a batch.
        assert_eq!(chunk_lens.iter().filter(|&&n| n > 0).count(), 1 + 258 / 7);
        assert!(chunk_lens[1..6].iter().all(|&n| n == 0));
        assert_eq!(read_stream(&stream).unwrap(), records);
        let mut index = CsvIndex::parse(csv.as_bytes()).unwrap();
        let scan = scan_batch_ranges(&stream).unwrap();
        assert_eq!(scan.batches.len(), 37);
        assert_eq!(scan.batches.last().unwrap().rows, 258 % 7);
        index.resolve_ranges(&scan).unwrap();
        let decoder = BatchDecoder::new(&stream).unwrap();
        for (i, record) in records.iter().enumerate() {
            let row = index.lookup(record.chunk).unwrap();
            assert_eq!(row.batch_row as usize, i % 7);
            let range = row.range.clone().unwrap();
            assert_eq!(range, scan.batches[i / 7].range);
            assert_eq!(
                &decoder
                    .decode_row(&stream[range.start as usize..range.end as usize], row.batch_row)
                    .unwrap(),
                record
            );
        }
    }

    #[test]
    fn writer_rejects_invalid_records() {
        let r0 = records().remove(0);
        let mut w = ExportWriter::new(2).unwrap();
        assert_eq!(code(w.append(DvidRecord { chunk: [1, -1, 1], ..r0.clone() })), "ARROW_INVALID_RECORD");
        assert_eq!(code(w.append(DvidRecord { labels: vec![1], ..r0.clone() })), "ARROW_INVALID_RECORD");
        let mut stream = w.append(r0.clone()).unwrap();
        assert_eq!(stream.len() as u64, w.schema_size());
        assert_eq!(code(w.append(r0.clone())), "ARROW_INVALID_RECORD");
        assert_eq!(code(ExportWriter::new(0)), "INVALID_ARGUMENT");
        let (tail, csv) = w.finish().unwrap();
        stream.extend(tail);
        assert_eq!(read_stream(&stream).unwrap(), [r0]);
        assert_eq!(csv.lines().count(), 3);
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        let bytes = arrow_bytes();
        let cuts = (0..2000).chain((2000..FILE_LEN).step_by(997)).chain([FILE_LEN - 8, FILE_LEN - 1]);
        for n in cuts {
            assert_eq!(code(read_stream(&bytes[..n])), "ARROW_TRUNCATED", "cut at {n}");
        }
        let decoder = BatchDecoder::new(&bytes).unwrap();
        for end in [688, 689, 700, 1479] {
            assert_eq!(code(decoder.decode(&bytes[688..end])), "ARROW_TRUNCATED", "end {end}");
        }
    }

    #[test]
    fn damaged_streams_and_ranges_give_typed_errors() {
        let bytes = arrow_bytes();
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(code(read_stream(&trailing)), "ARROW_CORRUPT");
        assert_eq!(code(read_stream(b"\xff\xff\xff\xff\x10\x00\x00\x00garbage garbage!")), "ARROW_CORRUPT");
        assert_eq!(code(read_stream(b"\xff\xff\xff\xff\xff\xff\xff\x7f")), "ARROW_CORRUPT");
        assert_eq!(code(read_stream(&[0, 0, 0, 0])), "ARROW_CORRUPT");
        // A record batch where the schema belongs.
        assert_eq!(code(read_stream(&bytes[688..])), "ARROW_CORRUPT");

        let decoder = BatchDecoder::new(&bytes).unwrap();
        assert_eq!(code(decoder.decode(&bytes[688..1488])), "ARROW_CORRUPT");
        assert_eq!(code(decoder.decode(&bytes[FILE_LEN - 8..])), "ARROW_CORRUPT");
        assert_eq!(code(decoder.decode(&bytes[690..1480])), "ARROW_CORRUPT");

        // Shrink the first batch's declared body length and cut the body to match: its buffer
        // descriptors then point past the body (arrow-ipc's own StreamDecoder panics on this).
        let meta = &bytes[688 + 8..688 + 8 + 536];
        let body_len = 248u64.to_le_bytes();
        let hits: Vec<usize> = (0..meta.len() - 8).filter(|&i| meta[i..i + 8] == body_len).collect();
        assert_eq!(hits.len(), 1);
        let mut short = bytes[..688 + 8 + 536 + 128].to_vec();
        short[688 + 8 + hits[0]] = 128;
        short.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        let err = read_stream(&short).unwrap_err();
        assert_eq!(err.code(), "ARROW_CORRUPT");
        assert!(err.to_string().contains("outside the 128-byte body"), "{err}");

        // The decoder stays failed after an error.
        let mut d = ExportStreamDecoder::new();
        assert!(d.push(&short).is_err());
        assert_eq!(code(d.push(&bytes)), "ARROW_CORRUPT");
        assert_eq!(code(d.finish()), "ARROW_CORRUPT");
    }

    #[test]
    fn wrong_schemas_and_invalid_rows_give_typed_errors() {
        let batch = build_export_batch(&records()[..2]).unwrap();
        let mut columns = batch.columns().to_vec();
        let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        columns[0] = Arc::new(Int64Array::from(vec![509i64, 511])) as ArrayRef;
        fields[0] = Field::new("chunk_x", DataType::Int64, false);
        let int64_x = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
        let err = read_stream(&arrow_stream(&int64_x)).unwrap_err();
        assert_eq!(err.code(), "ARROW_SCHEMA_MISMATCH");
        assert!(err.to_string().contains("`chunk_x`"), "{err}");
        assert_eq!(code(BatchDecoder::new(&arrow_stream(&int64_x))), "ARROW_SCHEMA_MISMATCH");

        let without_block = batch.project(&[0, 1, 2, 3, 4, 6]).unwrap();
        let err = read_stream(&arrow_stream(&without_block)).unwrap_err();
        assert!(err.to_string().contains("`dvid_compressed_block` is missing"), "{err}");

        let mut negative = records()[..2].to_vec();
        negative[1].chunk[2] = -4;
        let err = read_stream(&arrow_stream(&build_export_batch(&negative).unwrap())).unwrap_err();
        assert_eq!(err.code(), "ARROW_INVALID_RECORD");
        assert!(err.to_string().contains("row 1"), "{err}");

        let mut unequal = records()[..1].to_vec();
        unequal[0].supervoxels.push(7);
        assert_eq!(
            code(read_stream(&arrow_stream(&build_export_batch(&unequal).unwrap()))),
            "ARROW_INVALID_RECORD"
        );
    }

    #[test]
    fn damaged_csv_indexes_name_the_line() {
        let text = String::from_utf8(data("30720_24576_28672-newformat.csv")).unwrap();
        let broken = text.replacen("511,413,469,1480,2624,0", "511,413,469,1480,two,0", 1);
        match CsvIndex::parse(broken.as_bytes()).unwrap_err() {
            ExportError::CsvInvalid { line, reason } => {
                assert_eq!(line, 4);
                assert!(reason.contains("invalid size `two`"), "{reason}");
            }
            e => panic!("{e}"),
        }
        let shifted = text.replacen("511,413,469,1480,2624,0", "511,413,469,1488,2616,0", 1);
        let mut index = CsvIndex::parse(shifted.as_bytes()).unwrap();
        let err = index.resolve_ranges(&scan_batch_ranges(&arrow_bytes()).unwrap()).unwrap_err();
        assert!(matches!(err, ExportError::IndexMismatch { row: 1, .. }), "{err}");
    }

    #[test]
    fn random_mutations_never_panic() {
        let records = records();
        let (stream, csv, _) = write_shard(&records[..12], 3);
        let decoder = BatchDecoder::new(&stream).unwrap();
        let scan = scan_batch_ranges(&stream).unwrap();
        let second = scan.batches[1].range.clone();
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let mut failures = 0;
        for _ in 0..3000 {
            let mut s = stream.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(s.len());
                s[i] = rng.next() as u8;
            }
            let whole = read_stream(&s);
            let mut pushed = ExportStreamDecoder::new();
            let sliced =
                s.chunks(1 + rng.below(600)).try_fold(0, |n, piece| pushed.push(piece).map(|b| n + b.len()));
            assert_eq!(whole.is_ok(), sliced.is_ok() && pushed.finish().is_ok());
            failures += usize::from(whole.is_err());
            let _ = decoder.decode(&s[second.start as usize..second.end as usize]);
            let _ = scan_batch_ranges(&s);
            let _ = BatchDecoder::new(&s);
            let mut c = csv.clone().into_bytes();
            let i = rng.below(c.len());
            c[i] = rng.next() as u8;
            if let Ok(mut idx) = CsvIndex::parse(&c) {
                let _ = idx.resolve_ranges(&scan);
            }
        }
        assert!(failures > 0, "mutations should break some streams");
    }
}
