//! CSV that opens correctly in Excel with Korean text: UTF-8 with a byte-order mark,
//! RFC 4180 (fields quoted where needed, quotes doubled, CRLF line ends).

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};

/// Excel reads a CSV file as the system's legacy code page unless it starts with this.
const BOM: &[u8] = "\u{feff}".as_bytes();

pub fn document(header_row: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(BOM.to_vec());
    writer.write_record(header_row).expect("writing to memory");
    for row in rows {
        writer.write_record(&row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// A CSV download named `filename` (ASCII).
pub fn response(body: Vec<u8>, filename: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            "text/csv; charset=utf-8; header=present",
        )
        .header(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
                .expect("an ASCII file name"),
        )
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(body))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_text_commas_quotes_and_line_breaks_survive_a_standard_reader() {
        let body = document(
            &["name", "note"],
            [vec![
                "카카오톡, 메시지".to_string(),
                "\"사과\"\n두 줄".to_string(),
            ]],
        );
        assert!(body.starts_with(BOM));
        let text = std::str::from_utf8(&body[BOM.len()..]).unwrap();
        assert!(text.contains("\r\n"), "RFC 4180 line ends");
        assert!(text.contains("\"카카오톡, 메시지\""));
        let mut reader = csv::Reader::from_reader(&body[BOM.len()..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "카카오톡, 메시지");
        assert_eq!(&row[1], "\"사과\"\n두 줄");
    }
}
