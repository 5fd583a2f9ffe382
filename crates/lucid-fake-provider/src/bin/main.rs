//! `lucid-fake-provider [--addr 127.0.0.1:0] [--script rules.json] [--formats all|llama-cpp-python|no-response-format]`:
//! runs the fake model server until killed, for trying `lucid dream --model …` or `lucid serve`
//! without a real provider. `--formats` makes it refuse response formats as some servers do.
//!
//! The script is a JSON list of rules, e.g.
//! `[{"when": "Deploys go", "reply": {"type": "answer", "value": {"operations": []}}}]`.
//! Prints `listening on http://ADDR` on stderr once bound, then serves until killed.

use std::process::ExitCode;

use lucid_fake_provider::{FakeProvider, Formats, Rule};

fn main() -> ExitCode {
    let mut addr = "127.0.0.1:0".to_string();
    let mut script: Option<String> = None;
    let mut formats = Formats::All;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().unwrap_or(addr),
            "--script" => script = args.next(),
            "--formats" => {
                formats = match args.next().as_deref() {
                    Some("all") => Formats::All,
                    Some("llama-cpp-python") => Formats::LlamaCppPython,
                    Some("no-response-format") => Formats::NoResponseFormat,
                    other => {
                        eprintln!(
                            "error: --formats takes all, llama-cpp-python or no-response-format, \
                             not {}",
                            other.unwrap_or("nothing")
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: lucid-fake-provider [--addr 127.0.0.1:0] [--script rules.json] \
                     [--formats all|llama-cpp-python|no-response-format]"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let server = match FakeProvider::start_on(&addr) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: cannot listen on {addr}: {error}");
            return ExitCode::from(2);
        }
    };
    server.set_formats(formats);
    if let Some(path) = script {
        let rules: Vec<Rule> = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(rules) => rules,
            Err(error) => {
                eprintln!("error: cannot read the script {path}: {error}");
                return ExitCode::from(2);
            }
        };
        for rule in rules {
            server.script(rule);
        }
    }
    eprintln!("listening on {}", server.url());
    // Serves until the process is killed.
    loop {
        std::thread::park();
    }
}
