//! MurmurHash3_x86_128 specialised to one 8-byte key, as the sharded format uses it (docs/formats/sharded.md
//! §2.3).

const C1: u32 = 0x239b_961b;
const C2: u32 = 0xab0e_9789;
const C3: u32 = 0x38b3_4ae5;

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// MurmurHash3_x86_128 of the 8 little-endian bytes of `key` with `seed`, as the four output
/// words `(h1, h2, h3, h4)`.
///
/// An 8-byte key has no full 16-byte block, so only the tail mixing of words 1 and 2 and the
/// finalisation remain.
pub fn murmurhash3_x86_128(key: u64, seed: u32) -> [u32; 4] {
    let [mut h1, mut h2, mut h3, mut h4] = [seed; 4];
    let low = key as u32;
    let high = (key >> 32) as u32;
    h2 ^= high.wrapping_mul(C2).rotate_left(16).wrapping_mul(C3);
    h1 ^= low.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);

    const LEN: u32 = 8;
    h1 ^= LEN;
    h2 ^= LEN;
    h3 ^= LEN;
    h4 ^= LEN;
    h1 = h1.wrapping_add(h2).wrapping_add(h3).wrapping_add(h4);
    h2 = h2.wrapping_add(h1);
    h3 = h3.wrapping_add(h1);
    h4 = h4.wrapping_add(h1);
    h1 = fmix32(h1);
    h2 = fmix32(h2);
    h3 = fmix32(h3);
    h4 = fmix32(h4);
    h1 = h1.wrapping_add(h2).wrapping_add(h3).wrapping_add(h4);
    h2 = h2.wrapping_add(h1);
    h3 = h3.wrapping_add(h1);
    h4 = h4.wrapping_add(h1);
    [h1, h2, h3, h4]
}

/// The sharded format's hashed chunk id: seed 0, low 8 output bytes as a little-endian u64
/// (`h1 | h2 << 32`).
pub fn murmurhash3_x86_128_low64(key: u64) -> u64 {
    let [h1, h2, _, _] = murmurhash3_x86_128(key, 0);
    u64::from(h1) | (u64::from(h2) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_tensorstore_vectors() {
        // (key, seed, h1, h2); TensorStore's test lists h2 = h3 = h4 for 8-byte keys.
        let cases = [
            (0, 0, 0xe028ae41, 0x4772b084),
            (0, 1, 0x5ad58a7e, 0x54337108),
            (0, 2, 0x64010da2, 0x62e8bc17),
            (1, 0, 0x16d4ce9a, 0xe8bd67d6),
            (1, 1, 0x4b7ab8c6, 0xeb555955),
            (1, 2, 0xeb2301be, 0x48e12494),
            (42, 0, 0x5119f47a, 0xc20b94f9),
            (42, 1, 0xd6b51bca, 0xa25ad86b),
            (42, 2, 0x2d83d9c7, 0x082115eb),
        ];
        for (key, seed, h1, h2) in cases {
            assert_eq!(murmurhash3_x86_128(key, seed), [h1, h2, h2, h2], "key {key} seed {seed}");
        }
    }

    #[test]
    fn low64_matches_derived_vectors() {
        assert_eq!(murmurhash3_x86_128_low64(0), 0x4772b084e028ae41);
        assert_eq!(murmurhash3_x86_128_low64(1), 0xe8bd67d616d4ce9a);
        assert_eq!(murmurhash3_x86_128_low64(42), 0xc20b94f95119f47a);
    }

    #[test]
    fn mixes_the_high_key_word() {
        // TensorStore's keys all have a zero high word, which is why h2 = h3 = h4 there; these
        // were computed with Python mmh3 5.3.1 (`hash128(key_le_bytes, 0, x64arch=False)`).
        let cases = [
            (1 << 32, [0x3b78fd64, 0xbbb12d13, 0x355ba269, 0x355ba269]),
            (0x0123456789abcdef, [0x4c109d93, 0x70803626, 0xcac796e8, 0xcac796e8]),
            (u64::MAX, [0x212b5d1a, 0x574f66bd, 0xbcbc1d09, 0xbcbc1d09]),
        ];
        for (key, words) in cases {
            assert_eq!(murmurhash3_x86_128(key, 0), words, "key {key:#x}");
        }
        assert_eq!(murmurhash3_x86_128_low64(0x0123456789abcdef), 0x708036264c109d93);
    }
}
