//! Validation of the loosely typed arguments that arrive from JavaScript (numbers in
//! typed arrays, sentinel levels), shared by the boundary's operations.

use crate::Error;
use crate::compress::CompressError;
use crate::volume::Shape;

/// Reads a `[x, y, z]` shape.
pub fn shape3(v: &[u32], what: &str) -> Result<Shape, Error> {
    match v {
        [x, y, z] => Ok([*x as usize, *y as usize, *z as usize]),
        _ => Err(Error::InvalidArgument(format!("{what} must have 3 entries, got {}", v.len()))),
    }
}

/// Reads a `[x, y, z]` or `[x, y, z, channels]` shape; channels default to 1.
pub fn shape4(v: &[u32], what: &str) -> Result<(Shape, usize), Error> {
    match v {
        [x, y, z] => Ok(([*x as usize, *y as usize, *z as usize], 1)),
        [x, y, z, c] => Ok(([*x as usize, *y as usize, *z as usize], *c as usize)),
        _ => Err(Error::InvalidArgument(format!("{what} must have 3 or 4 entries, got {}", v.len()))),
    }
}

/// Reads an optional gzip level; absent or -1 means "do not gzip".
pub fn gzip_level(level: Option<i32>) -> Result<Option<u32>, Error> {
    match level {
        None | Some(-1) => Ok(None),
        Some(l) => {
            let level = u32::try_from(l).map_err(|_| CompressError::InvalidLevel(l))?;
            crate::compress::check_gzip_level(level)?;
            Ok(Some(level))
        }
    }
}

/// Reads an optional byte limit (a JS number); absent means unlimited.
pub fn byte_limit(max_bytes: Option<f64>) -> usize {
    match max_bytes {
        None => usize::MAX,
        Some(m) if m.is_nan() || m <= 0.0 => 0,
        Some(m) => m.min(usize::MAX as f64) as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(shape3(&[1, 2, 3], "s").unwrap(), [1, 2, 3]);
        assert!(shape3(&[1, 2], "s").is_err());
        assert_eq!(shape4(&[1, 2, 3, 4], "s").unwrap(), ([1, 2, 3], 4));
        assert_eq!(gzip_level(Some(-1)).unwrap(), None);
        assert_eq!(gzip_level(Some(9)).unwrap(), Some(9));
        assert!(gzip_level(Some(10)).is_err());
        assert_eq!(byte_limit(None), usize::MAX);
        assert_eq!(byte_limit(Some(1e3)), 1000);
    }
}
