//! XLSX: the first worksheet, streamed cell by cell into a UTF-8 CSV working copy.
//!
//! The rest of the token-file pipeline only reads CSV, so a workbook is turned into one first.
//! The copy gets one extra leading column, the 1-based sheet row number, so that problems found
//! later can be reported against the row the user sees in Excel (blank rows are skipped, so the
//! CSV line number would not match).
//!
//! Cells are read with calamine's streaming reader (`worksheet_cells_reader`), never
//! `worksheet_range`: a range holds the whole sheet in memory, the stream holds one row.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use calamine::{open_workbook, DataRef, ExcelDateTime, Reader, SheetType, Xlsx};

/// What was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCopy {
    /// The name of the sheet that was read (the first one).
    pub sheet_name: String,
    /// How many sheets (worksheets) the workbook has (only the first is read; the UI says so
    /// when > 1).
    pub sheets: usize,
    /// Rows written (header included, blank rows skipped).
    pub rows: u64,
}

/// Workbooks larger than this are refused with a message to save the sheet as CSV UTF-8.
pub const MAX_XLSX_BYTES: u64 = 25 * 1024 * 1024;

/// Streams the first worksheet of the workbook at `path` into `out` as UTF-8 CSV.
///
/// Each written row starts with its 1-based sheet row number; entirely blank rows are skipped;
/// short rows are padded with empty fields to the header's width (the first row written); a
/// wider row is written wider, never cut, so the reader must be `flexible`. Only worksheets
/// count as sheets (a chart sheet has no cells). Errors are messages for the user.
pub fn first_sheet_to_csv(path: &Path, out: &mut dyn Write) -> Result<SheetCopy, String> {
    let size = std::fs::metadata(path).map_err(|e| format!("Could not open the workbook: {e}"))?.len();
    // Refused before opening: calamine keeps shared strings and styles in memory, and a huge
    // workbook is better converted by Excel itself.
    if size > MAX_XLSX_BYTES {
        return Err(format!(
            "This workbook is {:.1} MB; workbooks above 25 MB are not read directly. In Excel, \
             use File → Save As → \"CSV UTF-8 (Comma delimited)\" and drop the CSV instead.",
            size as f64 / (1024.0 * 1024.0)
        ));
    }

    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path).map_err(unreadable)?;
    // Chart sheets (and macro/dialog sheets) hold no cells: only worksheets count.
    let worksheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    let Some(sheet_name) = worksheets.first().cloned() else {
        return Err("The workbook has no worksheets.".into());
    };

    let mut cells = workbook.worksheet_cells_reader(&sheet_name).map_err(unreadable)?;
    let mut csv = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let mut row = RowBuffer::default();
    let mut rows = 0u64;

    // Cells arrive in sheet order, row by row; a new row number means the previous row is
    // complete. Only non-empty cells are stored, so missing columns (sparse rows) and styled
    // but empty cells both end up as empty fields.
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (sheet_row, col) = cell.get_position();
        // Excel's own limits (XFD, row 1,048,576): a reference past them is a damaged or
        // crafted sheet, and would make the row buffer enormous.
        if col > 16_383 || sheet_row > 1_048_575 {
            return Err(format!(
                "This workbook has a cell outside Excel's sheet (row {}, column {}): it looks damaged. \
                 Save the sheet as CSV UTF-8 and drop the CSV instead.",
                sheet_row as u64 + 1,
                col as u64 + 1
            ));
        }
        if row.sheet_row != Some(sheet_row) {
            rows += row.flush(&mut csv).map_err(write_error)?;
            row.sheet_row = Some(sheet_row);
        }
        let text = cell_text(cell.get_value());
        if !text.is_empty() {
            row.set(col as usize, text);
        }
    }
    rows += row.flush(&mut csv).map_err(write_error)?;
    csv.flush().map_err(|e| write_error(e.into()))?;

    Ok(SheetCopy { sheet_name, sheets: worksheets.len(), rows })
}

/// The row being collected: its sheet row (0-based, as calamine gives it) and non-empty cells.
#[derive(Default)]
struct RowBuffer {
    sheet_row: Option<u32>,
    /// Cell texts by column; empty strings are gaps. Ends at the last non-empty cell.
    fields: Vec<String>,
    /// The header's width (0 until it is written); shorter rows are padded to it. Not the
    /// widest row so far: one stray cell in column XFD would then add 16k fields to every row.
    width: usize,
}

impl RowBuffer {
    fn set(&mut self, col: usize, text: String) {
        if self.fields.len() <= col {
            self.fields.resize(col + 1, String::new());
        }
        self.fields[col] = text;
    }

    /// Writes the collected row unless it is blank; returns how many rows were written (0 or 1).
    fn flush<W: Write>(&mut self, csv: &mut csv::Writer<W>) -> Result<u64, csv::Error> {
        let Some(sheet_row) = self.sheet_row.take() else {
            return Ok(0);
        };
        if self.fields.is_empty() {
            return Ok(0);
        }
        if self.width == 0 {
            self.width = self.fields.len();
        }
        csv.write_field((u64::from(sheet_row) + 1).to_string())?;
        for field in &self.fields {
            csv.write_field(field)?;
        }
        for _ in self.fields.len()..self.width {
            csv.write_field("")?;
        }
        csv.write_record(None::<&[u8]>)?;
        self.fields.clear();
        Ok(1)
    }
}

/// The text of a cell. Everything stays a string: the pipeline decides what a value means.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(true) => "TRUE".into(),
        DataRef::Bool(false) => "FALSE".into(),
        DataRef::DateTime(dt) => datetime_text(dt),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Numbers as a person reading the sheet would type them (XLSX stores every number as a float).
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.abs() >= 1e15 {
        // Excel keeps 15 significant digits: a long id or token typed as a number has already
        // lost its tail, so show what Excel shows (General format) rather than invent digits.
        return excel_scientific(f);
    }
    if f.fract() == 0.0 {
        // Phone numbers and ids: `380501234567`, not `380501234567.0` (exact below 1e15).
        return (f as i64).to_string();
    }
    f.to_string()
}

/// `8.9E+15`, `1.23456789012345E+19`: up to 15 significant digits, no trailing zeros.
fn excel_scientific(f: f64) -> String {
    let formatted = format!("{f:.14e}");
    let Some((mantissa, exponent)) = formatted.split_once('e') else {
        return formatted;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return formatted;
    };
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
}

/// ISO 8601: `2024-03-09`, `2024-03-09T10:11:12` (milliseconds only when there are some).
///
/// calamine cannot tell a date format from a time format, so a value below one day (Excel's
/// day 0 is not a real date) is written as a time of day, and a duration (`[h]:mm:ss`) as
/// hours that may exceed 24, as Excel shows it.
fn datetime_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() {
        let total_ms = (serial.abs() * 86_400_000.0).round() as u64;
        let sign = if serial < 0.0 && total_ms > 0 { "-" } else { "" };
        let (secs, ms) = (total_ms / 1000, total_ms % 1000);
        let time = format!("{sign}{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        return with_millis(time, ms as u16);
    }
    let (year, month, day, hour, min, sec, ms) = dt.to_ymd_hms_milli();
    let time = with_millis(format!("{hour:02}:{min:02}:{sec:02}"), ms);
    if (0.0..1.0).contains(&serial) {
        return time;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if (hour, min, sec, ms) == (0, 0, 0, 0) {
        date
    } else {
        format!("{date}T{time}")
    }
}

fn with_millis(time: String, ms: u16) -> String {
    if ms == 0 {
        time
    } else {
        format!("{time}.{ms:03}")
    }
}

fn unreadable(e: calamine::XlsxError) -> String {
    format!("This file looks like an Excel workbook but cannot be read: {e}")
}

fn write_error(e: csv::Error) -> String {
    // csv wraps the I/O error of `out`; its Display is the I/O error's.
    format!("Could not write the working copy: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
    use std::path::PathBuf;
    use tempfile::TempDir;

    /// Builds a workbook with one sheet filled by `fill`, saved in a fresh temp dir.
    fn workbook_with(fill: impl FnOnce(&mut Worksheet)) -> (TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.xlsx");
        let mut workbook = Workbook::new();
        fill(workbook.add_worksheet());
        workbook.save(&path).unwrap();
        (dir, path)
    }

    fn convert(path: &Path) -> Result<(SheetCopy, String), String> {
        let mut out = Vec::new();
        let copy = first_sheet_to_csv(path, &mut out)?;
        Ok((copy, String::from_utf8(out).unwrap()))
    }

    /// The CSV parsed back, as the pipeline's reader would (flexible, no header handling).
    fn records(csv_text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv_text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn strings_with_commas_quotes_and_newlines_round_trip() {
        let tricky = ["a,b", "say \"hi\"", "line1\nline2", "cr\r\nlf", "plain"];
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(0, 0, "external_id").unwrap();
            ws.write_string(0, 1, "push_token").unwrap();
            for (i, text) in tricky.iter().enumerate() {
                ws.write_string(i as u32 + 1, 0, format!("id{i}")).unwrap();
                ws.write_string(i as u32 + 1, 1, *text).unwrap();
            }
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 1 + tricky.len() as u64);
        assert_eq!(copy.sheets, 1);
        assert_eq!(copy.sheet_name, "Sheet1");
        assert!(text.starts_with("1,external_id,push_token\n"), "{text}");
        assert!(text.contains("\"a,b\""), "{text}");
        assert!(text.contains("\"say \"\"hi\"\"\""), "{text}");

        let recs = records(&text);
        assert_eq!(recs[0], ["1", "external_id", "push_token"]);
        for (i, expected) in tricky.iter().enumerate() {
            let rec = &recs[i + 1];
            assert_eq!(rec[0], (i + 2).to_string());
            assert_eq!(rec[1], format!("id{i}"));
            assert_eq!(rec[2], *expected);
        }
    }

    #[test]
    fn numbers_booleans_and_errors_become_text() {
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(0, 0, "value").unwrap();
            ws.write_number(1, 0, 380501234567.0).unwrap();
            ws.write_number(2, 0, 8.9e15).unwrap();
            ws.write_number(3, 0, 1.23456789012345e19).unwrap();
            ws.write_number(4, 0, 4.5).unwrap();
            ws.write_number(5, 0, -3.0).unwrap();
            ws.write_boolean(6, 0, true).unwrap();
            ws.write_boolean(7, 0, false).unwrap();
            ws.write_formula(8, 0, Formula::new("=NA()").set_result("#N/A")).unwrap();
            ws.write_formula(9, 0, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
            ws.write_number(10, 0, 0.1).unwrap();
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 11);
        let values: Vec<String> = records(&text).into_iter().map(|r| r[1].clone()).collect();
        assert_eq!(
            values,
            [
                "value",
                "380501234567",
                "8.9E+15",
                "1.23456789012345E+19",
                "4.5",
                "-3",
                "TRUE",
                "FALSE",
                "#N/A",
                "#DIV/0!",
                "0.1"
            ]
        );
    }

    #[test]
    fn float_text_follows_excel_general_for_huge_numbers() {
        assert_eq!(float_text(380501234567.0), "380501234567");
        assert_eq!(float_text(999_999_999_999_999.0), "999999999999999");
        assert_eq!(float_text(1e15), "1E+15");
        assert_eq!(float_text(-8.9e15), "-8.9E+15");
        assert_eq!(float_text(1.5e300), "1.5E+300");
        assert_eq!(float_text(4.1), "4.1");
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(float_text(-0.0), "0");
    }

    #[test]
    fn dates_and_datetimes_are_iso_8601() {
        let (_dir, path) = workbook_with(|ws| {
            let date_format = Format::new().set_num_format("yyyy-mm-dd");
            let datetime_format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
            let time_format = Format::new().set_num_format("hh:mm:ss");
            let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 9).unwrap();
            let datetime = date.clone().and_hms(10, 11, 12).unwrap();
            let time = rust_xlsxwriter::ExcelDateTime::from_hms(8, 30, 0).unwrap();
            ws.write_string(0, 0, "when").unwrap();
            ws.write_datetime_with_format(1, 0, &date, &date_format).unwrap();
            ws.write_datetime_with_format(2, 0, &datetime, &datetime_format).unwrap();
            ws.write_datetime_with_format(3, 0, &time, &time_format).unwrap();
        });
        let (_, text) = convert(&path).unwrap();
        assert_eq!(text, "1,when\n2,2024-03-09\n3,2024-03-09T10:11:12\n4,08:30:00\n");
    }

    #[test]
    fn blank_rows_are_skipped_and_sheet_row_numbers_kept() {
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(0, 0, "external_id").unwrap();
            ws.write_string(0, 1, "push_token").unwrap();
            ws.write_string(1, 0, "a").unwrap();
            ws.write_string(1, 1, "t1").unwrap();
            // Row 3 (index 2): a styled but empty cell, and an empty string. Still blank.
            ws.write_blank(2, 0, &Format::new().set_bold()).unwrap();
            ws.write_string(2, 1, "").unwrap();
            ws.write_string(3, 0, "b").unwrap();
            ws.write_string(3, 1, "t2").unwrap();
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 3);
        assert_eq!(text, "1,external_id,push_token\n2,a,t1\n4,b,t2\n");
    }

    #[test]
    fn sparse_rows_get_empty_fields_up_to_the_header_width() {
        let (_dir, path) = workbook_with(|ws| {
            for (col, name) in ["a", "b", "c", "d"].iter().enumerate() {
                ws.write_string(0, col as u16, *name).unwrap();
            }
            // A and D only.
            ws.write_string(1, 0, "x").unwrap();
            ws.write_string(1, 3, "y").unwrap();
            // A only: padded to the header's width.
            ws.write_string(2, 0, "z").unwrap();
            // Wider than the header: nothing is dropped.
            ws.write_string(3, 5, "far").unwrap();
            // Later rows are padded to the header's width only.
            ws.write_string(4, 1, "w").unwrap();
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 5);
        assert_eq!(text, "1,a,b,c,d\n2,x,,,y\n3,z,,,\n4,,,,,,far\n5,,w,,\n");
    }

    #[test]
    fn only_the_first_of_two_sheets_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.xlsx");
        let mut workbook = Workbook::new();
        let first = workbook.add_worksheet().set_name("Tokens").unwrap();
        first.write_string(0, 0, "push_token").unwrap();
        first.write_string(1, 0, "first").unwrap();
        let second = workbook.add_worksheet().set_name("Other").unwrap();
        second.write_string(0, 0, "something").unwrap();
        second.write_string(1, 0, "second").unwrap();
        workbook.save(&path).unwrap();

        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy, SheetCopy { sheet_name: "Tokens".into(), sheets: 2, rows: 2 });
        assert_eq!(text, "1,push_token\n2,first\n");
    }

    #[test]
    fn header_only_sheet_has_one_row() {
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(0, 0, "external_id").unwrap();
            ws.write_string(0, 1, "push_token").unwrap();
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 1);
        assert_eq!(text, "1,external_id,push_token\n");
    }

    #[test]
    fn header_below_blank_rows_keeps_its_sheet_row() {
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(2, 1, "push_token").unwrap();
            ws.write_string(3, 1, "t").unwrap();
        });
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 2);
        assert_eq!(text, "3,,push_token\n4,,t\n");
    }

    #[test]
    fn empty_sheet_writes_nothing() {
        let (_dir, path) = workbook_with(|_| {});
        let (copy, text) = convert(&path).unwrap();
        assert_eq!(copy.rows, 0);
        assert_eq!(text, "");
    }

    fn assert_unreadable(bytes: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let err = convert(&path).unwrap_err();
        assert!(err.starts_with("This file looks like an Excel workbook but cannot be read: "), "{err}");
    }

    #[test]
    fn garbage_bytes_are_an_error() {
        assert_unreadable(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not a workbook at all");
        assert_unreadable(b"");
    }

    #[test]
    fn a_zip_without_a_workbook_is_an_error() {
        // The smallest valid ZIP: an end-of-central-directory record and no entries.
        let mut empty_zip = b"PK\x05\x06".to_vec();
        empty_zip.extend_from_slice(&[0; 18]);
        assert_unreadable(&empty_zip);
    }

    #[test]
    fn a_truncated_workbook_is_an_error() {
        let (_dir, path) = workbook_with(|ws| {
            for row in 0..200 {
                ws.write_string(row, 0, format!("token-{row}")).unwrap();
            }
        });
        let bytes = std::fs::read(&path).unwrap();
        assert_unreadable(&bytes[..bytes.len() / 2]);
    }

    #[test]
    fn workbooks_over_the_cap_are_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.xlsx");
        File::create(&path).unwrap().set_len(MAX_XLSX_BYTES + 1).unwrap();
        let err = convert(&path).unwrap_err();
        assert!(err.contains("This workbook is 25.0 MB"), "{err}");
        assert!(err.contains("CSV UTF-8"), "{err}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = convert(&dir.path().join("nope.xlsx")).unwrap_err();
        assert!(err.starts_with("Could not open the workbook: "), "{err}");
    }

    #[test]
    fn write_errors_are_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (_dir, path) = workbook_with(|ws| {
            ws.write_string(0, 0, "push_token").unwrap();
        });
        let err = first_sheet_to_csv(&path, &mut Broken).unwrap_err();
        assert_eq!(err, "Could not write the working copy: disk full");
    }
}
