//! Writing reports: to standard output without panicking, and plain-text tables.

use std::io;

use super::Exit;

/// Writes a finished report; a closed stdout is a failure, not a panic.
pub fn write_out(out: &mut dyn io::Write, report: &str) -> Exit {
    match out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(_) => Exit::Failure,
    }
}

/// Renders `rows` under `headers`, two spaces between columns, the last column unpadded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index + 1 == columns {
                text.push_str(cell);
            } else {
                let pad = widths[index].saturating_sub(cell.chars().count()) + 2;
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
}
