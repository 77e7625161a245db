//! CSV for exports that people open in spreadsheets: every text cell quoted, and a cell
//! that a spreadsheet would run as a formula defused.

/// Quotes a CSV cell, and defuses spreadsheet formulas: a cell that starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return (OWASP's list) gets a leading `'`.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// One CSV line of already-made cells, ended with CRLF (RFC 4180).
pub fn line(cells: &[String]) -> String {
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "\"plain\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("\t=1+1"), "\"'\t=1+1\"");
        assert_eq!(field("\r=1+1"), "\"'\r=1+1\"");
        assert_eq!(line(&[field("a"), "2".into()]), "\"a\",2\r\n");
    }
}
