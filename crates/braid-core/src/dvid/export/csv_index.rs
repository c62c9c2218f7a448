//! The `.csv` chunk index beside each `.arrow` file, in its three variants (docs/formats/dvid.md §6.4).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::str::FromStr;

use super::ExportError;
use super::scan::BatchScan;

/// Which header a CSV index has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvVariant {
    /// `x,y,z,rec`: global row number only, no comment line.
    Legacy,
    /// tse's `# schema_size=N` + `x,y,z,rec,offset,size`.
    Transitional,
    /// DVID's `# schema_size=N` + `x,y,z,offset,size,batch_idx`.
    Current,
}

impl CsvVariant {
    fn columns(self) -> &'static [&'static str] {
        match self {
            CsvVariant::Legacy => &["x", "y", "z", "rec"],
            CsvVariant::Transitional => &["x", "y", "z", "rec", "offset", "size"],
            CsvVariant::Current => &["x", "y", "z", "offset", "size", "batch_idx"],
        }
    }

    fn from_header(fields: &[&str]) -> Option<Self> {
        [CsvVariant::Legacy, CsvVariant::Transitional, CsvVariant::Current]
            .into_iter()
            .find(|v| v.columns() == fields)
    }
}

/// One data row of a CSV index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndexRow {
    /// Chunk coordinate `(x, y, z)`.
    pub chunk: [i32; 3],
    /// Global row number in the stream (`rec`; legacy and transitional variants).
    pub record: Option<u64>,
    /// Byte range of the record batch message holding the row (transitional and current
    /// variants, or legacy after [`CsvIndex::resolve_ranges`]).
    pub range: Option<Range<u64>>,
    /// Row within that batch (`batch_idx`; derived for the other variants, 0 for a legacy row
    /// until its range is resolved).
    pub batch_row: u32,
}

/// A parsed CSV chunk index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvIndex {
    /// The header variant that was read.
    pub variant: CsvVariant,
    /// `# schema_size=N`: bytes of the schema message at the start of the stream. `Some(0)`
    /// is legal (fresh DVID exports, dvid.md §6.4): the first batch's range then includes the schema.
    pub schema_size: Option<u64>,
    /// Rows in file (= Arrow write) order.
    pub rows: Vec<IndexRow>,
}

impl CsvIndex {
    /// Parses an index in any of the three variants, told apart by the header line. Blank
    /// lines and `#` comments before the header are allowed; CRLF line ends are accepted.
    pub fn parse(text: &[u8]) -> Result<Self, ExportError> {
        let mut schema_size = None;
        let mut variant = None;
        let mut rows = Vec::new();
        let mut seen: HashMap<[i32; 3], usize> = HashMap::new();
        // Rows of one batch share its range; `batch_row` counts from the first of them.
        let mut run: Option<(Range<u64>, u64)> = None;
        for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
            let line = i + 1;
            let invalid = |reason: String| ExportError::CsvInvalid { line, reason };
            let text = std::str::from_utf8(raw).map_err(|_| invalid("not valid UTF-8".into()))?.trim();
            if text.is_empty() {
                continue;
            }
            let Some(variant) = variant else {
                if let Some(comment) = text.strip_prefix('#') {
                    if let Some(size) = schema_size_comment(comment).map_err(invalid)? {
                        if schema_size.replace(size).is_some() {
                            return Err(invalid("schema_size given twice".into()));
                        }
                    }
                } else {
                    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
                    variant = Some(CsvVariant::from_header(&fields).ok_or_else(|| {
                        invalid(format!(
                            "unrecognised header `{text}`; expected `x,y,z,rec`, `x,y,z,rec,offset,size` \
                             or `x,y,z,offset,size,batch_idx`"
                        ))
                    })?);
                }
                continue;
            };
            let row = parse_row(variant, text, &mut run).map_err(invalid)?;
            if let Some(first) = seen.insert(row.chunk, line) {
                return Err(invalid(format!("chunk {:?} is already listed on line {first}", row.chunk)));
            }
            rows.push(row);
        }
        let variant = variant.ok_or_else(|| ExportError::CsvInvalid {
            line: text.split(|&b| b == b'\n').count(),
            reason: "no header line".into(),
        })?;
        Ok(CsvIndex { variant, schema_size, rows })
    }

    /// The row of `chunk`, or `CHUNK_NOT_IN_SHARD`. Linear; use [`by_chunk`](Self::by_chunk)
    /// for many lookups.
    pub fn lookup(&self, chunk: [i32; 3]) -> Result<&IndexRow, ExportError> {
        self.rows.iter().find(|r| r.chunk == chunk).ok_or(ExportError::ChunkNotInShard { chunk })
    }

    /// A map from chunk coordinate to row.
    pub fn by_chunk(&self) -> HashMap<[i32; 3], &IndexRow> {
        self.rows.iter().map(|r| (r.chunk, r)).collect()
    }

    /// Reconciles the index with the stream layout found by
    /// [`scan_batch_ranges`](super::scan_batch_ranges): rows without a byte range (legacy)
    /// get one and their `batch_row` from their global row number; rows with one are checked
    /// against the stream's batches (a range starting at 0 may include the schema message, the
    /// `schema_size=0` case). A missing `schema_size` is set from the scan. On a mismatch the
    /// index is left unchanged.
    pub fn resolve_ranges(&mut self, scan: &BatchScan) -> Result<(), ExportError> {
        // First global row of each batch.
        let starts: Vec<u64> = scan
            .batches
            .iter()
            .scan(0u64, |next, b| {
                let first = *next;
                *next = next.saturating_add(b.rows);
                Some(first)
            })
            .collect();
        // Work on a copy so that a mismatch leaves the index untouched.
        let mut rows = self.rows.clone();
        for (i, row) in rows.iter_mut().enumerate() {
            let mismatch = |reason: String| ExportError::IndexMismatch { row: i, reason };
            let batch = match (&row.range, row.record) {
                (Some(range), _) => {
                    let b = scan.batches.partition_point(|b| b.range.end < range.end);
                    scan.batches
                        .get(b)
                        .filter(|s| s.range == *range || (b == 0 && *range == (0..s.range.end)))
                        .map(|_| b)
                        .ok_or_else(|| mismatch(format!("no record batch occupies bytes {range:?}")))?
                }
                (None, Some(rec)) => {
                    let b = starts.partition_point(|&s| s <= rec).saturating_sub(1);
                    let found = scan.batches.get(b).is_some_and(|s| rec - starts[b] < s.rows);
                    if !found {
                        return Err(mismatch(format!(
                            "record {rec} is beyond the stream's {} rows",
                            scan.rows()
                        )));
                    }
                    row.range = Some(scan.batches[b].range.clone());
                    row.batch_row =
                        u32::try_from(rec - starts[b]).map_err(|_| mismatch("batch too large".into()))?;
                    b
                }
                (None, None) => {
                    return Err(mismatch("the row has neither a record number nor a range".into()));
                }
            };
            if u64::from(row.batch_row) >= scan.batches[batch].rows {
                return Err(mismatch(format!(
                    "batch_idx {} but the batch has {} rows",
                    row.batch_row, scan.batches[batch].rows
                )));
            }
            if let Some(rec) = row.record.filter(|&r| r != starts[batch] + u64::from(row.batch_row)) {
                return Err(mismatch(format!(
                    "record {rec} is row {} of the batch at {:?}",
                    row.batch_row, scan.batches[batch].range
                )));
            }
        }
        self.rows = rows;
        self.schema_size.get_or_insert(scan.schema.end);
        Ok(())
    }

    /// The index in the current DVID format (`# schema_size=N`, then
    /// `x,y,z,offset,size,batch_idx`). Every row needs a byte range (see
    /// [`resolve_ranges`](Self::resolve_ranges)); a missing `schema_size` is written as 0.
    pub fn to_csv(&self) -> Result<String, ExportError> {
        let mut out =
            format!("# schema_size={}\nx,y,z,offset,size,batch_idx\n", self.schema_size.unwrap_or(0));
        for (i, row) in self.rows.iter().enumerate() {
            let range = row.range.as_ref().ok_or_else(|| ExportError::IndexMismatch {
                row: i,
                reason: "no byte range; resolve the index against the stream first".into(),
            })?;
            let [x, y, z] = row.chunk;
            // Writing to a String cannot fail.
            let _ =
                writeln!(out, "{x},{y},{z},{},{},{}", range.start, range.end - range.start, row.batch_row);
        }
        Ok(out)
    }
}

/// The value of a `schema_size=N` comment, `None` for other comments.
fn schema_size_comment(comment: &str) -> Result<Option<u64>, String> {
    let Some((key, value)) = comment.split_once('=') else { return Ok(None) };
    if key.trim() != "schema_size" {
        return Ok(None);
    }
    value.trim().parse().map(Some).map_err(|_| format!("invalid schema_size `{}`", value.trim()))
}

fn parse_row(
    variant: CsvVariant,
    text: &str,
    run: &mut Option<(Range<u64>, u64)>,
) -> Result<IndexRow, String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let names = variant.columns();
    if fields.len() != names.len() {
        return Err(format!("{} fields, expected {} ({})", fields.len(), names.len(), names.join(",")));
    }
    let field = |name: &str| -> &str {
        let i = names.iter().position(|n| *n == name).unwrap_or(0);
        fields[i]
    };
    let coord = |name: &str| -> Result<i32, String> {
        let v: i32 = number(name, field(name))?;
        if v < 0 { Err(format!("negative chunk coordinate {name}={v}")) } else { Ok(v) }
    };
    let chunk = [coord("x")?, coord("y")?, coord("z")?];
    let record = match variant {
        CsvVariant::Current => None,
        _ => Some(number::<u64>("rec", field("rec"))?),
    };
    let range = match variant {
        CsvVariant::Legacy => None,
        _ => {
            let offset: u64 = number("offset", field("offset"))?;
            let size: u64 = number("size", field("size"))?;
            let end =
                offset.checked_add(size).ok_or_else(|| format!("offset {offset} + size {size} overflows"))?;
            if size == 0 {
                return Err("size 0: a record batch message is never empty".into());
            }
            Some(offset..end)
        }
    };
    let batch_row = match (variant, &range, record) {
        (CsvVariant::Current, _, _) => number("batch_idx", field("batch_idx"))?,
        (CsvVariant::Transitional, Some(range), Some(rec)) => {
            let first = match run {
                Some((r, first)) if r == range => *first,
                _ => run.insert((range.clone(), rec)).1,
            };
            rec.checked_sub(first)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| format!("rec {rec} precedes the first row {first} of its batch"))?
        }
        _ => 0,
    };
    Ok(IndexRow { chunk, record, range, batch_row })
}

fn number<T: FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("invalid {name} `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dvid::export::scan::ScannedBatch;

    #[test]
    fn current_variant_with_schema_size_zero() {
        let idx = CsvIndex::parse(
            b"# schema_size=0\r\nx,y,z,offset,size,batch_idx\r\n1,2,3,0,1480,0\r\n4,5,6,1480,99,0\r\n",
        )
        .unwrap();
        assert_eq!(idx.variant, CsvVariant::Current);
        assert_eq!(idx.schema_size, Some(0));
        assert_eq!(
            idx.rows[0],
            IndexRow { chunk: [1, 2, 3], record: None, range: Some(0..1480), batch_row: 0 }
        );
        assert_eq!(idx.lookup([4, 5, 6]).unwrap().range, Some(1480..1579));
        assert_eq!(idx.lookup([4, 5, 7]).unwrap_err().code(), "CHUNK_NOT_IN_SHARD");
        assert_eq!(idx.by_chunk()[&[1, 2, 3]].batch_row, 0);
    }

    #[test]
    fn transitional_rows_sharing_a_batch_count_from_its_first_row() {
        let idx = CsvIndex::parse(
            b"# schema_size=8\nx,y,z,rec,offset,size\n0,0,0,0,8,100\n0,0,1,1,8,100\n0,0,2,2,108,50\n",
        )
        .unwrap();
        let rows: Vec<u32> = idx.rows.iter().map(|r| r.batch_row).collect();
        assert_eq!(rows, [0, 1, 0]);
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let cases: [(&[u8], usize, &str); 9] = [
            (b"", 1, "no header"),
            (b"a,b,c\n", 1, "unrecognised header"),
            (b"# schema_size=x\nx,y,z,rec\n", 1, "invalid schema_size"),
            (b"x,y,z,rec\n1,2,3\n", 2, "3 fields"),
            (b"x,y,z,rec\n1,2,3,0\n1,2,-3,1\n", 3, "negative chunk coordinate z=-3"),
            (b"x,y,z,rec\n1,2,3,0\n1,2,3,1\n", 3, "already listed on line 2"),
            (b"x,y,z,offset,size,batch_idx\n1,2,3,8,0,0\n", 2, "size 0"),
            (b"x,y,z,offset,size,batch_idx\n1,2,3,8,18446744073709551615,0\n", 2, "overflows"),
            (b"x,y,z,rec\n\xff,2,3,0\n", 2, "UTF-8"),
        ];
        for (text, line, reason) in cases {
            let err = CsvIndex::parse(text).unwrap_err();
            assert_eq!(err.code(), "CSV_INVALID");
            assert!(matches!(err, ExportError::CsvInvalid { line: l, .. } if l == line), "{err}");
            assert!(err.to_string().contains(reason), "{err} lacks {reason}");
        }
    }

    fn scan() -> BatchScan {
        BatchScan {
            schema: 0..16,
            batches: vec![ScannedBatch { range: 16..40, rows: 2 }, ScannedBatch { range: 40..64, rows: 1 }],
            next_offset: 72,
            finished: true,
        }
    }

    #[test]
    fn legacy_ranges_resolve_from_record_numbers() {
        let mut idx = CsvIndex::parse(b"x,y,z,rec\n0,0,0,0\n0,0,1,1\n0,0,2,2\n").unwrap();
        assert_eq!(idx.schema_size, None);
        assert!(idx.to_csv().is_err());
        idx.resolve_ranges(&scan()).unwrap();
        assert_eq!(idx.schema_size, Some(16));
        assert_eq!(
            idx.to_csv().unwrap(),
            "# schema_size=16\nx,y,z,offset,size,batch_idx\n0,0,0,16,24,0\n0,0,1,16,24,1\n0,0,2,40,24,0\n"
        );
        let mut beyond = CsvIndex::parse(b"x,y,z,rec\n0,0,0,3\n").unwrap();
        assert_eq!(beyond.resolve_ranges(&scan()).unwrap_err().code(), "CSV_INDEX_MISMATCH");
    }

    #[test]
    fn ranges_are_checked_against_the_scan() {
        let mut zero =
            CsvIndex::parse(b"# schema_size=0\nx,y,z,offset,size,batch_idx\n0,0,0,0,40,1\n").unwrap();
        zero.resolve_ranges(&scan()).unwrap();
        assert_eq!(zero.schema_size, Some(0));
        for bad in [&b"0,0,0,16,23,0"[..], b"0,0,0,40,24,1", b"0,0,0,8,32,0"] {
            let mut text = b"x,y,z,offset,size,batch_idx\n".to_vec();
            text.extend_from_slice(bad);
            let mut idx = CsvIndex::parse(&text).unwrap();
            assert_eq!(idx.resolve_ranges(&scan()).unwrap_err().code(), "CSV_INDEX_MISMATCH", "{bad:?}");
        }
        let mut wrong_rec = CsvIndex::parse(b"x,y,z,rec,offset,size\n0,0,0,1,40,24\n").unwrap();
        assert!(wrong_rec.resolve_ranges(&scan()).unwrap_err().to_string().contains("record 1 is row 0"));
    }
}
