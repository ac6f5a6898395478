//! The report as PDF, printed by headless Chromium (Debian's `chromium`,
//! or Google Chrome) found on `PATH`.
//!
//! The one place in the crate that does I/O: it writes the HTML into a
//! scratch folder, runs the browser on it with a scratch profile, and reads
//! the PDF back. Page size, margins, page numbers and where pages break come
//! from the report's print stylesheet (`@page` margin boxes), so Chromium's
//! own header and footer (with a date and the file's path) are switched off.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Browser names tried on `PATH`, in order.
pub const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Longest a print may take before the browser is stopped.
pub const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// Why no PDF was made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No browser on `PATH`.
    #[error(
        "no Chromium to print the PDF with: none of {} is on PATH; install Debian's `chromium` package (or Google Chrome), or leave out --pdf and print the HTML from a browser",
        BROWSERS.join(", ")
    )]
    NoBrowser,
    /// The browser ran but gave no PDF.
    #[error("{browser} did not print the PDF ({status}){}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Failed {
        /// The browser run.
        browser: String,
        /// How it ended.
        status: String,
        /// The last lines it wrote on stderr.
        detail: String,
    },
    /// The scratch folder could not be used.
    #[error("cannot prepare the PDF print: {0}")]
    Io(#[from] std::io::Error),
}

/// The first of [`BROWSERS`] on `PATH`.
pub fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|candidate| candidate.is_file())
}

/// Prints `html` to PDF and returns the PDF's bytes.
pub fn print(html: &str) -> Result<Vec<u8>, PdfError> {
    let browser = find_browser().ok_or(PdfError::NoBrowser)?;
    print_with(&browser, html)
}

/// Prints `html` to PDF with `browser`.
pub fn print_with(browser: &Path, html: &str) -> Result<Vec<u8>, PdfError> {
    let scratch = tempfile::Builder::new()
        .prefix("holisec-report")
        .tempdir()?;
    let page = scratch.path().join("report.html");
    let pdf = scratch.path().join("report.pdf");
    std::fs::write(&page, html)?;
    // A file, not a pipe: a browser that writes much would block on a full pipe.
    let log = scratch.path().join("stderr.txt");
    let mut child = Command::new(browser)
        .arg("--headless")
        // Chromium refuses to start as root (containers, CI) with its sandbox;
        // the page is our own, with no script and no external request.
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--disable-extensions")
        .arg("--disable-background-networking")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status.to_string();
        }
        if started.elapsed() > PRINT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break format!("stopped after {} s", PRINT_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    match std::fs::read(&pdf) {
        Ok(bytes) if bytes.starts_with(b"%PDF-") => Ok(bytes),
        _ => Err(PdfError::Failed {
            browser: browser.display().to_string(),
            status,
            detail: stderr
                .lines()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join(" / "),
        }),
    }
}
