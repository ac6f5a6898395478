//! Test fixtures: a model with hostile labels and generated models of any size.

use holisec_model::Ecosystem;
use std::fmt::Write;

const KINDS: [&str; 11] = [
    "healthcare-organisation",
    "national-health-system",
    "healthcare-professional",
    "solution-provider",
    "academia-trainer",
    "patient-association",
    "umbrella-organisation",
    "agency-institution",
    "healthcare-association",
    "insurance-group",
    "advocacy-group",
];
const DOMAINS: [&str; 5] = ["people", "process", "technology", "data", "governance"];
const MOTIVATIONS: [&str; 5] = ["warfare", "terrorism", "espionage", "crime", "activism"];
const REL_KINDS: [&str; 6] = [
    "supplies",
    "regulates",
    "funds",
    "shares-information",
    "trains",
    "advises",
];
const WORDS: [&str; 12] = [
    "legacy",
    "systems",
    "phishing",
    "unpatched",
    "medical",
    "devices",
    "weak",
    "backup",
    "procurement",
    "oversight",
    "credentials",
    "interoperability",
];

/// Loads a fixture and panics with its diagnostics when invalid.
pub fn load(text: &str) -> Ecosystem {
    let loaded = holisec_model::load_str(text);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.ecosystem.expect("fixture is valid")
}

/// TOML basic-string escaping for the generated fixture text.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A small model whose names contain quotes, backslashes, newlines, markup and unicode.
pub fn nasty() -> Ecosystem {
    let names = [
        "Hospital \"Sant Pau\" <main> & co",
        "Back\\slash \\n supplier; {x} [y] (z) | #1",
        "Ærztekammer – Ünïcødé 医療 🏥\nsecond line",
    ];
    let mut t = String::from(
        "[ecosystem]\nname = \"Nasty <fixture> & \\\"quotes\\\"\"\nregion = \"Europe\"\ncurrency = \"EUR\"\n",
    );
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(
            t,
            "[[stakeholder]]\nid = \"s{i}\"\nname = {}\nkind = \"{}\"",
            q(name),
            KINDS[i]
        );
        let _ = writeln!(
            t,
            "[[vulnerability]]\nid = \"v{i}\"\nstakeholder = \"s{i}\"\ndomain = \"{}\"\nname = {}\nresistance = {{ constant = 0.5, rationale = \"test\" }}",
            DOMAINS[i],
            q(&format!("factor \"{i}\" <b>&amp; \\ end\nnext"))
        );
    }
    for (a, b, level, kind) in [
        (0, 1, "first", "supplies"),
        (1, 0, "second", "funds"),
        (2, 0, "first", "regulates"),
        (1, 2, "second", "shares-information"),
    ] {
        let _ = writeln!(
            t,
            "[[relation]]\nfrom = \"s{a}\"\nto = \"s{b}\"\nlevel = \"{level}\"\nkind = \"{kind}\"\nstrength = 0.5\nrationale = \"test\""
        );
    }
    let _ = writeln!(
        t,
        "[[threat]]\nid = \"t0\"\nmotivation = \"crime\"\nname = {}\ntargets = [\"s0\", \"s2\"]\nexploits = [\"v0\", \"v2\"]\nfrequency = {{ constant = 1.0, rationale = \"test\" }}\ncapability = {{ constant = 0.5, rationale = \"test\" }}\nprimary_loss = {{ constant = 10.0, rationale = \"test\" }}",
        q("Ransom\"ware\" <script>alert('x')</script> & \\ 💰")
    );
    let _ = writeln!(
        t,
        "[[support]]\nid = \"p0\"\nkind = \"training\"\nname = {}\nprovider = \"s1\"\nmitigates = [\"v0\"]\neffect = {{ on = \"resistance\", change = 0.1, rationale = \"test\" }}\nannual_cost = 100.0\nrationale = \"test\"",
        q("Train \"all\" <staff> & \\ 🎓")
    );
    load(&t)
}

/// A deterministic pseudo-random model with `n >= 2` stakeholders (a valid model needs a
/// relation for each, so one stakeholder alone is not a model) (0..=6 factors each,
/// relations of both levels, threats and supports), driven by `seed`.
pub fn generated(n: usize, seed: u64) -> Ecosystem {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| -> usize {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % m.max(1) as u64) as usize
    };
    let mut t =
        String::from("[ecosystem]\nname = \"Generated\"\nregion = \"Test\"\ncurrency = \"EUR\"\n");
    let mut factors = Vec::new();
    for i in 0..n {
        let words = 1 + next(6);
        let name: Vec<&str> = (0..words).map(|_| WORDS[next(WORDS.len())]).collect();
        let _ = writeln!(
            t,
            "[[stakeholder]]\nid = \"s{i}\"\nname = \"{} {i}\"\nkind = \"{}\"",
            name.join(" "),
            KINDS[next(11)]
        );
        for j in 0..next(7) {
            let words = 1 + next(8);
            let name: Vec<&str> = (0..words).map(|_| WORDS[next(WORDS.len())]).collect();
            let _ = writeln!(
                t,
                "[[vulnerability]]\nid = \"v{i}-{j}\"\nstakeholder = \"s{i}\"\ndomain = \"{}\"\nname = \"{}\"\nresistance = {{ constant = 0.5, rationale = \"test\" }}",
                DOMAINS[next(5)],
                name.join(" ")
            );
            factors.push(format!("v{i}-{j}"));
        }
    }
    if n > 1 {
        // A ring so every stakeholder has a relation (the model requires one).
        for a in 0..n {
            let b = (a + 1) % n;
            if n == 2 && a == 1 {
                break;
            }
            let _ = writeln!(
                t,
                "[[relation]]\nfrom = \"s{a}\"\nto = \"s{b}\"\nlevel = \"first\"\nkind = \"employs\"\nstrength = 0.5\nrationale = \"test\""
            );
        }
        for _ in 0..n {
            let a = next(n);
            let b = (a + 1 + next(n - 1)) % n;
            let level = if next(3) == 0 { "second" } else { "first" };
            let _ = writeln!(
                t,
                "[[relation]]\nfrom = \"s{a}\"\nto = \"s{b}\"\nlevel = \"{level}\"\nkind = \"{}\"\nstrength = 0.5\nrationale = \"test\"",
                REL_KINDS[next(REL_KINDS.len())]
            );
        }
    }
    if !factors.is_empty() {
        for k in 0..(1 + next(8)) {
            let v = &factors[next(factors.len())];
            let _ = writeln!(
                t,
                "[[threat]]\nid = \"t{k}\"\nmotivation = \"{}\"\nname = \"threat {k} {}\"\ntargets = [\"s{}\"]\nexploits = [\"{v}\"]\nfrequency = {{ constant = 1.0, rationale = \"test\" }}\ncapability = {{ constant = 0.5, rationale = \"test\" }}\nprimary_loss = {{ constant = 10.0, rationale = \"test\" }}",
                MOTIVATIONS[next(5)],
                WORDS[next(WORDS.len())],
                next(n)
            );
        }
        for k in 0..next(6) {
            let v = &factors[next(factors.len())];
            let _ = writeln!(
                t,
                "[[support]]\nid = \"p{k}\"\nkind = \"{}\"\nname = \"support {k} {}\"\nprovider = \"s{}\"\nmitigates = [\"{v}\"]\neffect = {{ on = \"resistance\", change = 0.1, rationale = \"test\" }}\nannual_cost = 100.0\nrationale = \"test\"",
                if next(2) == 0 {
                    "protection"
                } else {
                    "training"
                },
                WORDS[next(WORDS.len())],
                next(n)
            );
        }
    }
    load(&t)
}
