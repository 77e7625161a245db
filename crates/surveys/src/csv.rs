//! CSV, both ways: reading an imported file (RFC 4180: commas, quoted fields with
//! doubled quotes and line breaks, CRLF or LF) and writing a field for an export (quoted
//! when needed, and defused so a spreadsheet does not run it as a formula). Small enough
//! to keep here rather than add a dependency for it.

/// The records of `text`, each a list of fields; a blank line is no record. An
/// unterminated quote is an error naming the record it starts in (from 1).
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => end_record(&mut records, &mut record, &mut field),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(records.len() + 1);
    }
    end_record(&mut records, &mut record, &mut field);
    Ok(records)
}

fn end_record(records: &mut Vec<Vec<String>>, record: &mut Vec<String>, field: &mut String) {
    record.push(std::mem::take(field));
    let r = std::mem::take(record);
    if !(r.len() == 1 && r[0].is_empty()) {
        records.push(r);
    }
}

/// One field for an export: quoted when it holds a comma, quote or line break; a
/// leading `=`, `+`, `-` or `@` gets a `'` so spreadsheets show it as text.
pub fn field(s: &str) -> String {
    let defused = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if defused.contains([',', '"', '\n', '\r']) { format!("\"{}\"", defused.replace('"', "\"\"")) } else { defused }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let text = "a,\"b, c\",\"say \"\"hi\"\"\"\r\n\r\n1,\"two\nlines\",\n";
        let got = parse(text).unwrap();
        assert_eq!(got, vec![vec!["a", "b, c", "say \"hi\""], vec!["1", "two\nlines", ""]]);
        assert_eq!(parse("a\n\"open").unwrap_err(), 2);
    }

    #[test]
    fn an_exported_field_round_trips_and_never_starts_a_formula() {
        for s in ["plain", "with, comma", "quote \" here", "=SUM(A1)", "line\nbreak"] {
            let back = parse(&field(s)).unwrap();
            assert_eq!(back[0][0].trim_start_matches('\''), s);
            assert!(!back[0][0].starts_with('='));
        }
    }
}
