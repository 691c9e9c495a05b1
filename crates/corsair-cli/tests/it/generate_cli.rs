//! `corsair completions SHELL` and `corsair man [SUBCOMMAND]`: what packagers install beside the
//! binary, rendered from the command line's own definition. Each shell's script names every
//! subcommand, and each man page renders with `man -l` without a warning from the formatter.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The subcommands a user completes and reads pages about.
const SUBCOMMANDS: &[&str] = &["serve", "check", "lint", "completions", "man"];

fn corsair(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(args)
        .output()
        .expect("the corsair binary runs")
}

#[test]
fn each_shells_completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = corsair(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.len() > 1000,
            "{shell}: a script of {} bytes",
            script.len()
        );
        for sub in SUBCOMMANDS {
            let word = regex::Regex::new(&format!(r"\b{sub}\b")).unwrap();
            assert!(
                word.is_match(&script),
                "{shell} completes no {sub}:\n{script}"
            );
        }
        // Options too: the proxy's flags complete after `corsair serve` (fish writes
        // `-l upstream`, the others `--upstream`).
        assert!(script.contains("upstream"), "{shell}");
    }
}

#[test]
fn an_unknown_shell_is_refused_naming_the_shells() {
    let output = corsair(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bash") && stderr.contains("elvish"),
        "{stderr}"
    );
}

/// `page` formatted by `man -l -` as a terminal would show it, or the formatter's complaints.
fn man_formats(page: &[u8]) -> String {
    let mut man = Command::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man runs (Debian: apt-get install man-db)");
    man.stdin.take().unwrap().write_all(page).unwrap();
    let output = man.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "man: {stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_man_pages_render_with_man() {
    let output = corsair(&["man"]);
    assert!(output.status.success(), "{output:?}");
    let page = man_formats(&output.stdout);
    assert!(page.contains("SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("corsair-{sub}(1)")),
            "no {sub}:\n{page}"
        );
    }

    // A subcommand's page is its own, with its options described.
    let table = [
        ("serve", "--shutdown-delay"),
        ("check", "--har"),
        ("lint", "--django"),
    ];
    for (sub, option) in table {
        let output = corsair(&["man", sub]);
        assert!(output.status.success(), "{sub}: {output:?}");
        let page = man_formats(&output.stdout);
        assert!(page.starts_with(&format!("corsair-{sub}(1)")), "{page}");
        assert!(
            page.contains(option),
            "corsair-{sub}(1) has no {option}:\n{page}"
        );
    }
}

#[test]
fn a_man_page_for_an_unknown_subcommand_is_refused_naming_the_subcommands() {
    let output = corsair(&["man", "serv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"serv\"") && stderr.contains("serve, check, lint"),
        "{stderr}"
    );
}
