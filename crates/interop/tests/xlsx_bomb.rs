//! A shared-strings bomb: a small upload whose string table unpacks to hundreds of megabytes of
//! empty strings. It must be refused while it is being unpacked, with the process's memory
//! staying far below what the table would take (it raised a server from 0.4 to 1.2 GB).
//! Its own test binary, so the peak memory read from /proc is this reading's alone.

use std::io::Write;

/// A valid one-sheet workbook whose shared-strings table holds `strings` empty strings.
fn bomb(strings: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        .unwrap();
    let chunk = "<si><t/></si>".repeat(10_000);
    for _ in 0..strings / 10_000 {
        zip.write_all(chunk.as_bytes()).unwrap();
    }
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

#[test]
fn a_shared_strings_bomb_is_refused_while_unpacking_without_the_memory_it_asks_for() {
    // 20 million empty strings: 260 MB of XML, a few hundred KB zipped; read whole, the table
    // alone would take 480 MB or more.
    let file = bomb(20_000_000);
    let before = peak_mib();
    assert!(
        file.len() < 2 * 1024 * 1024,
        "the bomb is small: {} bytes",
        file.len()
    );
    let outcome = interop::roster::read_roster("名册.xlsx", &file);
    let after = peak_mib();
    match outcome {
        Err(error @ interop::roster::RosterError::Unpacks { .. }) => {
            let message = format!("{:?}", error.problem());
            assert!(message.contains("解压后超过"), "{message}");
        }
        other => panic!(
            "the bomb was not refused as too large when unpacked: {:?}",
            other.err()
        ),
    }
    eprintln!(
        "bomb of {} KiB refused; peak memory {before} MiB before, {after} MiB after",
        file.len() / 1024
    );
    assert!(
        after < before + 64,
        "reading the bomb raised peak memory from {before} to {after} MiB"
    );
}
