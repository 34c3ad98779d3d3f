//! The guide "Adopt existing attachments" (`docs/guides/adopt-existing-attachments.md`),
//! followed the way a reader would: its files written as shown, its `export` lines set (the
//! domain pointed at this test's simulator), its commands run in order, and every output it
//! shows found in what Terraform printed. `terraform init` is left out: the test's CLI
//! configuration installs the provider this test run built.
//!
//! Versions: those with `terraform query` (1.14 and later).

mod support;

use support::lifecycle::assert_no_writes;
use support::markdown::code_blocks;
use support::{Feature, Sim};
use support::{Versions, for_each_terraform};

const GUIDE: &str = include_str!("../docs/guides/adopt-existing-attachments.md");

/// One step of the guide.
#[derive(Debug)]
enum Step {
    /// An `hcl` block whose first line is `# FILE`.
    File(String, String),
    /// `export NAME=VALUE ...`.
    Export(Vec<(String, String)>),
    /// `$ terraform ARGS`.
    Command(Vec<String>),
    /// A `text` block: what the previous command printed (or the file it wrote).
    Shows(Vec<String>),
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for (lang, text) in code_blocks(markdown) {
        let body: Vec<&str> = text.lines().collect();
        match lang.as_str() {
            "hcl" => {
                let name = body
                    .first()
                    .and_then(|l| l.strip_prefix("# "))
                    .expect("every hcl block of the guide names its file");
                steps.push(Step::File(name.to_owned(), body[1..].join("\n") + "\n"));
            }
            "shell" => {
                for l in &body {
                    let l = l.strip_prefix("$ ").expect("shell lines start with `$ `");
                    if let Some(vars) = l.strip_prefix("export ") {
                        steps.push(Step::Export(
                            vars.split_whitespace()
                                .map(|kv| {
                                    let (k, v) = kv.split_once('=').expect("NAME=VALUE");
                                    (k.to_owned(), v.to_owned())
                                })
                                .collect(),
                        ));
                    } else {
                        let args = l
                            .strip_prefix("terraform ")
                            .expect("every command is a terraform command");
                        steps.push(Step::Command(
                            args.split_whitespace().map(str::to_owned).collect(),
                        ));
                    }
                }
            }
            "text" => steps.push(Step::Shows(
                body.iter()
                    .map(|l| collapse(l))
                    .filter(|l| !l.is_empty())
                    .collect(),
            )),
            other => panic!("the guide has a {other:?} block the test does not know"),
        }
    }
    steps
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_adopt_guide_works_as_written_and_writes_nothing_to_the_api() {
    let steps = steps(GUIDE);
    assert!(
        steps
            .iter()
            .filter(|s| matches!(s, Step::Command(_)))
            .count()
            >= 5,
        "{steps:#?}"
    );
    for_each_terraform(Versions::Supporting(Feature::Query), |tf| {
        let sim = Sim::quick();
        let mut dir = tf.workdir();
        let mut printed = String::new();
        let mut wrote: Option<String> = None;
        for step in &steps {
            match step {
                Step::File(name, text) => {
                    if text.contains("required_providers") {
                        // The guide declares the provider itself; the harness's own
                        // declaration would be a duplicate.
                        let _ = std::fs::remove_file(dir.path().join("versions.tf"));
                    }
                    dir.write(name, text)
                }
                Step::Export(vars) => {
                    for (k, v) in vars {
                        let v = if k == "ZENLAYERCLOUD_DOMAIN" {
                            sim.domain()
                        } else {
                            v.clone()
                        };
                        dir = dir.env(k, v);
                    }
                }
                Step::Command(args) => {
                    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
                    full.push("-no-color");
                    if args[0] == "apply" {
                        full.extend(["-auto-approve", "-input=false"]);
                    }
                    let out = dir.run(&full);
                    out.assert_success();
                    printed = collapse(&format!("{}{}", out.stdout, out.stderr));
                    wrote = args
                        .iter()
                        .find_map(|a| a.strip_prefix("-generate-config-out="))
                        .map(|f| {
                            collapse(
                                &std::fs::read_to_string(dir.path().join(f))
                                    .expect("the generated file exists"),
                            )
                        });
                }
                Step::Shows(lines) => {
                    let seen = wrote.as_ref().unwrap_or(&printed);
                    for l in lines {
                        assert!(
                            seen.contains(l.as_str()),
                            "Terraform {}: the guide shows {l:?}, but the run gave:\n{seen}",
                            tf.version
                        );
                    }
                }
            }
        }
        assert_no_writes(&sim, &format!("Terraform {}: adoption", tf.version));
    });
}
