//! Regression tests of issue 17 (hardening) for the store: floats survive
//! export and import bit for bit.

use holisec_store::{Dump, RiskRun, Store};
use serde_json::Value;

const T0: &str = "2026-01-31T09:30:00Z";

fn run(assessment_id: i64, hash: &str, results: Value) -> RiskRun {
    RiskRun {
        id: 0,
        assessment_id,
        input_hash: hash.to_owned(),
        seed: 1,
        iterations: 1000,
        created_at: T0.to_owned(),
        results,
    }
}

// ---------------------------------------------------------------- 5. floats

fn floats(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                out.push(f.to_bits());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| floats(x, out)),
        Value::Object(m) => m.values().for_each(|x| floats(x, out)),
        _ => {}
    }
}

/// Results through every path a risk run takes: stored, read back, exported
/// as JSON text (as `holisec db export` writes it), parsed, imported, read.
fn round_trip(results: &Value) -> Value {
    let mut s = Store::open_in_memory().unwrap();
    let a = s.new_assessment("Floats", "hospital", "1.0", T0).unwrap();
    s.save_risk_run(&run(a.id, "h", results.clone())).unwrap();
    let stored = s.risk_run(a.id, "h").unwrap().unwrap().results;
    assert_bits(results, &stored, "stored and read back");
    let text = serde_json::to_string_pretty(&s.export().unwrap()).unwrap();
    let dump: Dump = serde_json::from_str(&text).unwrap();
    assert_bits(results, &dump.risk_runs[0].results, "export text parsed");
    let mut t = Store::open_in_memory().unwrap();
    t.import(&dump).unwrap();
    t.risk_runs().unwrap().remove(0).results
}

fn assert_bits(expected: &Value, got: &Value, stage: &str) {
    let (mut e, mut g) = (Vec::new(), Vec::new());
    floats(expected, &mut e);
    floats(got, &mut g);
    assert_eq!(e.len(), g.len(), "{stage}");
    let off: Vec<String> = e
        .iter()
        .zip(&g)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("{:e} became {:e}", f64::from_bits(*a), f64::from_bits(*b)))
        .collect();
    assert!(
        off.is_empty(),
        "{stage}: {} of {} floats changed, e.g. {:?}",
        off.len(),
        e.len(),
        &off[..off.len().min(3)]
    );
}

#[test]
fn floats_survive_export_and_import_bit_for_bit() {
    let mut values = vec![
        0.1 + 0.2,
        1e-300,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        -f64::MAX,
        f64::EPSILON,
        -0.0,
        std::f64::consts::PI,
        1.618_033_988_749_894_7,
        1.326_237_921_249_263_9,
        1.562_305_898_749_053_5,
        1.652_475_842_498_527_7,
        320_578.464_642_361_4,
        2_810.202_585_151_294_4,
    ];
    // 20,000 more with mantissas spread by a fixed generator, in several decades.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in 0..20_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let exponent = 1023 - 20 + (k % 40);
        values.push(f64::from_bits((exponent << 52) | (x >> 12)));
    }
    let results = serde_json::json!({ "values": values });
    let back = round_trip(&results);
    assert_bits(&results, &back, "imported");
}

/// The numbers with a fraction or exponent in JSON `text`, outside strings, as written.
fn float_tokens(text: &str) -> Vec<&str> {
    let (b, mut out, mut i) = (text.as_bytes(), Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                if token.contains(['.', 'e', 'E']) {
                    out.push(token);
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn a_real_plan_survives_export_and_import_bit_for_bit() {
    // The results `holisec assess plan` stored (20,000 simulated years, every item at level 2).
    let text = include_str!("data/plan-results.json");
    // The JSON parser reads each number of the plan as the standard library does
    // (correctly rounded): without serde_json's float_roundtrip some are one ulp off.
    let tokens = float_tokens(text);
    assert!(tokens.len() > 300, "{} floats", tokens.len());
    let misread: Vec<String> = tokens
        .iter()
        .filter_map(|t| {
            let exact: f64 = t.parse().unwrap();
            let json: f64 = serde_json::from_str(t).unwrap();
            (exact.to_bits() != json.to_bits()).then(|| format!("{t} read as {json:e}"))
        })
        .collect();
    assert!(misread.is_empty(), "{} misread: {misread:?}", misread.len());
    let plan: Value = serde_json::from_str(text).unwrap();
    let back = round_trip(&plan);
    assert_bits(&plan, &back, "imported");
    assert_eq!(back, plan);
}
