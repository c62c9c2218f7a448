//! Pre-flight check of a RecordBatch message's field nodes and buffer descriptors against the
//! schema, before arrow-ipc decodes it. arrow-ipc 60 / arrow-data 60 panic instead of failing
//! on some malformed layouts: a buffer outside the body (`Buffer::slice_with_length` asserts)
//! and an offsets buffer whose length is not a multiple of its width (`Buffer::typed_data`
//! asserts during validation). Everything checked here is implied by the Arrow format.

use arrow_ipc::{MetadataVersion, RecordBatch as IpcBatch};
use arrow_schema::{DataType, Schema, UnionMode};

use super::ExportError;

/// Checks `batch` (with a body of `body_len` bytes) against `schema`, of which the columns in
/// `decoded` will be materialised.
pub(crate) fn check_layout(
    batch: &IpcBatch<'_>,
    schema: &Schema,
    decoded: &[usize],
    version: MetadataVersion,
    body_len: usize,
    at: u64,
) -> Result<(), ExportError> {
    let corrupt = |reason: String| ExportError::Corrupt(format!("record batch at byte {at}: {reason}"));
    if let Some(c) = batch.compression() {
        return Err(ExportError::Unsupported(format!(
            "record batch at byte {at} uses {} body compression",
            c.codec().variant_name().unwrap_or("unknown")
        )));
    }
    let rows = batch.length();
    // Every export row holds a 4-byte chunk_x, so a larger row count cannot be genuine; the
    // bound also keeps a forged count from sizing allocations.
    if rows < 0 || rows as u64 > body_len as u64 / 4 {
        return Err(corrupt(format!("row count {rows} does not fit a {body_len}-byte body")));
    }
    let nodes = batch.nodes().ok_or_else(|| corrupt("no field nodes".into()))?;
    if let Some(n) =
        nodes.iter().find(|n| n.length() < 0 || n.null_count() < 0 || n.null_count() > n.length())
    {
        return Err(corrupt(format!(
            "field node with length {} and null count {}",
            n.length(),
            n.null_count()
        )));
    }
    let buffers = batch.buffers().ok_or_else(|| corrupt("no buffers".into()))?;
    let lengths: Vec<u64> = buffers
        .iter()
        .map(|b| match (u64::try_from(b.offset()), u64::try_from(b.length())) {
            // Both below 2^63, so the sum cannot overflow.
            (Ok(offset), Ok(length)) if offset + length <= body_len as u64 => Ok(length),
            _ => Err(corrupt(format!(
                "buffer [{}, +{}) lies outside the {body_len}-byte body",
                b.offset(),
                b.length()
            ))),
        })
        .collect::<Result<_, _>>()?;
    let mut walk = Walk { nodes: nodes.len(), buffers: &lengths, version };
    for (i, field) in schema.fields().iter().enumerate() {
        walk.field(field.data_type(), decoded.contains(&i)).map_err(|e| match e {
            WalkError::Corrupt(reason) => corrupt(format!("column `{}`: {reason}", field.name())),
            WalkError::Unsupported(what) => {
                ExportError::Unsupported(format!("column `{}` has type {what}", field.name()))
            }
        })?;
    }
    Ok(())
}

enum WalkError {
    Corrupt(String),
    Unsupported(String),
}

/// Consumes field nodes and buffers in schema order, as the IPC format lays them out.
struct Walk<'a> {
    nodes: usize,
    buffers: &'a [u64],
    version: MetadataVersion,
}

impl Walk<'_> {
    fn field(&mut self, data_type: &DataType, decoded: bool) -> Result<(), WalkError> {
        use DataType::*;
        self.nodes = self
            .nodes
            .checked_sub(1)
            .ok_or_else(|| WalkError::Corrupt("the message has fewer field nodes than the schema".into()))?;
        // Buffer count, and which buffer holds fixed-width offsets or values of which width.
        let (count, typed) = match data_type {
            Null | RunEndEncoded(..) => (0, None),
            Utf8 | Binary => (3, Some((1, 4))),
            LargeUtf8 | LargeBinary => (3, Some((1, 8))),
            List(_) | Map(..) => (2, Some((1, 4))),
            LargeList(_) => (2, Some((1, 8))),
            ListView(_) | LargeListView(_) => (3, None),
            FixedSizeList(..) | Struct(_) => (1, None),
            Union(_, mode) => {
                let validity = usize::from(self.version < MetadataVersion::V5);
                (validity + 1 + usize::from(*mode == UnionMode::Dense), None)
            }
            // Variadic buffer counts live in the message; nothing DVID writes uses them.
            Utf8View | BinaryView => return Err(WalkError::Unsupported(data_type.to_string())),
            other => (2, other.primitive_width().map(|w| (1, w))),
        };
        if self.buffers.len() < count {
            return Err(WalkError::Corrupt("the message has fewer buffers than the schema".into()));
        }
        let (mine, rest) = self.buffers.split_at(count);
        self.buffers = rest;
        if let Some((i, width)) = typed.filter(|_| decoded) {
            if mine[i] % width as u64 != 0 {
                return Err(WalkError::Corrupt(format!(
                    "a {}-byte buffer cannot hold {width}-byte values",
                    mine[i]
                )));
            }
        }
        match data_type {
            List(c) | LargeList(c) | Map(c, _) | ListView(c) | LargeListView(c) | FixedSizeList(c, _) => {
                self.field(c.data_type(), decoded)
            }
            Struct(fields) => fields.iter().try_for_each(|f| self.field(f.data_type(), decoded)),
            Union(fields, _) => fields.iter().try_for_each(|(_, f)| self.field(f.data_type(), decoded)),
            RunEndEncoded(ends, values) => {
                self.field(ends.data_type(), decoded)?;
                self.field(values.data_type(), decoded)
            }
            _ => Ok(()),
        }
    }
}
