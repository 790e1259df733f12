//! Check 5: the logo for Yespo's authorization form. Yespo's documentation: "maximum JPG, GIF,
//! or PNG size is 1 MB; recommended aspect ratio is 1:1 (96×96px); larger images will be cropped
//! to 100% width and center-aligned". The check tells, before the upload, whether Yespo will take
//! the file (format by its content, size, not cut short) and draws it as the form will show it.
//!
//! The file is read bounded: in full only when it is within the limit, else just its head, for
//! the format and dimensions. Decoding is capped (sides and memory), as a small file can claim
//! any size in its header.

use super::report::{CheckData, CheckId, CheckResult, Finding, Verdict};
use base64::Engine as _;
use image::codecs::gif::GifDecoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{
    AnimationDecoder, DynamicImage, GenericImageView, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgba,
    Rgba32FImage, RgbaImage,
};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use ts_rs::TS;

/// Yespo's limit, "1 MB", taken as 1 MiB (1,048,576 bytes): upload limits written "1M" or "1 MB"
/// (PHP's `upload_max_filesize`, nginx's `client_max_body_size`, Windows Explorer) count in
/// 1024s. A file between 1,000,000 bytes and this gets a warning, in case Yespo counts in 1000s.
pub const MAX_LOGO_BYTES: u64 = 1024 * 1024;

/// The size above which a file is over the limit if Yespo counts a megabyte as a million bytes.
const MILLION_BYTES: u64 = 1_000_000;

/// The logo's box on the authorization form (and the recommended logo size), in pixels.
const BOX: u32 = 96;

/// How much of a file over the limit is read: enough for its header and dimensions, which in a
/// JPEG come after its EXIF, ICC and XMP segments (up to 64 KB each).
const HEAD_BYTES: u64 = 256 * 1024;

/// The largest side decoded. A logo is never near this; a header claiming more is a damaged file
/// or a decompression bomb (a 1 MB PNG can claim 60000×60000, 14 GB of pixels).
const MAX_SIDE: u32 = 10_000;

/// The most memory a decoder may take (the pixels and its own buffers).
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// How many pixels of an animated GIF's frames are decoded before the rest is left unchecked:
/// each frame is drawn on the whole canvas, and a 1 MB GIF can hold thousands of frames.
const MAX_FRAME_PIXELS: u64 = 200_000_000;

/// What was learnt about the logo file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogoFacts {
    pub file_name: String,
    /// The file's length.
    pub bytes: u64,
    /// The format by the content ("PNG", "JPEG", "GIF", or another's name such as "WEBP").
    pub format: Option<String>,
    /// As shown, after a JPEG's EXIF orientation (as browsers show it).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `data:image/png;base64,...`: the logo as Yespo's form shows it (96×96).
    pub preview: Option<String>,
    /// The name's extension agrees with the content (false when the content is not PNG, JPEG or
    /// GIF).
    pub extension_matches: bool,
}

/// Check the logo file at `path`: read it (in full only when within the limit) and check it.
pub fn check_logo(path: &Path) -> CheckResult {
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    match read_bounded(path) {
        Ok((bytes, total_len)) => check_logo_bytes(&file_name, &bytes, total_len),
        Err(e) => {
            let mut found = Findings::default();
            found.problem(
                Verdict::Fail,
                format!("{} could not be read: {}", path.display(), in_words(&e)),
                "Check that the file is still there and can be read, or choose it again.",
            );
            found.finish(format!("Could not read {file_name}."), None)
        }
    }
}

/// Check a logo from its bytes: the whole file, or only its head when `total_len` (the file's
/// length) is longer; then only the format and dimensions are checked, not the picture.
pub fn check_logo_bytes(file_name: &str, bytes: &[u8], total_len: u64) -> CheckResult {
    let total = total_len.max(bytes.len() as u64);
    let mut facts = LogoFacts {
        file_name: file_name.to_string(),
        bytes: total,
        format: None,
        width: None,
        height: None,
        preview: None,
        extension_matches: false,
    };
    let mut found = Findings::default();
    if total == 0 {
        found.problem(
            Verdict::Fail,
            "The file is empty (0 bytes).",
            "Choose the logo again: this file has nothing in it.",
        );
        return found.finish("Empty file (0 bytes).", Some(facts));
    }

    // The format, by the content: Yespo's form may go by the name, but the browser that shows the
    // logo (and Yespo's own processing) goes by the bytes.
    let extension = Path::new(file_name).extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    let accepted = Accepted::of(bytes);
    match accepted {
        Some(format) => {
            facts.format = Some(format.name().into());
            facts.extension_matches = extension.as_deref().is_some_and(|e| format.extensions().contains(&e));
            found.pass(format!("The content is {}, a format Yespo takes.", format.name()));
            if !facts.extension_matches {
                let name_says = match &extension {
                    Some(e) => format!("its name ends in .{e}"),
                    None => "its name has no extension".into(),
                };
                found.problem(
                    Verdict::Warn,
                    format!("The file is {} but {name_says}; Yespo's upload form may go by the name.", format.name()),
                    format!("Rename it to {}.", renamed(file_name, format.extensions()[0])),
                );
            }
        }
        None => {
            let other = other_format(bytes);
            let content = match &other {
                Some(o) if o.image => format!("The file's content is {}", o.name),
                Some(o) => format!("The file's content is {}, not an image", o.name),
                None => "The file's content is not a picture format this check knows".into(),
            };
            // A name promising one of Yespo's formats is the trap worth pointing out.
            let name_says = match &extension {
                Some(e) if ACCEPTED_EXTENSIONS.contains(&e.as_str()) => format!(", though its name ends in .{e}"),
                _ => String::new(),
            };
            found.problem(
                Verdict::Fail,
                format!("{content}{name_says}; Yespo takes only PNG, JPG or GIF."),
                "Save it as PNG, JPG or GIF.",
            );
            facts.format = other.map(|o| o.name);
        }
    }

    let over_limit = total > MAX_LOGO_BYTES;
    if over_limit {
        found.problem(
            Verdict::Fail,
            format!(
                "The file is {} ({} bytes), over Yespo's limit of 1 MB ({} bytes).",
                size_text(total),
                thousands(total),
                thousands(MAX_LOGO_BYTES)
            ),
            "Save it smaller than 1 MB: a 96×96 logo is usually a few KB.",
        );
    } else if total > MILLION_BYTES {
        found.problem(
            Verdict::Warn,
            format!(
                "The file is {} bytes: within 1 MB counted as {} bytes, but over it if Yespo counts a million.",
                thousands(total),
                thousands(MAX_LOGO_BYTES)
            ),
            "Save it under 1,000,000 bytes to be safe: a 96×96 logo is usually a few KB.",
        );
    } else {
        found.pass(format!("{} is within Yespo's 1 MB limit.", size_text(total)));
    }

    let Some(format) = accepted else {
        return found.finish(summary(&facts, None), Some(facts));
    };

    // The dimensions from the header (all a head gives), then the whole picture when there is one.
    let whole = bytes.len() as u64 == total && !over_limit;
    let header = read_header(bytes, format.image_format());
    let mut shown = header.as_ref().ok().map(|h| h.shown_size());
    let mut frames = None;
    match (&header, whole) {
        (Err(e), true) => found.damaged(&problem_of(e)),
        (Err(_), false) => {
            found.note(format!("Its dimensions are not in the first {} read.", size_text(bytes.len() as u64)));
        }
        (Ok(_), false) if over_limit => {
            found.note("Not opened in full, being over the limit: the format and dimensions come from its header.");
        }
        (Ok(_), false) => {
            found.note(format!(
                "Only the first {} was given, for the format and dimensions; the picture itself was not checked.",
                size_text(bytes.len() as u64)
            ));
        }
        (Ok(h), true) if h.width > MAX_SIDE || h.height > MAX_SIDE => found.damaged(&Problem::TooLarge),
        (Ok(_), true) => match decode(bytes, format) {
            Ok(decoded) => {
                found.pass("It decodes in full: not cut short or damaged.");
                let (width, height) = decoded.image.dimensions();
                shown = Some((width, height));
                if decoded.frames > 1 {
                    let all = if decoded.all_frames_checked { "" } else { " (not all were checked: too many)" };
                    found.pass(format!("Animated: {} frames{all}; the preview shows the first.", decoded.frames));
                    frames = Some(decoded.frames);
                }
                facts.preview = render_preview(&decoded.image);
            }
            Err(problem) => found.damaged(&problem),
        },
    }
    if let Ok(h) = &header {
        if h.orientation != Orientation::NoTransforms {
            found.pass("Its EXIF orientation turns or flips it: the size and preview here show it so, as browsers do.");
        }
    }
    if let Some((width, height)) = shown {
        facts.width = Some(width);
        facts.height = Some(height);
        dimension_findings(&mut found, width, height);
    }
    found.finish(summary(&facts, frames), Some(facts))
}

/// The extensions of the formats Yespo takes.
const ACCEPTED_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "gif"];

/// The formats Yespo takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Png,
    Jpeg,
    Gif,
}

impl Accepted {
    /// The format of `bytes` by their signature, if Yespo takes it.
    fn of(bytes: &[u8]) -> Option<Accepted> {
        match image::guess_format(bytes) {
            Ok(ImageFormat::Png) => Some(Accepted::Png),
            Ok(ImageFormat::Jpeg) => Some(Accepted::Jpeg),
            Ok(ImageFormat::Gif) => Some(Accepted::Gif),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Accepted::Png => "PNG",
            Accepted::Jpeg => "JPEG",
            Accepted::Gif => "GIF",
        }
    }

    /// The extensions a name of this format ends in, the usual one first.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Accepted::Png => &["png"],
            Accepted::Jpeg => &["jpg", "jpeg"],
            Accepted::Gif => &["gif"],
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Accepted::Png => ImageFormat::Png,
            Accepted::Jpeg => ImageFormat::Jpeg,
            Accepted::Gif => ImageFormat::Gif,
        }
    }
}

/// A format Yespo does not take, named.
struct OtherFormat {
    name: String,
    image: bool,
}

/// The name of a format Yespo does not take, when it can be told: SVG by its text, the rest by
/// their first bytes (infer knows WEBP, HEIC, AVIF, TIFF, BMP, ICO, PSD... and non-images such
/// as PDF; image knows a few more picture formats).
fn other_format(bytes: &[u8]) -> Option<OtherFormat> {
    let picture = |name: &str| Some(OtherFormat { name: name.into(), image: true });
    if looks_like_svg(bytes) {
        return picture("SVG");
    }
    if let Some(kind) = infer::get(bytes) {
        return match kind.mime_type() {
            "image/webp" => picture("WEBP"),
            // What iPhones save; infer calls HEIC and HEIF both "image/heif".
            "image/heif" => picture("HEIC"),
            "image/avif" => picture("AVIF"),
            "image/tiff" => picture("TIFF"),
            "image/bmp" => picture("BMP"),
            "image/vnd.microsoft.icon" => picture("ICO"),
            "image/vnd.adobe.photoshop" => picture("PSD (Photoshop)"),
            "image/jxl" => picture("JPEG XL"),
            "image/vnd.ms-photo" => picture("JPEG XR"),
            _ => Some(OtherFormat {
                name: kind.extension().to_ascii_uppercase(),
                image: kind.matcher_type() == infer::MatcherType::Image,
            }),
        };
    }
    image::guess_format(bytes).ok().and_then(|f| picture(&format!("{f:?}").to_ascii_uppercase()))
}

/// An SVG: text whose first element (after an XML declaration, comments or a doctype) is `<svg`.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    head.trim_start_matches('\u{feff}').trim_start().starts_with('<') && head.contains("<svg")
}

/// The header's dimensions and EXIF orientation.
struct Header {
    width: u32,
    height: u32,
    orientation: Orientation,
}

impl Header {
    /// The size as shown: a quarter turn swaps the sides.
    fn shown_size(&self) -> (u32, u32) {
        match self.orientation {
            Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH => (self.height, self.width),
            _ => (self.width, self.height),
        }
    }
}

/// Read the header only. No side limit here, so that the size a file claims can be reported;
/// making a decoder reads no pixels.
fn read_header(bytes: &[u8], format: ImageFormat) -> Result<Header, ImageError> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    // A damaged EXIF block is not worth a verdict: the picture is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok(Header { width, height, orientation })
}

/// The limits of a full decode.
fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Why a file did not decode.
enum Problem {
    /// Cut short, or bad data.
    Damaged(String),
    /// Over the decoding limits.
    TooLarge,
    /// Valid, perhaps, but in a variant the decoder does not handle (an arithmetic-coded JPEG...).
    Unsupported(String),
}

fn problem_of(e: &ImageError) -> Problem {
    match e {
        ImageError::Limits(_) => Problem::TooLarge,
        ImageError::Unsupported(u) => Problem::Unsupported(u.to_string()),
        ImageError::IoError(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            Problem::Damaged("it ends before its picture does".into())
        }
        other => Problem::Damaged(other.to_string()),
    }
}

/// A decoded logo: its first frame, oriented as shown.
struct Decoded {
    image: DynamicImage,
    frames: u32,
    all_frames_checked: bool,
}

/// Decode the whole file, to know it is complete and to draw the preview.
fn decode(bytes: &[u8], format: Accepted) -> Result<Decoded, Problem> {
    let to_problem = |e: ImageError| problem_of(&e);
    if format == Accepted::Gif {
        // Every frame, to the GIF's trailer: the first frame alone decodes from a cut file.
        let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(to_problem)?;
        decoder.set_limits(decode_limits()).map_err(to_problem)?;
        let (width, height) = decoder.dimensions();
        let frame_pixels = u64::from(width) * u64::from(height);
        let (mut first, mut frames, mut all_frames_checked) = (None, 0u32, true);
        for frame in decoder.into_frames() {
            let frame = frame.map_err(to_problem)?;
            frames += 1;
            if first.is_none() {
                first = Some(frame.into_buffer());
            }
            if u64::from(frames) * frame_pixels > MAX_FRAME_PIXELS {
                all_frames_checked = false;
                break;
            }
        }
        let first = first.ok_or_else(|| Problem::Damaged("it holds no picture".into()))?;
        return Ok(Decoded { image: DynamicImage::ImageRgba8(first), frames, all_frames_checked });
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(to_problem)?;
    // `ImageReader::decode` counts the picture's own buffer against the limit; `from_decoder`
    // (needed here for the orientation) does not, so it is counted here.
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(Problem::TooLarge);
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(to_problem)?;
    image.apply_orientation(orientation);
    // zune-jpeg (image's JPEG decoder) paints a cut JPEG's missing part grey, and the PNG decoder
    // stops at the last pixel: both decode a file cut short without complaint. Its end marker
    // tells.
    let complete = match format {
        Accepted::Png => png_has_end(bytes),
        Accepted::Jpeg => jpeg_has_end(bytes),
        Accepted::Gif => true,
    };
    if !complete {
        return Err(Problem::Damaged("its end is missing (no end-of-image marker)".into()));
    }
    Ok(Decoded { image, frames: 1, all_frames_checked: true })
}

/// Whether a PNG's chunks run to its IEND chunk.
fn png_has_end(bytes: &[u8]) -> bool {
    let mut at: usize = 8; // after the signature
    while let Some(chunk) = at.checked_add(8).and_then(|end| bytes.get(at..end)) {
        if &chunk[4..8] == b"IEND" {
            return bytes.len() - at >= 12; // with its CRC
        }
        let length = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize;
        at = at.saturating_add(length).saturating_add(12); // length, type, data, CRC
    }
    false
}

/// Whether a JPEG runs to its end-of-image marker (FF D9). Segments are skipped by their
/// length, as an EXIF segment holds a whole thumbnail JPEG with its own end marker; in the
/// compressed data a 0xFF byte is always followed by 00 or a restart marker.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut at = 2; // after the start-of-image marker
    while let Some(rest) = bytes.get(at..) {
        let Some(ff) = memchr::memchr(0xFF, rest).map(|i| at + i) else { return false };
        let Some(&marker) = bytes.get(ff + 1) else { return false };
        at = match marker {
            0xD9 => return true,
            // A fill byte: the marker follows.
            0xFF => ff + 1,
            // A stuffed 0xFF in the compressed data, a restart marker, TEM: no length follows.
            0x00 | 0x01 | 0xD0..=0xD7 => ff + 2,
            _ => match bytes.get(ff + 2..ff + 4) {
                Some(len) => ff + 2 + usize::from(u16::from_be_bytes([len[0], len[1]])),
                None => return false,
            },
        };
    }
    false
}

/// The findings on the logo's shape and size as shown on the form.
fn dimension_findings(found: &mut Findings, width: u32, height: u32) {
    if width == 0 || height == 0 {
        found.damaged(&Problem::Damaged(format!("it claims to be {width}×{height} pixels")));
        return;
    }
    if width == height && width == BOX {
        found.pass("96×96 px, square: the recommended size.");
    } else if width == height && width > BOX {
        found.pass(format!("{width}×{height} px, square (1:1); the form shows it at the recommended 96×96."));
    } else if width != height {
        let how = if height > width {
            let cut = (u64::from(height - width) * 100).div_ceil(u64::from(height));
            format!("cutting off {cut}% of its height, half at the top and half at the bottom")
        } else {
            let band = (BOX - scaled_height(width, height)) / 2;
            if band == 0 {
                "which leaves it barely shorter than the box".into()
            } else {
                format!("leaving transparent bands of about {band} px above and below it")
            }
        };
        found.problem(
            Verdict::Warn,
            format!(
                "{width}×{height} px is not square (1:1): the form scales it to its full width and centres it, {how}."
            ),
            "Crop it to a square, ideally 96×96 px.",
        );
    }
    if width < BOX {
        found.problem(
            Verdict::Warn,
            format!("{width} px wide is less than the recommended 96: the form scales it up, so it will look blurry."),
            "Use a 96×96 px version of the logo, or a larger square.",
        );
    }
}

/// The height of a `width`×`height` picture scaled to the box's width.
fn scaled_height(width: u32, height: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(BOX) + u64::from(width) / 2) / u64::from(width);
    scaled.clamp(1, u64::from(BOX)) as u32
}

/// The logo as Yespo's form shows it, as a `data:` URL of a 96×96 PNG: scaled to the box's
/// full width, centred; a tall logo loses its top and bottom, a wide one has transparent bands.
fn render_preview(image: &DynamicImage) -> Option<String> {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return None;
    }
    // The part the box shows (the middle square of a tall logo) and its height in the box.
    let (top, rows, out_height) =
        if height > width { ((height - width) / 2, width, BOX) } else { (0, height, scaled_height(width, height)) };
    let shown = imageops::crop_imm(image, 0, top, width, rows);
    // Averaged down first to at most twice the box (Lanczos over a large picture is slow), then
    // Lanczos to the box, all with premultiplied alpha, so transparent pixels' colours (often
    // black) do not bleed into the edges.
    let reduce = (width / (2 * BOX)).max(1);
    let premultiplied = box_reduce_premultiplied(&*shown, reduce);
    let scaled = imageops::resize(&premultiplied, BOX, out_height, FilterType::Lanczos3);
    let mut canvas = RgbaImage::new(BOX, BOX); // transparent
    let offset = (BOX - out_height) / 2;
    for (x, y, p) in scaled.enumerate_pixels() {
        canvas.put_pixel(x, y + offset, unpremultiply(p));
    }
    let mut png = Vec::new();
    canvas.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).ok()?;
    Some(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png)))
}

/// The picture averaged over `factor`×`factor` blocks, as premultiplied RGBA in 0..1.
fn box_reduce_premultiplied(view: &impl GenericImageView<Pixel = Rgba<u8>>, factor: u32) -> Rgba32FImage {
    let (width, height) = view.dimensions();
    let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
    let mut sums = vec![[0f32; 5]; out_width as usize * out_height as usize]; // r, g, b, a, count
    for y in 0..height {
        let row = (y / factor) as usize * out_width as usize;
        for x in 0..width {
            let [r, g, b, a] = view.get_pixel(x, y).0.map(|c| f32::from(c) / 255.0);
            let sum = &mut sums[row + (x / factor) as usize];
            sum[0] += r * a;
            sum[1] += g * a;
            sum[2] += b * a;
            sum[3] += a;
            sum[4] += 1.0;
        }
    }
    Rgba32FImage::from_fn(out_width, out_height, |x, y| {
        let s = sums[y as usize * out_width as usize + x as usize];
        Rgba([s[0] / s[4], s[1] / s[4], s[2] / s[4], s[3] / s[4]])
    })
}

/// Back from premultiplied alpha to 8-bit RGBA. Lanczos overshoots, so values are clamped.
fn unpremultiply(p: &Rgba<f32>) -> Rgba<u8> {
    let alpha = p[3].clamp(0.0, 1.0);
    if alpha <= 0.0 {
        return Rgba([0, 0, 0, 0]);
    }
    let byte = |v: f32| (v * 255.0).round() as u8;
    let colour = |c: f32| byte(c.clamp(0.0, alpha) / alpha);
    Rgba([colour(p[0]), colour(p[1]), colour(p[2]), byte(alpha)])
}

/// One sentence of what was seen: "PNG, 96×96, 4.1 KB."
fn summary(facts: &LogoFacts, frames: Option<u32>) -> String {
    let mut parts = vec![facts.format.clone().unwrap_or_else(|| "Unknown format".into())];
    if let (Some(w), Some(h)) = (facts.width, facts.height) {
        parts.push(format!("{w}×{h}"));
    }
    if let Some(n) = frames {
        parts.push(format!("{n} frames"));
    }
    parts.push(size_text(facts.bytes));
    format!("{}.", parts.join(", "))
}

/// A size as people read it, in 1024s like the limit: "812 bytes", "4.1 KB", "2.3 MB".
fn size_text(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1000 * 1024 {
        format!("{:.1} KB", bytes as f64 / KB)
    } else {
        format!("{:.1} MB", bytes as f64 / KB / KB)
    }
}

/// A number with thousands separators: "1,048,576".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `file_name` with the extension `extension`.
fn renamed(file_name: &str, extension: &str) -> String {
    let stem = Path::new(file_name).file_stem().map(|s| s.to_string_lossy().into_owned());
    format!("{}.{extension}", stem.filter(|s| !s.is_empty()).as_deref().unwrap_or("logo"))
}

/// Read the file: in full when it is within the limit (and never more than one byte past it,
/// should it grow meanwhile), else only its head. Returns the bytes and the file's length.
fn read_bounded(path: &Path) -> io::Result<(Vec<u8>, u64)> {
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(io::Error::other("it is a folder, not a file"));
    }
    let length = metadata.len();
    let limit = if length > MAX_LOGO_BYTES { HEAD_BYTES } else { MAX_LOGO_BYTES + 1 };
    let mut bytes = Vec::with_capacity(length.min(limit) as usize);
    file.by_ref().take(limit).read_to_end(&mut bytes)?;
    // Should the file have changed meanwhile, what was read is what is checked (past the limit if
    // it grew, so it is not decoded).
    let total = if length > MAX_LOGO_BYTES { length } else { bytes.len() as u64 };
    Ok((bytes, total))
}

/// An OS error in words, without its number ("No such file or directory").
fn in_words(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The findings as they are made, with the fix each problem asks for.
#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    fixes: Vec<(Verdict, String)>,
}

impl Findings {
    fn pass(&mut self, text: impl Into<String>) {
        self.list.push(Finding::new(Verdict::Pass, text));
    }

    /// Something not checked, said for completeness.
    fn note(&mut self, text: impl Into<String>) {
        self.list.push(Finding::new(Verdict::Skipped, text));
    }

    fn problem(&mut self, verdict: Verdict, text: impl Into<String>, fix: impl Into<String>) {
        self.list.push(Finding::new(verdict, text));
        self.fixes.push((verdict, fix.into()));
    }

    fn damaged(&mut self, problem: &Problem) {
        match problem {
            Problem::Damaged(detail) => self.problem(
                Verdict::Fail,
                format!("The file is cut short or damaged: {detail}."),
                "Save or export the logo again from the original, and check the new file.",
            ),
            Problem::TooLarge => self.problem(
                Verdict::Fail,
                format!(
                    "The picture is too large to open safely (more than {} px a side or {} MB of pixels); \
                     the form shows it 96 px wide.",
                    thousands(u64::from(MAX_SIDE)),
                    MAX_DECODE_BYTES >> 20
                ),
                "Save it at 96×96 px.",
            ),
            Problem::Unsupported(detail) => self.problem(
                Verdict::Warn,
                format!("This check could not decode it ({detail}); Yespo may not either."),
                "Save it again as a plain PNG.",
            ),
        }
    }

    /// The result: the worst verdict, and the fix of the first finding that has it.
    fn finish(self, summary: impl Into<String>, facts: Option<LogoFacts>) -> CheckResult {
        let worst = self.list.iter().map(|f| f.verdict).max();
        let fix = self.fixes.into_iter().find(|(v, _)| Some(*v) == worst).map(|(_, fix)| fix);
        let result = CheckResult::from_findings(CheckId::Logo, summary, fix, self.list);
        match facts {
            Some(facts) => result.with_data(CheckData::Logo(facts)),
            None => result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame, Rgb, RgbImage};
    use std::time::{Duration, Instant};

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), format).expect("encodes");
        out
    }

    /// Pixels that do not compress (xorshift), so a PNG of them is as big as they are.
    fn noise(width: u32, height: u32) -> RgbaImage {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        RgbaImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Rgba(state.to_le_bytes()[..4].try_into().unwrap())
        })
    }

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128]))
    }

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        encode(&DynamicImage::ImageRgb8(gradient(width, height)), ImageFormat::Png)
    }

    fn check(name: &str, bytes: &[u8]) -> CheckResult {
        check_logo_bytes(name, bytes, bytes.len() as u64)
    }

    fn facts(result: &CheckResult) -> &LogoFacts {
        match &result.data {
            Some(CheckData::Logo(facts)) => facts,
            other => panic!("no logo facts: {other:?}"),
        }
    }

    /// All the findings' text, to look for words in.
    fn findings(result: &CheckResult) -> String {
        result.findings.iter().map(|f| format!("{:?}: {}", f.verdict, f.text)).collect::<Vec<_>>().join("\n")
    }

    fn fix(result: &CheckResult) -> &str {
        result.fix.as_deref().unwrap_or_else(|| panic!("no fix: {result:?}"))
    }

    /// The preview decoded back from its data URL: a PNG, 96×96.
    fn preview(result: &CheckResult) -> RgbaImage {
        let url = facts(result).preview.as_deref().expect("a preview");
        let data = url.strip_prefix("data:image/png;base64,").expect("a PNG data URL");
        let png = base64::engine::general_purpose::STANDARD.decode(data).expect("base64");
        assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
        let image = image::load_from_memory_with_format(&png, ImageFormat::Png).expect("decodes").to_rgba8();
        assert_eq!(image.dimensions(), (96, 96));
        image
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_96_square_png_passes_with_its_preview() {
        let png = png_of(96, 96);
        let result = check("logo.png", &png);
        assert_eq!(result.verdict, Verdict::Pass, "{result:?}");
        assert!(result.summary.starts_with("PNG, 96×96, "), "{}", result.summary);
        assert!(result.summary.contains("KB") || result.summary.contains("bytes"), "{}", result.summary);
        assert_eq!(result.fix, None);
        assert!(findings(&result).contains("the recommended size"), "{}", findings(&result));
        let f = facts(&result);
        assert_eq!(
            (f.format.as_deref(), f.width, f.height, f.bytes),
            (Some("PNG"), Some(96), Some(96), png.len() as u64)
        );
        assert!(f.extension_matches);
        let shown = preview(&result);
        // Scaled 1:1, the preview is the logo itself.
        let source = gradient(96, 96);
        for (x, y) in [(0, 0), (50, 40), (95, 95)] {
            let (p, s) = (shown.get_pixel(x, y).0, source.get_pixel(x, y).0);
            assert_eq!(p[3], 255);
            assert!((0..3).all(|c| p[c].abs_diff(s[c]) <= 2), "{p:?} vs {s:?} at {x},{y}");
        }
    }

    #[test]
    fn a_wide_jpeg_warns_and_its_preview_has_transparent_bands() {
        let jpeg = encode(&DynamicImage::ImageRgb8(gradient(200, 100)), ImageFormat::Jpeg);
        let result = check("logo.jpg", &jpeg);
        assert_eq!(result.verdict, Verdict::Warn, "{result:?}");
        assert!(result.summary.starts_with("JPEG, 200×100, "), "{}", result.summary);
        assert!(findings(&result).contains("200×100 px is not square (1:1)"), "{}", findings(&result));
        assert!(findings(&result).contains("transparent bands of about 24 px"), "{}", findings(&result));
        assert!(fix(&result).contains("square"), "{:?}", result.fix);
        // 200×100 at 96 wide is 96×48, centred: 24 transparent rows above and below.
        let shown = preview(&result);
        for x in [0, 48, 95] {
            for y in (0..24).chain(72..96) {
                assert_eq!(shown.get_pixel(x, y)[3], 0, "at {x},{y}");
            }
            for y in 24..72 {
                assert_eq!(shown.get_pixel(x, y)[3], 255, "at {x},{y}");
            }
        }
    }

    #[test]
    fn a_tall_png_warns_and_its_preview_loses_top_and_bottom() {
        // Red, green and blue thirds: the box shows the middle 100×100, all green.
        let tall = RgbImage::from_fn(100, 300, |_, y| match y / 100 {
            0 => Rgb([255, 0, 0]),
            1 => Rgb([0, 255, 0]),
            _ => Rgb([0, 0, 255]),
        });
        let result = check("logo.png", &encode(&DynamicImage::ImageRgb8(tall), ImageFormat::Png));
        assert_eq!(result.verdict, Verdict::Warn, "{result:?}");
        assert!(result.summary.starts_with("PNG, 100×300, "), "{}", result.summary);
        assert!(findings(&result).contains("cutting off 67% of its height"), "{}", findings(&result));
        assert!(fix(&result).contains("Crop it to a square"), "{:?}", result.fix);
        for p in preview(&result).pixels() {
            assert_eq!(p.0, [0, 255, 0, 255]);
        }
    }

    #[test]
    fn a_png_over_1_mb_fails_and_still_tells_its_format_and_size() {
        let png = encode(&DynamicImage::ImageRgba8(noise(820, 820)), ImageFormat::Png);
        assert!(png.len() > 2_000_000, "{}", png.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        std::fs::write(&path, &png).unwrap();

        let result = check_logo(&path);
        assert_eq!(result.verdict, Verdict::Fail, "{result:?}");
        assert!(result.summary.starts_with("PNG, 820×820, 2.6 MB"), "{}", result.summary);
        let text = findings(&result);
        assert!(text.contains("over Yespo's limit of 1 MB (1,048,576 bytes)"), "{text}");
        assert!(text.contains("Not opened in full, being over the limit"), "{text}");
        assert!(fix(&result).contains("smaller than 1 MB"), "{:?}", result.fix);
        let f = facts(&result);
        assert_eq!((f.format.as_deref(), f.width, f.height), (Some("PNG"), Some(820), Some(820)));
        assert_eq!((f.bytes, &f.file_name, &f.preview), (png.len() as u64, &"big.png".to_string(), &None));
    }

    #[test]
    fn a_webp_named_png_fails_naming_webp() {
        // RIFF, size, WEBP, a lossless (VP8L) chunk: its signature and 96×96.
        let mut webp = b"RIFF\0\0\0\0WEBPVP8L".to_vec();
        webp.extend(5u32.to_le_bytes());
        webp.push(0x2f);
        webp.extend((95u32 | (95 << 14)).to_le_bytes());
        webp.push(0);
        let riff_size = (webp.len() - 8) as u32;
        webp[4..8].copy_from_slice(&riff_size.to_le_bytes());

        let result = check("logo.png", &webp);
        assert_eq!(result.verdict, Verdict::Fail, "{result:?}");
        assert!(result.summary.starts_with("WEBP, "), "{}", result.summary);
        assert!(
            findings(&result)
                .contains("content is WEBP, though its name ends in .png; Yespo takes only PNG, JPG or GIF"),
            "{}",
            findings(&result)
        );
        assert_eq!(fix(&result), "Save it as PNG, JPG or GIF.");
        assert_eq!(facts(&result).format.as_deref(), Some("WEBP"));
        assert!(!facts(&result).extension_matches);
    }

    #[test]
    fn other_formats_are_named() {
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\"/>";
        let result = check("logo.svg", svg);
        assert_eq!(result.verdict, Verdict::Fail);
        assert!(findings(&result).contains("content is SVG;"), "{}", findings(&result));
        let bmp = encode(&DynamicImage::ImageRgb8(gradient(4, 4)), ImageFormat::Png);
        let mut not_bmp = b"BM".to_vec();
        not_bmp.extend(&bmp[2..]);
        assert_eq!(facts(&check("logo.bmp", &not_bmp)).format.as_deref(), Some("BMP"));
        let result = check("logo.gif", b"%PDF-1.7\n...");
        assert!(findings(&result).contains("content is PDF, not an image, though its name ends in .gif"));
        let result = check("logo.png", b"hello");
        assert!(result.summary.starts_with("Unknown format, 5 bytes"), "{}", result.summary);
        assert!(findings(&result).contains("not a picture format this check knows"));
    }

    #[test]
    fn a_gif_cut_in_half_fails() {
        let gif = encode(&DynamicImage::ImageRgba8(noise(96, 96)), ImageFormat::Gif);
        assert_eq!(check("logo.gif", &gif).verdict, Verdict::Pass);
        let result = check("logo.gif", &gif[..gif.len() / 2]);
        assert_eq!(result.verdict, Verdict::Fail, "{result:?}");
        assert!(result.summary.starts_with("GIF, 96×96, "), "{}", result.summary);
        assert!(findings(&result).contains("The file is cut short or damaged: "), "{}", findings(&result));
        assert!(fix(&result).contains("again from the original"), "{:?}", result.fix);
        assert_eq!(facts(&result).preview, None);
    }

    #[test]
    fn a_gif_without_its_trailer_fails() {
        // The first frame decodes; only reading on to the end finds the file cut.
        let gif = encode(&DynamicImage::ImageRgba8(noise(96, 96)), ImageFormat::Gif);
        assert_eq!(gif.last(), Some(&0x3B));
        let result = check("logo.gif", &gif[..gif.len() - 1]);
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(findings(&result).contains("cut short or damaged"));
    }

    #[test]
    fn an_animated_gif_counts_its_frames() {
        let mut gif = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut gif);
            let frames = [Rgba([255, 0, 0, 255]), Rgba([0, 0, 255, 255])]
                .map(|c| Frame::from_parts(RgbaImage::from_pixel(96, 96, c), 0, 0, Delay::from_numer_denom_ms(500, 1)));
            encoder.encode_frames(frames).unwrap();
        }
        let result = check("logo.gif", &gif);
        assert_eq!(result.verdict, Verdict::Pass, "{}", findings(&result));
        assert!(result.summary.starts_with("GIF, 96×96, 2 frames, "), "{}", result.summary);
        assert!(findings(&result).contains("Animated: 2 frames; the preview shows the first"));
        assert_eq!(preview(&result).get_pixel(10, 10).0, [255, 0, 0, 255]);
    }

    #[test]
    fn a_cut_jpeg_or_png_fails_though_its_decoder_does_not_mind() {
        let jpeg = encode(&DynamicImage::ImageRgb8(gradient(200, 100)), ImageFormat::Jpeg);
        let result = check("logo.jpg", &jpeg[..jpeg.len() * 3 / 4]);
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(findings(&result).contains("cut short or damaged: its end is missing"), "{}", findings(&result));
        let png = png_of(96, 96);
        // The decoder stops at the last pixel; the IEND chunk it does not read is cut.
        let result = check("logo.png", &png[..png.len() - 1]);
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(findings(&result).contains("its end is missing"), "{}", findings(&result));
        let result = check("logo.png", &png[..png.len() / 2]);
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(findings(&result).contains("cut short or damaged"));
    }

    #[test]
    fn an_empty_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logo.png");
        std::fs::write(&path, b"").unwrap();
        let result = check_logo(&path);
        assert_eq!(result.verdict, Verdict::Fail);
        assert_eq!(result.summary, "Empty file (0 bytes).");
        assert!(findings(&result).contains("The file is empty"));
        assert!(fix(&result).contains("Choose the logo again"));
        assert_eq!(facts(&result).bytes, 0);
    }

    #[test]
    fn a_missing_file_fails_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let result = check_logo(&dir.path().join("nowhere.png"));
        assert_eq!(result.verdict, Verdict::Fail);
        assert_eq!(result.summary, "Could not read nowhere.png.");
        assert!(!findings(&result).contains("os error"), "{}", findings(&result));
        assert!(fix(&result).contains("can be read"));
        assert_eq!(result.data, None);
        assert_eq!(check_logo(dir.path()).verdict, Verdict::Fail);
    }

    #[test]
    fn a_png_named_jpg_warns() {
        let result = check("Company Logo.jpg", &png_of(96, 96));
        assert_eq!(result.verdict, Verdict::Warn, "{result:?}");
        assert!(findings(&result).contains("The file is PNG but its name ends in .jpg"), "{}", findings(&result));
        assert_eq!(fix(&result), "Rename it to Company Logo.png.");
        assert!(!facts(&result).extension_matches);
        assert!(facts(&result).preview.is_some());
        assert!(check("logo.JPEG", &encode(&DynamicImage::ImageRgb8(gradient(96, 96)), ImageFormat::Jpeg))
            .findings
            .iter()
            .all(|f| f.verdict == Verdict::Pass));
        assert_eq!(fix(&check("logo", &png_of(96, 96))), "Rename it to logo.png.");
    }

    #[test]
    fn squares_other_than_96() {
        let result = check("logo.png", &png_of(500, 500));
        assert_eq!(result.verdict, Verdict::Pass, "{}", findings(&result));
        assert!(findings(&result).contains("500×500 px, square (1:1); the form shows it at the recommended 96×96"));
        preview(&result);
        let result = check("logo.png", &png_of(48, 48));
        assert_eq!(result.verdict, Verdict::Warn);
        assert!(findings(&result).contains("48 px wide is less than the recommended 96"), "{}", findings(&result));
        assert!(findings(&result).contains("blurry"));
        assert!(fix(&result).contains("96×96"));
    }

    #[test]
    fn just_under_a_mebibyte_but_over_a_million_bytes_warns() {
        let mut png = png_of(96, 96);
        png.resize(1_020_000, 0); // after the IEND chunk: still a whole PNG
        let result = check("logo.png", &png);
        assert_eq!(result.verdict, Verdict::Warn, "{}", findings(&result));
        assert!(findings(&result).contains("1,020,000 bytes"), "{}", findings(&result));
        assert!(fix(&result).contains("under 1,000,000 bytes"));
        let mut png = png_of(96, 96);
        png.resize(MAX_LOGO_BYTES as usize + 1, 0);
        assert_eq!(check("logo.png", &png).verdict, Verdict::Fail);
    }

    #[test]
    fn a_png_claiming_60000_square_fails_fast() {
        let mut png = png_of(1, 1);
        // The IHDR chunk: width and height at 16..24, its CRC (of type and data) at 29..33.
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());

        let started = Instant::now();
        let result = check("bomb.png", &png);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(result.summary.starts_with("PNG, 60000×60000, "), "{}", result.summary);
        assert!(findings(&result).contains("too large to open safely"), "{}", findings(&result));
        assert_eq!(fix(&result), "Save it at 96×96 px.");
        assert_eq!(facts(&result).preview, None);
    }

    #[test]
    fn a_gif_whose_canvas_is_60000_square_fails_fast() {
        // GIF's logical screen holds no CRC: 60000×60000 at bytes 6..10, with a 1×1 frame.
        let mut gif = encode(&DynamicImage::ImageRgba8(noise(1, 1)), ImageFormat::Gif);
        gif[6..8].copy_from_slice(&60_000u16.to_le_bytes());
        gif[8..10].copy_from_slice(&60_000u16.to_le_bytes());
        let started = Instant::now();
        let result = check("bomb.gif", &gif);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(result.verdict, Verdict::Fail, "{}", findings(&result));
        assert!(findings(&result).contains("too large to open safely"), "{}", findings(&result));
    }

    #[test]
    fn jpeg_end_marker_inside_a_thumbnail_is_not_the_end() {
        // An APP1 segment holding FF D9 (as an EXIF thumbnail does), then a cut scan.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00];
        jpeg.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34]);
        assert!(!jpeg_has_end(&jpeg));
        jpeg.extend([0xFF, 0xD0, 0x56, 0xFF, 0xD9]);
        assert!(jpeg_has_end(&jpeg));
    }

    #[test]
    fn exif_orientation_turns_the_size_and_preview() {
        use image::codecs::png::PngEncoder;
        use image::{ExtendedColorType, ImageEncoder};
        // 200×100, red left half, blue right half; EXIF: a quarter turn clockwise (orientation 6).
        let wide = RgbImage::from_fn(200, 100, |x, _| if x < 100 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let exif =
            [b"MM\0\x2a\0\0\0\x08\0\x01".as_slice(), &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0], &[0; 4]].concat();
        let mut png = Vec::new();
        let mut encoder = PngEncoder::new(&mut png);
        encoder.set_exif_metadata(exif).unwrap();
        encoder.write_image(wide.as_raw(), 200, 100, ExtendedColorType::Rgb8).unwrap();

        let result = check("logo.png", &png);
        assert!(result.summary.starts_with("PNG, 100×200, "), "{}", result.summary);
        assert!(findings(&result).contains("EXIF orientation"), "{}", findings(&result));
        assert!(findings(&result).contains("cutting off 50% of its height"), "{}", findings(&result));
        // Turned, the red half is on top; the box shows its middle: red above, blue below.
        let shown = preview(&result);
        assert_eq!(shown.get_pixel(48, 10).0, [255, 0, 0, 255]);
        assert_eq!(shown.get_pixel(48, 85).0, [0, 0, 255, 255]);
    }

    #[test]
    fn sizes_read_as_people_do() {
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(4198), "4.1 KB");
        assert_eq!(size_text(2_411_724), "2.3 MB");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(thousands(999), "999");
        assert_eq!(renamed("a.b.jpg", "png"), "a.b.png");
    }
}
