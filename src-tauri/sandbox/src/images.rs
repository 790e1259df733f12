//! Small real images served at `GET /img/{name}`, the way a message's remote images are: the demo
//! emails and push messages point at them, so a test sees in the request log whether the app
//! fetched a message's images.
//!
//! They are drawn and encoded here (PNG with stored deflate blocks, GIF with literal-only LZW)
//! rather than kept as binary files: no image crate is needed and the bytes are reproducible.

use std::sync::OnceLock;

/// An image the sandbox serves.
pub struct Image {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The names served under `/img/`.
pub const NAMES: [&str; 4] = ["logo.png", "promo.png", "banner.gif", "pixel.gif"];

/// The image called `name`, if the sandbox has one.
pub fn get(name: &str) -> Option<&'static Image> {
    static ALL: OnceLock<Vec<Image>> = OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            Image { name: "logo.png", content_type: "image/png", bytes: logo_png() },
            Image { name: "promo.png", content_type: "image/png", bytes: promo_png() },
            Image { name: "banner.gif", content_type: "image/gif", bytes: banner_gif() },
            Image { name: "pixel.gif", content_type: "image/gif", bytes: PIXEL_GIF.to_vec() },
        ]
    })
    .iter()
    .find(|i| i.name == name)
}

/// The usual 1×1 transparent tracking pixel (43 bytes).
const PIXEL_GIF: [u8; 43] = [
    b'G', b'I', b'F', b'8', b'9', b'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 4, 1, 0, 0, 0,
    0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B,
];

/// The store's logo for email headers: 140×40, a blue band with a white frame.
fn logo_png() -> Vec<u8> {
    let palette = [[0x0b, 0x5f, 0xff], [0xff, 0xff, 0xff], [0x08, 0x44, 0xb8]];
    let (w, h) = (140, 40);
    png(w, h, &palette, |x, y| {
        if x < 3 || y < 3 || x >= w - 3 || y >= h - 3 {
            1
        } else if (x / 10 + y / 10) % 2 == 0 {
            0
        } else {
            2
        }
    })
}

/// A push message's picture: 400×200, a diagonal gradient in the campaign colours.
fn promo_png() -> Vec<u8> {
    let palette: Vec<[u8; 3]> =
        (0..32u32).map(|i| [(0xe4 - i * 2) as u8, (0x57 + i * 3) as u8, (0x2e + i * 4) as u8]).collect();
    png(400, 200, &palette, |x, y| (((x + y) * 32 / 600) as u8).min(31))
}

/// An email banner: 600×200, diagonal stripes in four colours.
fn banner_gif() -> Vec<u8> {
    let palette = [[0x17, 0xa3, 0x98], [0xf0, 0xa2, 0x02], [0x6c, 0x4a, 0xb6], [0xff, 0xff, 0xff]];
    gif(600, 200, &palette, |x, y| (((x + 2 * y) / 40) % 4) as u8)
}

/// An 8-bit palette PNG whose pixel (x, y) is `pixel(x, y)`, an index into `palette`.
fn png(width: u32, height: u32, palette: &[[u8; 3]], pixel: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        raw.extend((0..width).map(|x| pixel(x, y)));
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 3, 0, 0, 0]); // 8 bits, palette, deflate, adaptive filtering, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"PLTE", &palette.concat());
    png_chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// A zlib stream of uncompressed deflate blocks (valid, if not small).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend([1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + *byte as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= *byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A GIF89a with a 4-colour palette whose pixel (x, y) is `pixel(x, y)`.
fn gif(width: u16, height: u16, palette: &[[u8; 3]; 4], pixel: impl Fn(u16, u16) -> u8) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend(width.to_le_bytes());
    out.extend(height.to_le_bytes());
    out.extend([0b1000_0001, 0, 0]); // global palette of 2^(1+1) colours
    out.extend(palette.concat());
    out.push(0x2C); // image descriptor
    out.extend([0, 0, 0, 0]);
    out.extend(width.to_le_bytes());
    out.extend(height.to_le_bytes());
    out.push(0);
    // LZW that sends every pixel as a literal, with a clear code often enough that the code
    // width never grows: any decoder reads it, and no compression table is needed here.
    const MIN_CODE_SIZE: u8 = 2;
    const CLEAR: u32 = 4;
    const END: u32 = 5;
    const WIDTH: u32 = 3;
    // After a clear, each literal but the first adds a table entry from code 6; the width would
    // grow at entry 8, so clear after two literals.
    const LITERALS_PER_CLEAR: usize = 2;
    let mut bits = BitWriter::default();
    let mut since_clear = LITERALS_PER_CLEAR;
    for y in 0..height {
        for x in 0..width {
            if since_clear == LITERALS_PER_CLEAR {
                bits.write(CLEAR, WIDTH);
                since_clear = 0;
            }
            bits.write(pixel(x, y) as u32 & 3, WIDTH);
            since_clear += 1;
        }
    }
    bits.write(END, WIDTH);
    out.push(MIN_CODE_SIZE);
    for block in bits.finish().chunks(255) {
        out.push(block.len() as u8);
        out.extend(block);
    }
    out.push(0); // end of image data
    out.push(0x3B); // trailer
    out
}

/// Codes packed least significant bit first, as GIF's LZW wants them.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn write(&mut self, code: u32, width: u32) {
        self.acc |= code << self.n;
        self.n += width;
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_adler_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let z = zlib_stored(b"Wikipedia");
        assert_eq!(&z[z.len() - 4..], &0x11E6_0398u32.to_be_bytes());
    }

    #[test]
    fn every_image_has_its_format_signature_and_size() {
        for name in NAMES {
            let image = get(name).unwrap();
            match image.content_type {
                "image/png" => assert!(image.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}"),
                "image/gif" => assert!(image.bytes.starts_with(b"GIF89a") && image.bytes.ends_with(b";"), "{name}"),
                other => panic!("{name}: {other}"),
            }
        }
        let logo = &get("logo.png").unwrap().bytes;
        assert_eq!((&logo[16..20], &logo[20..24]), (&140u32.to_be_bytes()[..], &40u32.to_be_bytes()[..]));
        let banner = &get("banner.gif").unwrap().bytes;
        assert_eq!((&banner[6..8], &banner[8..10]), (&600u16.to_le_bytes()[..], &200u16.to_le_bytes()[..]));
        assert!(get("missing.png").is_none());
    }
}
