//! Writing reports: to standard output without panicking, and plain-text tables.

use std::io;

use super::{Exit, Style};
use crate::printable::{Keep, escape, mask_tokens};

/// Writes a finished report; a closed stdout is a failure, not a panic.
pub fn write_out(out: &mut dyn io::Write, report: &str) -> Exit {
    match out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(_) => Exit::Failure,
    }
}

/// Writes a finished text report: control characters from data are shown escaped, and only
/// `style`'s own colours reach the terminal. JSON goes through [`write_out`] untouched.
pub fn write_text(out: &mut dyn io::Write, report: &str, style: Style) -> Exit {
    let keep = Keep {
        line_breaks: true,
        sequences: style.sequences(),
    };
    write_out(out, &escape(report, keep))
}

/// Writes `report`: JSON exactly as it is, text through [`write_text`].
pub fn write_report(out: &mut dyn io::Write, report: &str, as_json: bool, style: Style) -> Exit {
    if as_json {
        write_out(out, report)
    } else {
        write_text(out, report, style)
    }
}

/// Standard error for people: every write is escaped (no data can drive the terminal) and
/// token-shaped values are masked (a CI log must never hold a token).
pub struct Printable<W: io::Write> {
    inner: W,
}

impl<W: io::Write> Printable<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Printable { inner }
    }
}

impl<W: io::Write> io::Write for Printable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let keep = Keep {
            line_breaks: true,
            sequences: &[],
        };
        let safe = mask_tokens(&escape(&text, keep)).into_owned();
        self.inner.write_all(safe.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The columns `text` takes in a terminal (wide characters count two, combining marks none).
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `columns` terminal columns.
pub fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

/// Renders `rows` under `headers`, two spaces between columns, the last column unpadded;
/// widths are terminal columns.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (column, cell) in widths.iter_mut().zip(row) {
            *column = (*column).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index + 1 == columns {
                text.push_str(cell);
            } else {
                let pad = widths[index].saturating_sub(width(cell)) + 2;
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pads_columns_to_the_widest_cell() {
        let rows = vec![
            vec!["deploy".to_owned(), "/ci/".to_owned(), "x".to_owned()],
            vec!["a".to_owned(), "/".to_owned(), String::new()],
        ];
        assert_eq!(
            super::table(&["NAME", "PATH", "NOTE"], &rows),
            "NAME    PATH  NOTE\ndeploy  /ci/  x\na       /\n"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let rows = vec![
            vec!["デプロイ".to_owned(), "x".to_owned()],
            vec!["e\u{301}t\u{e9}".to_owned(), "y".to_owned()],
        ];
        assert_eq!(
            super::table(&["NAME", "NOTE"], &rows),
            "NAME      NOTE\nデプロイ  x\ne\u{301}t\u{e9}       y\n"
        );
        assert_eq!(super::pad("日本", 6), "日本  ");
    }
}
