//! The dump format's pure parts: hex, the value encoding both ways, reading lines.

#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn hex_round_trips() {
    let bytes = vec![0u8, 1, 0xab, 0xff];
    assert_eq!(to_hex(&bytes), "0001abff");
    assert_eq!(from_hex("0001abff"), Some(bytes));
    assert_eq!(from_hex(""), Some(vec![]));
    assert_eq!(from_hex("abc"), None);
    assert_eq!(from_hex("zz"), None);
}

#[test]
fn every_table_is_listed_once_with_an_order() {
    let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), TABLES.len());
    for t in TABLES {
        assert_eq!(table_named(t.name).map(|f| f.name), Some(t.name));
        assert!(!t.sqlite_order.is_empty() && !t.pg_order.is_empty());
        assert_eq!(
            t.serial_id,
            // Generated ids are integers; a file's id is random text.
            t.columns.iter().any(|(c, k)| *c == "id" && *k == Kind::Int) || t.name == "page_views"
        );
    }
    assert!(table_named("nope").is_none());
}

#[test]
fn header_names_format_and_schema() {
    assert_eq!(
        header(3).to_string(),
        r#"{"frontdesk_export":1,"schema":3}"#
    );
}

#[test]
fn values_encode_as_their_kind() {
    assert_eq!(encode(Kind::Int, Cell::Int(7)), Ok(json!(7)));
    assert_eq!(encode(Kind::Text, Cell::Null), Ok(Value::Null));
    assert_eq!(encode(Kind::Text, Cell::Text("a".into())), Ok(json!("a")));
    // SQLite stores booleans as integers; PostgreSQL as booleans.
    assert_eq!(encode(Kind::Bool, Cell::Int(1)), Ok(json!(true)));
    assert_eq!(encode(Kind::Bool, Cell::Int(0)), Ok(json!(false)));
    assert_eq!(encode(Kind::Bool, Cell::Bool(true)), Ok(json!(true)));
    assert_eq!(
        encode(Kind::Json, Cell::Text(r#"["https://a.example"]"#.into())),
        Ok(json!(["https://a.example"]))
    );
    assert!(encode(Kind::Json, Cell::Text("not json".into())).is_err());
    assert_eq!(
        encode(Kind::Bytes, Cell::Bytes(vec![1, 255])),
        Ok(json!("01ff"))
    );
    assert_eq!(encode(Kind::Bytes, Cell::Text("A".into())), Ok(json!("41")));
    assert_eq!(encode(Kind::Int, Cell::Real(1.5)), Ok(json!(1.5)));
}

#[test]
fn values_decode_as_their_kind() {
    assert_eq!(decode(Kind::Int, &json!(7)), Ok(Cell::Int(7)));
    assert_eq!(decode(Kind::Int, &Value::Null), Ok(Cell::Null));
    assert!(decode(Kind::Int, &json!("7")).is_err());
    assert_eq!(decode(Kind::Bool, &json!(true)), Ok(Cell::Bool(true)));
    assert_eq!(decode(Kind::Bool, &json!(0)), Ok(Cell::Bool(false)));
    assert!(decode(Kind::Bool, &json!("yes")).is_err());
    assert_eq!(decode(Kind::Text, &json!("a")), Ok(Cell::Text("a".into())));
    assert!(decode(Kind::Text, &json!(1)).is_err());
    assert_eq!(
        decode(Kind::Json, &json!(["x"])),
        Ok(Cell::Text(r#"["x"]"#.into()))
    );
    assert_eq!(
        decode(Kind::Bytes, &json!("01ff")),
        Ok(Cell::Bytes(vec![1, 255]))
    );
    assert!(decode(Kind::Bytes, &json!("0g")).is_err());
}

#[test]
fn a_row_round_trips_through_its_line() {
    let t = table_named("settings").unwrap();
    let line = row_line(t, vec![Cell::Text("key".into()), Cell::Bytes(vec![7; 2])]).unwrap();
    assert_eq!(
        line.to_string(),
        r#"{"row":{"name":"key","value":"0707"},"table":"settings"}"#
    );
    let row = parse_line(1, &line.to_string()).unwrap().unwrap();
    assert_eq!(row.table.name, "settings");
    assert_eq!(
        row.cells,
        vec![Cell::Text("key".into()), Cell::Bytes(vec![7; 2])]
    );
}

#[test]
fn a_column_missing_from_a_row_takes_its_schema_default() {
    // An older dump has no column a later migration added: JSON columns get their empty
    // default, flags false, everything else NULL.
    let row = parse_line(4, r#"{"table":"sites","row":{"id":3}}"#)
        .unwrap()
        .unwrap();
    let cell = |name: &str| {
        let i = row
            .table
            .columns
            .iter()
            .position(|(c, _)| *c == name)
            .unwrap();
        row.cells[i].clone()
    };
    assert_eq!(cell("id"), Cell::Int(3));
    assert_eq!(cell("name"), Cell::Null);
    assert_eq!(cell("allowed_origins"), Cell::Text("[]".into()));
    assert_eq!(cell("settings"), Cell::Text("{}".into()));
    let chat = parse_line(5, r#"{"table":"chats","row":{"id":1}}"#)
        .unwrap()
        .unwrap();
    let passed = chat
        .table
        .columns
        .iter()
        .position(|(c, _)| *c == "passed")
        .unwrap();
    let missed = chat
        .table
        .columns
        .iter()
        .position(|(c, _)| *c == "missed")
        .unwrap();
    assert_eq!(chat.cells[passed], Cell::Text("[]".into()));
    assert_eq!(chat.cells[missed], Cell::Bool(false));
}

#[test]
fn lines_are_checked() {
    let err = |index, line| parse_line(index, line).unwrap_err().to_string();
    assert_eq!(
        parse_line(0, r#"{"frontdesk_export":1,"schema":1}"#).unwrap(),
        None
    );
    assert_eq!(parse_line(5, "  ").unwrap(), None);
    assert_eq!(
        err(0, r#"{"table":"sites","row":{}}"#),
        "line 1: not a Frontdesk export (no header line)"
    );
    assert!(err(2, "{").starts_with("line 3: "));
    assert_eq!(
        err(2, r#"{"table":"nope","row":{}}"#),
        "line 3: unknown table"
    );
    assert_eq!(err(2, r#"{"table":"sites"}"#), "line 3: no row");
    assert_eq!(
        err(2, r#"{"table":"sites","row":{"id":"x"}}"#),
        r#"line 3: column id: unexpected value "x""#
    );
}
